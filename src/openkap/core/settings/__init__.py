"""A clinic's versioned safety settings: the versions with their reasons, the second approval a
loosening waits for, and the guard-rails no setting passes."""
