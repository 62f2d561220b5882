"""Run the Alembic migrations programmatically (for the CLI and the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

import openkap

# Migrations live beside src/ in the source tree: OpenKAP is run from a checkout.
MIGRATIONS = Path(openkap.__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    """Return an Alembic configuration pointing at OpenKAP's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to a revision (the newest by default)."""
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
