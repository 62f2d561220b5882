"""Booster and maintenance reviews: the relapse rule that opens them, the prescriber's decision,
maintenance courses, their API and pages."""
