"""The task inbox of a clinician or a role: where each category comes from, its rows, its API and
pages."""
