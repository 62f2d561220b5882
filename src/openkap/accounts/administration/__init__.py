"""What administrators do about others' access: ending sessions, unlocking, resets, role grants
with a second approver, and the audit of refused requests."""
