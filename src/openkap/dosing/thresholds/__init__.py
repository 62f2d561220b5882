"""The clinic's vital-sign thresholds: the rules with their defaults, their versioned settings,
their page and API."""
