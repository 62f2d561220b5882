"""Monitoring slots: done within the tolerance, due now, overdue, next."""

from datetime import UTC, datetime, timedelta

import pytest

from openkap.dosing.errors import InvalidDosingInput
from openkap.dosing.monitoring.schedule import (
    Measure,
    SlotState,
    minutes_after,
    monitoring_due,
    pre_dose_due,
    protocol_due,
    protocol_for,
)

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
            now=datetime(2025, 3, 4, 10, 30),  # noqa: DTZ001 (naive on purpose)
            done_minutes=[],
            schedule_minutes=SCHEDULE,
        )


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def states(result, measure):
    return {i.minute: i.state.value for i in result.items if i.measure == measure}


def test_a_measurement_before_the_start_counts_as_the_pre_dose_one():
    assert minutes_after(START, [at(-45), at(-0.5), at(14.9), at(40)]) == [0, 0, 14, 40]


def test_the_default_protocol_asks_vitals_moaas_after_the_dose_and_cadss_at_0_40_120():
    result = protocol_due(started_at=START, now=at(-10), done={})
    assert sorted(states(result, Measure.vitals)) == [0, 15, 30, 40, 60, 90, 120]
    assert sorted(states(result, Measure.moaas)) == [15, 30, 40, 60, 90, 120]
    assert sorted(states(result, Measure.cadss)) == [0, 40, 120]


def test_each_measure_is_done_due_or_overdue_on_its_own_times():
    done = {
        Measure.vitals: [at(-20), at(15), at(29)],
        Measure.moaas: [at(15)],
        Measure.cadss: [at(2)],
    }
    result = protocol_due(started_at=START, now=at(41), done=done)
    assert states(result, Measure.vitals) == {
        0: "done", 15: "done", 30: "done", 40: "due", 60: "upcoming", 90: "upcoming",
        120: "upcoming",
    }  # fmt: skip
    assert (states(result, Measure.moaas)[30], states(result, Measure.moaas)[40]) == (
        "overdue",
        "due",
    )
    assert (states(result, Measure.cadss)[0], states(result, Measure.cadss)[40]) == ("done", "due")


def test_next_due_lists_every_measure_of_the_earliest_minute_still_to_do():
    result = protocol_due(started_at=START, now=at(46), done={})
    assert [(i.measure, i.minute) for i in result.next_due] == [
        (Measure.vitals, 60),
        (Measure.moaas, 60),
    ]
    assert {(i.measure, i.minute) for i in result.overdue} >= {
        (Measure.vitals, 40),
        (Measure.moaas, 40),
        (Measure.cadss, 40),
    }
    assert result.next_due[0].due_at == at(60)


def test_next_due_is_empty_when_everything_is_done_or_missed():
    result = protocol_due(started_at=START, now=at(200), done={Measure.vitals: [at(0)]})
    assert result.next_due == ()
    assert all(i.state in (SlotState.done, SlotState.overdue) for i in result.items)


def test_a_templates_vitals_times_set_the_moaas_times_too():
    protocol = protocol_for([0, 30, 60, 30])
    assert protocol[Measure.vitals] == (0, 30, 60)
    assert protocol[Measure.moaas] == (30, 60)
    assert protocol[Measure.cadss] == (0, 40, 120)


def test_before_the_first_dose_only_the_pre_dose_vitals_are_due():
    waiting = pre_dose_due(vitals_taken=False)
    [item] = waiting.items
    assert (item.measure, item.minute, item.due_at, item.state) == (
        Measure.vitals,
        0,
        None,
        SlotState.due,
    )
    assert waiting.next_due == (item,)
    taken = pre_dose_due(vitals_taken=True)
    assert (taken.items[0].state, taken.next_due) == (SlotState.done, ())
