"""Command-line interface of OpenKAP."""
