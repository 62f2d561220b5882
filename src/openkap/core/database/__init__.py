"""The database: engine, sessions and the one commit point, the model base with its audit and
tenancy mixins, tenant scoping, and the migrations run from code."""
