"""The chair: the pre-dose checklist and hard stops, the day's answers and weight, the end of
administration, discharge, the chair-side page."""
