"""Maintenance courses: approved sessions and end date; scheduling beyond either is refused."""

from datetime import UTC, date, datetime, timedelta

import pytest

from openkap.core.errors import Forbidden
from openkap.dosing.models import SessionState
from openkap.followup.errors import InvalidFollowupInput, MaintenanceNotAllowed
from openkap.followup.reviews.maintenance import (
    approve_maintenance,
    current_approval,
    maintenance_allows,
    require_maintenance_allowed,
)
from tests.followup.builders import course, session_at

START = date(2026, 6, 1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def approve(db, episode, by, *, sessions=2, starts_on=START, ends_on=START + timedelta(days=60)):
    return approve_maintenance(
        db,
        episode_id=episode.id,
        sessions_approved=sessions,
        starts_on=starts_on,
        ends_on=ends_on,
        reason="Relapse after induction; monthly boosters.",
        by=by,
    )


def test_maintenance_dosing_needs_an_approved_course(db, org):
    episode = course(db, org, state="maintenance")
    allowed, why = maintenance_allows(db, episode_id=episode.id, on=START)
    assert not allowed
    assert "No maintenance course is approved" in why


def test_sessions_within_the_approval_are_allowed_and_the_next_one_is_refused(db, org, prescriber):
    episode = course(db, org, state="maintenance")
    approve(db, episode, prescriber, sessions=2)
    assert maintenance_allows(db, episode_id=episode.id, on=START) == (
        True,
        "Session 1 of 2 approved until 2026-07-31.",
    )
    session_at(db, episode, at(START + timedelta(days=3)))
    session_at(db, episode, at(START + timedelta(days=30)), state=SessionState.scheduled)
    allowed, why = maintenance_allows(db, episode_id=episode.id, on=START + timedelta(days=45))
    assert not allowed
    assert "All 2 approved maintenance sessions" in why
    with pytest.raises(MaintenanceNotAllowed, match="approve the course again"):
        require_maintenance_allowed(db, episode_id=episode.id, on=START + timedelta(days=45))


def test_a_session_aborted_before_its_dose_does_not_use_the_course(db, org, prescriber):
    episode = course(db, org, state="maintenance")
    approve(db, episode, prescriber, sessions=1)
    session_at(db, episode, at(START + timedelta(days=3)), state=SessionState.aborted)
    assert maintenance_allows(db, episode_id=episode.id, on=START + timedelta(days=5))[0]


def test_after_the_end_date_dosing_is_refused_until_approved_again(db, org, prescriber):
    episode = course(db, org, state="maintenance")
    first = approve(db, episode, prescriber, sessions=6)
    late = first.ends_on + timedelta(days=1)
    allowed, why = maintenance_allows(db, episode_id=episode.id, on=late)
    assert not allowed
    assert "ended on 2026-07-31" in why
    second = approve(
        db, episode, prescriber, sessions=3, starts_on=late, ends_on=late + timedelta(days=90)
    )
    assert maintenance_allows(db, episode_id=episode.id, on=late)[0]
    assert (first.status, second.status) == ("superseded", "active")
    assert current_approval(db, episode=episode) is second


def test_before_the_start_date_dosing_is_refused(db, org, prescriber):
    episode = course(db, org, state="maintenance")
    approve(db, episode, prescriber)
    allowed, why = maintenance_allows(db, episode_id=episode.id, on=START - timedelta(days=1))
    assert not allowed
    assert "starts on 2026-06-01" in why


def test_outside_maintenance_no_approval_applies(db, org):
    episode = course(db, org, state="induction")
    assert maintenance_allows(db, episode_id=episode.id, on=START)[0]


def test_only_a_prescriber_approves_a_course(db, org, nurse):
    episode = course(db, org, state="maintenance")
    with pytest.raises(Forbidden):
        approve(db, episode, nurse)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sessions": 0}, "sessions_approved"),
        ({"sessions": 53}, "sessions_approved"),
        ({"ends_on": START - timedelta(days=1)}, "ends_on"),
        ({"ends_on": START + timedelta(days=400)}, "ends_on"),
    ],
)
def test_a_course_out_of_bounds_is_refused_naming_the_field(db, org, prescriber, changes, field):
    episode = course(db, org, state="maintenance")
    with pytest.raises(InvalidFollowupInput) as refused:
        approve(db, episode, prescriber, **changes)
    assert refused.value.field == field


def test_a_closed_course_of_care_takes_no_approval(db, org, prescriber):
    episode = course(db, org, state="completed")
    with pytest.raises(MaintenanceNotAllowed):
        approve(db, episode, prescriber)
