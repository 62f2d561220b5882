"""Time helpers: every stored timestamp is timezone-aware UTC."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# How far the clock is set from the real time: zero in service. The demo loader sets it to
# record past sessions through the same services (which stamp the time themselves), and browser
# tests set it to pass minimum observation times without waiting two hours.
_shift = timedelta(0)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC) + _shift


def set_clock(moment: datetime | None) -> None:
    """Set the clock to read `moment` now and tick on from there; None restores the real time."""
    global _shift
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set the clock to a timezone-aware time")
    _shift = timedelta(0) if moment is None else moment - datetime.now(UTC)


@contextmanager
def clock_set_to(moment: datetime) -> Iterator[None]:
    """Run a block with the clock set to `moment`, restoring the previous setting after it."""
    global _shift
    previous = _shift
    set_clock(moment)
    try:
        yield
    finally:
        _shift = previous


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that refuses naive datetimes and always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        # SQLite hands back naive values; they were stored as UTC.
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
