"""Stored follow-up schedules: generation, idempotent regeneration, missed windows, done items."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from openkap.dosing.models import SessionState
from openkap.followup.models import DueItem, ItemStatus
from openkap.followup.schedule.regenerate import regenerate_schedule
from openkap.followup.schedule.service import display_status, due_questionnaires, mark_done
from tests.followup.builders import course, diagnosed, moved, scored, session_at

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def items_of(db, episode):
    rows = db.scalars(select(DueItem).where(DueItem.episode_id == episode.id))
    return {(row.anchor, row.instrument_id): row for row in rows}


def test_regenerating_never_duplicates_items(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    first = regenerate_schedule(db, episode_id=episode.id, now=T0 + 3 * H)
    again = regenerate_schedule(db, episode_id=episode.id, now=T0 + 3 * H)
    count = db.scalar(select(func.count()).where(DueItem.episode_id == episode.id))
    # PHQ-9 and GAD-7 at 24 h, day 3-7 and before the session; one integration session.
    assert count == len(first) == len(again) == 7
    assert {row.id for row in first} == {row.id for row in again}


def test_a_new_session_adds_its_items_and_keeps_the_others(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    before = {row.id for row in regenerate_schedule(db, episode_id=episode.id, now=T0)}
    second = session_at(db, episode, T0 + 3 * D)
    after = regenerate_schedule(db, episode_id=episode.id, now=T0 + 3 * D)
    assert before < {row.id for row in after}
    assert {row.dosing_session_id for row in after} >= {second.id}


def test_an_item_whose_window_passed_without_a_response_is_missed(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 20 * H)
    day1 = items_of(db, episode)[("first-dose:24h", "phq9")]
    assert display_status(day1, T0 + 20 * H) == "due"
    assert display_status(day1, T0 + 25 * H) == "overdue"
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 36 * H)
    assert day1.status == ItemStatus.missed


def test_a_response_inside_the_window_makes_the_item_done_even_when_entered_late(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 40 * H)
    day1 = items_of(db, episode)[("first-dose:24h", "phq9")]
    assert day1.status == ItemStatus.missed
    response = scored(db, episode, "phq9", 12, T0 + 30 * H)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 41 * H)
    assert (day1.status, day1.response_id) == (ItemStatus.done, response.id)
    assert items_of(db, episode)[("first-dose:24h", "gad7")].status == ItemStatus.missed


def test_a_response_outside_the_window_does_not_count(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    scored(db, episode, "phq9", 12, T0 + 12 * H)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 40 * H)
    assert items_of(db, episode)[("first-dose:24h", "phq9")].status == ItemStatus.missed


def test_a_done_item_is_never_changed_by_regeneration(db, org, nurse):
    episode = course(db, org)
    booked = session_at(db, episode, T0 + 2 * D, state=SessionState.scheduled)
    regenerate_schedule(db, episode_id=episode.id, now=T0)
    before = items_of(db, episode)[(f"before-session:{booked.id}", "phq9")]
    response = scored(db, episode, "phq9", 14, T0 + 1 * D)
    mark_done(db, due_id=before.id, response_id=response.id, by=nurse)
    booked.scheduled_for = T0 + 9 * D
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 1 * D)
    assert before.status == ItemStatus.done
    assert before.due_at == T0 + 2 * D
    gad7 = items_of(db, episode)[(f"before-session:{booked.id}", "gad7")]
    assert gad7.due_at == T0 + 9 * D  # open items follow the new booking


def test_the_pre_session_item_of_an_aborted_session_is_cancelled(db, org):
    episode = course(db, org)
    booked = session_at(db, episode, T0 + 2 * D, state=SessionState.scheduled)
    regenerate_schedule(db, episode_id=episode.id, now=T0)
    booked.state = SessionState.aborted.value
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 1 * D)
    statuses = {row.status for row in items_of(db, episode).values()}
    assert statuses == {ItemStatus.cancelled}


def test_a_withdrawn_course_cancels_open_items_and_keeps_the_settled_ones(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    scored(db, episode, "phq9", 10, T0 + 24 * H)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 2 * D)
    moved(db, episode, "withdrawn", T0 + 2 * D)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 2 * D)
    items = items_of(db, episode)
    assert items[("first-dose:24h", "phq9")].status == ItemStatus.done
    assert items[("first-dose:24h", "gad7")].status == ItemStatus.missed
    assert items[("first-dose:day3-7", "phq9")].status == ItemStatus.cancelled


def test_weekly_items_appear_once_induction_ends(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    last = session_at(db, episode, T0 + 4 * D)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 5 * D)
    assert not [k for k in items_of(db, episode) if k[0].startswith("after-induction")]
    moved(db, episode, "integration", T0 + 6 * D, from_state="induction")
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 6 * D)
    week1 = items_of(db, episode)[("after-induction:w1", "phq9")]
    assert week1.due_at == last.dosing_started_at + 7 * D


def test_a_ptsd_presentation_adds_the_pcl5(db, org):
    episode = course(db, org)
    diagnosed(db, episode, "F43.12", "Post-traumatic stress disorder, chronic")
    session_at(db, episode, T0)
    regenerate_schedule(db, episode_id=episode.id, now=T0)
    assert {k[1] for k in items_of(db, episode)} == {"phq9", "gad7", "pcl5", ""}


def test_without_a_ptsd_diagnosis_the_pcl5_is_not_asked(db, org):
    episode = course(db, org)
    diagnosed(db, episode, "F33.1", "Major depressive disorder, recurrent, moderate")
    session_at(db, episode, T0)
    regenerate_schedule(db, episode_id=episode.id, now=T0)
    assert "pcl5" not in {k[1] for k in items_of(db, episode)}


@pytest.mark.parametrize(
    ("note_after", "expected"), [(timedelta(hours=48), ItemStatus.done), (None, ItemStatus.missed)]
)
def test_an_integration_session_without_a_note_in_72_hours_is_missed(
    db, org, notes_at, note_after, expected
):
    episode = course(db, org)
    dosing = session_at(db, episode, T0)
    notes_at(*([] if note_after is None else [dosing.discharged_at + note_after]))
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 4 * D)
    assert items_of(db, episode)[(f"integration:{dosing.id}", "")].status == expected


def test_an_integration_note_after_the_window_does_not_count(db, org, notes_at):
    episode = course(db, org)
    dosing = session_at(db, episode, T0)
    notes_at(dosing.discharged_at + 5 * D)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 6 * D)
    assert items_of(db, episode)[(f"integration:{dosing.id}", "")].status == ItemStatus.missed


def test_integration_is_not_flagged_while_the_therapy_domain_cannot_tell(db, org, notes_at):
    episode = course(db, org)
    dosing = session_at(db, episode, T0)
    notes_at(None)
    regenerate_schedule(db, episode_id=episode.id, now=T0 + 6 * D)
    assert items_of(db, episode)[(f"integration:{dosing.id}", "")].status == ItemStatus.open


def test_due_questionnaires_lists_what_the_patient_can_answer_now(db, org):
    episode = course(db, org)
    session_at(db, episode, T0)
    due = due_questionnaires(db, patient_id=episode.patient_id, now=T0 + 25 * H)
    assert sorted((d.instrument_id, d.status, d.reason) for d in due) == [
        ("gad7", "overdue", "24 hours after the first dose"),
        ("phq9", "overdue", "24 hours after the first dose"),
    ]
    assert {d.window_ends_at for d in due} == {T0 + 36 * H}
    assert due_questionnaires(db, patient_id=episode.patient_id, now=T0 + 40 * H) == []
    later = due_questionnaires(db, patient_id=episode.patient_id, now=T0 + 4 * D)
    assert {d.status for d in later} == {"due"}
