"""Platform core: configuration, the database (`database`), the audit log (`audit`), versioned
safety settings (`settings`), errors and their handler, permissions, security, time."""
