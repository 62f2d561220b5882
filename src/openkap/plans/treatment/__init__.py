"""Protocol templates and treatment plans: the templates and their defaults, the route ceilings,
the dose math, the schedule, the plan use cases, their API and pages."""
