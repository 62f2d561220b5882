"""Suitability screening: the rule catalogue and its checks, the facts and coded diagnoses it
reads, the clinic's rule sets, runs, overrides, the chair's re-check, its API and pages."""
