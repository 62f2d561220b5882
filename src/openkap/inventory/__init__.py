"""Controlled-substance ledger: receipts, stock, administrations, waste, counts."""
