"""Intake assessment, prior treatments (TRD) and suitability screening."""
