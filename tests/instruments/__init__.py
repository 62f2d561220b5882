"""Tests of the instruments library."""
