"""Platform core: configuration, database, errors, security, audit, tenancy."""
