"""Preparation of an episode: PDMP check, drug screen, escort plan, preparation sessions, REMS
enrolment, the overview, their API and pages."""
