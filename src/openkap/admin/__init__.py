"""Clinic administration: users and roles, MFA policy, the audit log."""
