"""Preparation and planning: protocol templates, treatment plans, consent, REMS enrolment."""
