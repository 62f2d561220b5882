"""Dosing sessions' lifecycle: scheduling, check-in, abort, reading a session and what each role
sees of it."""
