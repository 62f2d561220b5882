"""The dose a session gives: its order and order changes, the dose check, the calculator,
esketamine devices and infusions, adverse events."""
