"""The integration plan of an episode: its versions, sharing with the patient, its API and page."""
