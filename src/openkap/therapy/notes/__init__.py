"""Therapy notes: drafts, who may see them, their sections, signatures, co-signatures and addenda,
supervision, their API and pages."""
