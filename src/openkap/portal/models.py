"""Tables of the portal domain."""
