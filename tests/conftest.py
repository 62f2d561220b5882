"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Each test works inside a transaction that is rolled back afterwards, so tests see a migrated,
empty database and cannot leak rows into each other.
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from openkap.app import create_app
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import build_engine, session_factory
from openkap.core.time import set_clock, utcnow

pytest_plugins = ["tests.verification"]

BACKENDS = ["sqlite", "postgresql"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="HH:MM",
        default=None,
        help="run with the clock set to this UTC time of today (proves tests pass at any hour)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Set before collection, so times that test modules compute on import follow it too.
    wall = config.getoption("--clock")
    if wall:
        try:
            hour, minute = (int(part) for part in wall.split(":"))
            moment = datetime.combine(utcnow().date(), time(hour, minute), UTC)
        except ValueError:
            raise pytest.UsageError(f"--clock takes HH:MM, not {wall!r}") from None
        set_clock(moment)


def pytest_report_header(config: pytest.Config) -> str | None:
    wall = config.getoption("--clock")
    return f"clock set to {wall} UTC today" if wall else None


def _postgres_server_url() -> str:
    url = os.environ.get("OPENKAP_TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("CI must test on PostgreSQL: run the suite through `make test`")
    pytest.skip("no PostgreSQL server given: run through `make test` (OPENKAP_TEST_DATABASE_URL)")


def _create_postgres_database() -> tuple[str, Engine]:
    server = make_url(_postgres_server_url())
    name = f"openkap_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return server.set(database=name).render_as_string(hide_password=False), admin


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of one backend, shared by the whole session."""
    if request.param == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "openkap.sqlite3"
        engine = build_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    url, admin = _create_postgres_database()
    engine = build_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def private_postgres_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL database of its own, for a test that must commit; dropped after it."""
    url, admin = _create_postgres_database()
    engine = build_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for arranging and checking data, free of tenant scope."""
    session = session_factory(connection)()
    with all_tenants(session):
        yield session
    session.close()


@pytest.fixture(scope="session")
def _shared_app(engine: Engine) -> FastAPI:
    return create_app(bind=engine)


@pytest.fixture(scope="session")
def _shared_client(_shared_app: FastAPI) -> Iterator[TestClient]:
    # Starting a TestClient costs more than most requests: one per backend serves every test.
    with TestClient(_shared_app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def app(_shared_app: FastAPI, connection: Connection) -> FastAPI:
    """The application, bound for this test to its rolled-back connection."""
    _shared_app.state.session_factory = session_factory(connection)
    return _shared_app


@pytest.fixture
def client(app: FastAPI, _shared_client: TestClient) -> TestClient:
    """A client with no cookies left from an earlier test."""
    _shared_client.cookies.clear()
    return _shared_client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran on each database, so a skipped backend cannot go unnoticed."""
    counts: dict[str, dict[str, int]] = {backend: {} for backend in BACKENDS}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            for backend in BACKENDS:
                if f"[{backend}" in getattr(report, "nodeid", ""):
                    counts[backend][outcome] = counts[backend].get(outcome, 0) + 1
    terminalreporter.section("databases")
    for backend, outcome_counts in counts.items():
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcome_counts.items()))
        terminalreporter.write_line(f"{backend}: {summary or 'no tests'}")
