"""Monitoring slots: done within the tolerance, due now, overdue, next."""

from datetime import UTC, datetime, timedelta

import pytest

from openkap.dosing.errors import InvalidDosingInput
from openkap.dosing.schedule import monitoring_due

START = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
SCHEDULE = [0, 15, 30, 40, 60, 90, 120]


def status(minutes_now: float, done: list[int], tolerance: int = 5):
    return monitoring_due(
        started_at=START,
        now=START + timedelta(minutes=minutes_now),
        done_minutes=done,
        schedule_minutes=SCHEDULE,
        tolerance_minutes=tolerance,
    )


@pytest.mark.parametrize(
    ("now", "done", "expected_done", "due_now", "overdue", "next_slot"),
    [
        (-10, [], [], [], [], 0),  # the pre-dose window opens 5 minutes before the start
        (0, [], [], [0], [], 0),
        (20, [0], [0], [15], [], 15),  # 15 + 5: still inside the window
        (21, [0], [0], [], [15], 30),  # a minute later it is overdue
        (41, [-3, 14, 35], [0, 15, 30], [40], [], 40),  # 35 fills 30 only, never also 40
        (41, [0, 15, 30, 37], [0, 15, 30, 40], [], [], 60),  # 37 fills the 40-minute slot
        (50, [0, 15, 30, 46], [0, 15, 30], [], [40], 60),  # 46 is outside 40's window
        (130, [0, 15, 30, 40, 60, 90, 120], SCHEDULE, [], [], None),
        (200, [0, 15], [0, 15], [], [30, 40, 60, 90, 120], None),
    ],
)
def test_monitoring_slots_are_done_due_or_overdue(
    now, done, expected_done, due_now, overdue, next_slot
):
    result = status(now, done)
    assert (result.done, result.due_now, result.overdue, result.next_slot) == (
        expected_done,
        due_now,
        overdue,
        next_slot,
    )


def test_next_due_time_is_the_slot_minutes_after_the_start():
    assert status(21, [0]).next_due_at == START + timedelta(minutes=30)
    assert status(130, SCHEDULE).next_due_at is None


def test_zero_tolerance_needs_the_exact_minute():
    assert status(16, [0, 14], tolerance=0).overdue == [15]


@pytest.mark.parametrize(
    ("schedule", "tolerance", "field"),
    [
        ([], 5, "schedule_minutes"),
        ([15, 0], 5, "schedule_minutes"),
        ([0, 0, 15], 5, "schedule_minutes"),
        ([-5, 15], 5, "schedule_minutes"),
        ([0, 15], 31, "tolerance_minutes"),
        ([0, 15], -1, "tolerance_minutes"),
    ],
)
def test_malformed_schedule_or_tolerance_is_refused(schedule, tolerance, field):
    with pytest.raises(InvalidDosingInput) as caught:
        monitoring_due(
            started_at=START,
            now=START,
            done_minutes=[],
            schedule_minutes=schedule,
            tolerance_minutes=tolerance,
        )
    assert caught.value.field == field


def test_times_without_time_zone_are_refused():
    with pytest.raises(InvalidDosingInput, match="time zone"):
        monitoring_due(
            started_at=START,
            now=datetime(2025, 3, 4, 10, 30),
            done_minutes=[],
            schedule_minutes=SCHEDULE,
        )
