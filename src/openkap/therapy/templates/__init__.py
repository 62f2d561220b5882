"""The clinic's note templates (versioned) and their defaults, and the API of templates and
supervision."""
