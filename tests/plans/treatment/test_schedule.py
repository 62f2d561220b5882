"""Schedules: twice-weekly spacing, the esketamine label rhythm, preparation and integration."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from openkap.plans.treatment.defaults import default_template_values
from openkap.plans.treatment.schedule import SessionKind, build_schedule, dosing_dates, parse_spec

MONDAY = date(2026, 3, 2)


def schedule_of(key: str, start_on: date = MONDAY):
    values = default_template_values(key)
    return build_schedule(
        parse_spec(values["schedule"]),
        start_on=start_on,
        dosing_sessions=values["dosing_sessions"],
        preparation_sessions=values["preparation_sessions"],
        integration_within_hours=values["integration_within_hours"],
        dose_mg=Decimal(56),
    )


def of_kind(slots, kind):
    return [s for s in slots if s.kind == kind]


def test_iv_course_is_six_infusions_twice_weekly_over_three_weeks():
    doses = of_kind(schedule_of("iv_racemic"), SessionKind.dosing)
    assert [d.planned_on.strftime("%a %d") for d in doses] == [
        "Mon 02",
        "Thu 05",
        "Mon 09",
        "Thu 12",
        "Mon 16",
        "Thu 19",
    ]
    assert doses[-1].planned_on - doses[0].planned_on < timedelta(days=21)


@pytest.mark.parametrize("per_week", [1, 2, 3])
def test_sessions_in_a_week_are_at_least_two_days_apart(per_week):
    spec = parse_spec({"phases": [{"weeks": 6, "per_week": per_week}]})
    dates = [d for d, _ in dosing_dates(spec, start_on=MONDAY, count=6 * per_week)]
    gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
    assert min(gaps) >= 2


def test_esketamine_is_twice_weekly_in_weeks_one_to_four_then_weekly():
    doses = of_kind(schedule_of("intranasal_esketamine"), SessionKind.dosing)
    assert len(doses) == 12
    for week in range(4):
        start = MONDAY + timedelta(days=7 * week)
        in_week = [d for d in doses if start <= d.planned_on < start + timedelta(days=7)]
        assert len(in_week) == 2, week
    later = doses[8:]
    assert [(b.planned_on - a.planned_on).days for a, b in itertools.pairwise(later)] == [
        7,
        7,
        7,
    ]
    assert later[0].planned_on == MONDAY + timedelta(days=28)
    assert "Induction" in doses[0].note
    assert "Maintenance" in doses[8].note


def test_every_dose_has_an_integration_session_due_within_72_hours():
    slots = schedule_of("iv_racemic")
    doses = of_kind(slots, SessionKind.dosing)
    integrations = of_kind(slots, SessionKind.integration)
    assert len(integrations) == len(doses)
    for dose, integration in zip(doses, integrations, strict=True):
        assert integration.planned_on == dose.planned_on + timedelta(days=1)
        assert integration.due_by == dose.planned_on + timedelta(days=3)


def test_preparation_comes_before_the_first_dose():
    slots = schedule_of("intranasal_esketamine")
    (prep,) = of_kind(slots, SessionKind.preparation)
    first_dose = of_kind(slots, SessionKind.dosing)[0]
    assert prep.planned_on < first_dose.planned_on
    assert prep.due_by == first_dose.planned_on - timedelta(days=1)
    assert slots[0] == prep
    assert prep.sequence == 1


def test_sessions_are_numbered_in_date_order_and_doses_carry_the_dose():
    slots = schedule_of("iv_racemic")
    assert [s.sequence for s in slots] == list(range(1, len(slots) + 1))
    assert [s.planned_on for s in slots] == sorted(s.planned_on for s in slots)
    assert all(s.dose_mg == Decimal(56) for s in of_kind(slots, SessionKind.dosing))
    assert all(s.dose_mg is None for s in slots if s.kind != SessionKind.dosing)


def test_every_other_week_phase_skips_weeks():
    spec = parse_spec({"phases": [{"weeks": 4, "per_week": 1, "every_weeks": 2}]})
    dates = [d for d, _ in dosing_dates(spec, start_on=MONDAY, count=2)]
    assert dates == [MONDAY, MONDAY + timedelta(days=14)]


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"phases": []},
        {"phases": [{"weeks": 2, "per_week": 4}]},
        {"phases": [{"weeks": 0}]},
        {"phases": [{"weeks": 2, "label": 3}]},
        {"phases": [{"weeks": 2}], "preparation_lead_days": 0},
    ],
)
def test_malformed_schedule_specs_are_refused(raw):
    with pytest.raises(ValueError, match=r"\w"):
        parse_spec(raw)


def test_a_schedule_cannot_hold_more_sessions_than_its_phases():
    spec = parse_spec({"phases": [{"weeks": 2, "per_week": 1}]})
    with pytest.raises(ValueError, match="holds 2 dosing sessions"):
        dosing_dates(spec, start_on=MONDAY, count=3)
