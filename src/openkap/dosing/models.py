"""Tables of the dosing domain."""
