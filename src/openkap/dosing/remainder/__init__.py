"""A stopped administration's undelivered remainder, reconciled before the patient leaves."""
