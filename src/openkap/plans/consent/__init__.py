"""Informed consent: the clinic's versioned documents and their defaults, signatures, withdrawal,
and their pages."""
