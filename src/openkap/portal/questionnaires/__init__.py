"""Answering a questionnaire in the portal: drafts saved answer by answer, the questions one per
screen, suicide-risk answers alerted at once."""
