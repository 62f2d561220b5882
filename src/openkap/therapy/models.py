"""Tables of the therapy domain."""
