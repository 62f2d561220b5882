"""Patient registry: demographics, contacts, weights."""
