"""Alembic environment: runs on the connection OpenKAP hands it, or on the configured URL."""

from alembic import context
from sqlalchemy import Connection

from openkap.core.config import get_settings
from openkap.core.db import build_engine
from openkap.models_registry import load_all

target_metadata = load_all().metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only change tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = build_engine(url)
    with engine.connect() as owned:
        _run(owned)
    engine.dispose()


run_online()
