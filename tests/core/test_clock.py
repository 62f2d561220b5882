"""The settable clock used by the demo loader and browser tests."""

from datetime import UTC, datetime, timedelta

import pytest

from openkap.core import time
from openkap.core.time import clock_set_to, utcnow

PAST = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)


def test_the_clock_reads_the_set_time_and_ticks_on_then_returns_to_real_time():
    with clock_set_to(PAST):
        first = utcnow()
        assert PAST <= first < PAST + timedelta(seconds=5)
        assert utcnow() >= first
    assert abs(utcnow() - utcnow()) < timedelta(seconds=5)


def test_nested_settings_restore_the_outer_one():
    with clock_set_to(PAST):
        with clock_set_to(PAST + timedelta(hours=2)):
            assert utcnow() >= PAST + timedelta(hours=2)
        assert utcnow() < PAST + timedelta(minutes=1)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        time.set_clock(datetime(2026, 10, 1, 9, 30))  # noqa: DTZ001 (naive on purpose)
