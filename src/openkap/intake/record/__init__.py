"""The intake record of an episode: its sections, lists, body measures and baseline instruments,
treatment resistance (TRD), its API and page."""
