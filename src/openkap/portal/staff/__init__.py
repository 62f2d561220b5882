"""Staff's view of a patient's portal access: its status, a new invitation, closing it, their API
and pages."""
