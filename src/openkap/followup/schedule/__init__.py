"""Each episode's follow-up schedule: the plan as pure functions, its regeneration from the
records, what is due, and the episode's follow-up page."""
