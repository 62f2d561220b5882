"""Engine, sessions and the one commit point of OpenKAP."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from openkap.core.config import get_settings


def _configure_sqlite(engine: Engine) -> None:
    """Turn on WAL, foreign keys and full sync, and take the write lock at BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is disabled so BEGIN IMMEDIATE below is ours:
        # every request appends to the audit chain, so every transaction is a writer and must
        # take the lock up front instead of failing half-way with SQLITE_BUSY.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL with OpenKAP's settings."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database."""
    settings = get_settings()
    return build_engine(settings.database_url, echo=settings.sql_echo)


def session_factory(bind: Engine | Connection) -> sessionmaker[Session]:
    """Return a session maker; on a connection, commits become savepoints of its transaction."""
    return sessionmaker(
        bind=bind,
        expire_on_commit=False,
        autoflush=True,
        join_transaction_mode="create_savepoint",
    )


def new_session(engine: Engine | None = None) -> Session:
    """Open a session; the caller ends it through `commit_or_rollback`."""
    return session_factory(engine or get_engine())()


_KEPT_KEY = "writes_kept_despite_rollback"


def keep_despite_rollback(session: Session, write: Callable[[Session], None]) -> None:
    """Queue a write that must outlive the refusal that causes it (a failed credential check).

    A refused request writes nothing, yet a wrong password must still count against the
    account's sign-in throttle; the write runs at the commit point, after any rollback.
    """
    session.info.setdefault(_KEPT_KEY, []).append(write)


def write_kept(session: Session) -> None:
    """Run the queued writes that outlive a rollback (each once)."""
    for write in session.info.pop(_KEPT_KEY, []):
        write(session)


def commit_or_rollback(session: Session, *, failed: bool) -> None:
    """The one commit point: commit on success, roll back on error, always close."""
    try:
        if failed:
            session.rollback()
            if not session.info.get(_KEPT_KEY):
                return
        write_kept(session)
        session.commit()
    finally:
        session.close()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work for the CLI and jobs: commits when the block succeeds."""
    session = new_session(engine)
    try:
        yield session
    except BaseException:
        commit_or_rollback(session, failed=True)
        raise
    commit_or_rollback(session, failed=False)
