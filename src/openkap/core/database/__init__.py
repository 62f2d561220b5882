"""What every table stands on: the model base with its audit and tenancy mixins, tenant scoping,
and the migrations run from code (the engine, sessions and the one commit point are core.db)."""
