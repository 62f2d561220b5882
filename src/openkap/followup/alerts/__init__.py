"""Urgent alerts: raised, acknowledged, who they are for, and the pre-dose stop of an unassessed
suicide-risk alert."""
