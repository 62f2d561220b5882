"""Signing in: password and one-time-code checks under the throttle, browser sessions and bearer
tokens, the sign-in pages and the token API."""
