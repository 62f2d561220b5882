"""Monitoring at the chair: vital signs and their alerts, observations and dissociation scores, the
readings schedule."""
