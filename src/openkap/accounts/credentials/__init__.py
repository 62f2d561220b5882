"""A user's own credentials: the account page (password, MFA, personal tokens, signing out
everywhere) and the ending of access when credentials change."""
