"""The audit log: events hash-chained per organisation, written at the commit point, and the
verifier that names the first broken link."""
