"""Accounts: sign-in, sessions, API tokens, MFA and user administration."""
