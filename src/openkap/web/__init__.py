"""Shared web layer: layout, templates, static files, page helpers."""
