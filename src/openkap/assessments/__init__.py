"""Administered questionnaires and clinician ratings, scored by openkap.instruments."""
