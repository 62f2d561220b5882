"""Physical counts and the biennial inventory built from them: expected against counted, two
signatures, the CSV and PDF, their API and pages."""
