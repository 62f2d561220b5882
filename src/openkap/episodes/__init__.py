"""Episodes of care: one course of KAP, its state machine, and the encounters along it."""
