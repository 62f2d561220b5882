"""Completing and acknowledging due items, and keeping stored schedules current."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.dosing.models import DosingSession
from openkap.followup.errors import DueItemRefused, InvalidFollowupInput
from openkap.followup.models import DueItem, ItemStatus
from openkap.followup.schedule.regenerate import regenerate_schedule
from openkap.followup.schedule.service import (
    acknowledge_missed,
    mark_done,
    refresh_stale,
    stale_episode_ids,
)
from openkap.followup.settings import service as settings
from tests.followup.builders import course, scored, session_at, staff

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def episode_dosing(db, episode):
    return db.scalars(select(DosingSession).where(DosingSession.episode_id == episode.id)).one()


def item(db, episode, anchor, instrument_id="phq9"):
    return db.scalars(
        select(DueItem).where(
            DueItem.episode_id == episode.id,
            DueItem.anchor == anchor,
            DueItem.instrument_id == instrument_id,
        )
    ).one()


@pytest.fixture
def scheduled_course(db, org):
    episode = course(db, org)
    dosing = session_at(db, episode, T0)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 20 * H)
    return episode, dosing


def test_a_patient_completes_a_due_questionnaire(db, org, scheduled_course):
    episode, _ = scheduled_course
    patient = staff(db, org, Role.patient)
    day1 = item(db, episode, "first-dose:24h")
    response = scored(db, episode, "phq9", 9, T0 + 21 * H)
    done = mark_done(db, due_id=day1.id, response_id=response.id, by=patient)
    assert (done.status, done.response_id, done.done_at) == ("done", response.id, T0 + 21 * H)
    # Sending the same answer again changes nothing.
    assert mark_done(db, due_id=day1.id, response_id=response.id, by=patient) is done


def test_another_instrument_or_patient_cannot_complete_the_item(db, org, nurse, scheduled_course):
    episode, _ = scheduled_course
    day1 = item(db, episode, "first-dose:24h")
    gad7 = scored(db, episode, "gad7", 9, T0 + 21 * H)
    with pytest.raises(InvalidFollowupInput, match="phq9") as refused:
        mark_done(db, due_id=day1.id, response_id=gad7.id, by=nurse)
    assert refused.value.field == "response_id"
    other = course(db, org)
    stranger = scored(db, other, "phq9", 9, T0 + 21 * H)
    with pytest.raises(InvalidFollowupInput):
        mark_done(db, due_id=day1.id, response_id=stranger.id, by=nurse)


def test_a_done_item_keeps_its_first_response(db, nurse, scheduled_course):
    episode, _ = scheduled_course
    day1 = item(db, episode, "first-dose:24h")
    first = scored(db, episode, "phq9", 9, T0 + 21 * H)
    second = scored(db, episode, "phq9", 8, T0 + 22 * H)
    mark_done(db, due_id=day1.id, response_id=first.id, by=nurse)
    with pytest.raises(DueItemRefused, match="another response"):
        mark_done(db, due_id=day1.id, response_id=second.id, by=nurse)


def test_roles_without_tasks_cannot_complete_items(db, admin, scheduled_course):
    episode, _ = scheduled_course
    response = scored(db, episode, "phq9", 9, T0 + 21 * H)
    with pytest.raises(Forbidden):
        mark_done(
            db, due_id=item(db, episode, "first-dose:24h").id, response_id=response.id, by=admin
        )


def test_a_missed_integration_session_is_acknowledged_with_what_was_done(
    db, therapist, front_desk, scheduled_course
):
    episode, dosing = scheduled_course
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 5 * D)
    missed = item(db, episode, f"integration:{dosing.id}", "")
    assert missed.status == ItemStatus.missed
    with pytest.raises(Forbidden):
        acknowledge_missed(db, due_id=missed.id, note="Called the patient.", by=front_desk)
    with pytest.raises(InvalidFollowupInput):
        acknowledge_missed(db, due_id=missed.id, note="ok", by=therapist)
    acknowledge_missed(
        db, due_id=missed.id, note="Patient unwell; rebooked for Friday.", by=therapist
    )
    assert missed.acknowledged_by_id == therapist.user.id
    with pytest.raises(DueItemRefused):
        acknowledge_missed(db, due_id=missed.id, note="Second acknowledgement.", by=therapist)


def test_an_open_item_cannot_be_acknowledged_as_missed(db, therapist, scheduled_course):
    episode, _ = scheduled_course
    with pytest.raises(DueItemRefused, match="open"):
        acknowledge_missed(
            db,
            due_id=item(db, episode, "first-dose:24h").id,
            note="Nothing to do here.",
            by=therapist,
        )


def test_a_schedule_is_stale_once_its_sources_change_and_fresh_after_refresh(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    ids = stale_episode_ids(db, organization_id=org.id, now=T0)
    assert episode.id in ids
    refresh_stale(db, organization_id=org.id, now=T0)
    assert episode.id not in stale_episode_ids(db, organization_id=org.id, now=T0)
    session_at(db, episode, T0 + 3 * D)
    assert episode.id in stale_episode_ids(db, organization_id=org.id, now=T0)


def test_a_response_or_a_passed_window_makes_a_schedule_stale(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    refresh_stale(db, organization_id=org.id, now=T0 + 20 * H)
    scored(db, episode, "phq9", 7, T0 + 21 * H)
    assert episode.id in stale_episode_ids(db, organization_id=org.id, now=T0 + 21 * H)
    refresh_stale(db, organization_id=org.id, now=T0 + 21 * H)
    assert episode.id not in stale_episode_ids(db, organization_id=org.id, now=T0 + 21 * H)
    # The GAD-7 of the 24-hour window is still open: when the window passes it must be settled.
    assert episode.id in stale_episode_ids(db, organization_id=org.id, now=T0 + 37 * H)


def test_new_settings_make_every_schedule_stale(db, org, admin):
    episode = course(db, org)
    session_at(db, episode, T0)
    refresh_stale(db, organization_id=org.id, now=T0)
    settings.save_settings(
        db, values={"after_induction_weeks": [1, 4]}, reason="Fewer follow-ups.", by=admin
    )
    assert episode.id in stale_episode_ids(db, organization_id=org.id, now=T0)


def test_a_passed_integration_window_keeps_a_schedule_stale_only_while_it_can_be_settled(
    db, org, notes_at
):
    episode = course(db, org)
    session_at(db, episode, T0)
    later = T0 + 10 * D
    notes_at(None)  # the therapy domain cannot tell: the integration item stays open
    refresh_stale(db, organization_id=org.id, now=later)
    assert episode.id not in stale_episode_ids(db, organization_id=org.id, now=later)
    notes_at()  # now it can: the open integration item must be settled
    assert episode.id in stale_episode_ids(db, organization_id=org.id, now=later)
    refresh_stale(db, organization_id=org.id, now=later)
    assert item(db, episode, f"integration:{episode_dosing(db, episode).id}", "").status == "missed"
