"""The task inbox per clinician and per role: what each sees, counts, links and pages."""

from datetime import UTC, datetime, timedelta

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.dosing.models import SessionAlert, VitalSigns
from openkap.followup.alerts.service import acknowledge_urgent_alert, raise_urgent_alert
from openkap.followup.errors import InvalidFollowupInput
from openkap.followup.models import RiskLevel
from openkap.followup.reviews.relapse import evaluate_relapse
from openkap.followup.tasks.service import Category, View, inbox
from openkap.therapy.models import NoteType
from tests.followup.builders import course, scored, session_at, staff
from tests.therapy.builders import draft

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=25)  # the 24-hour questionnaires are overdue
D = timedelta(days=1)


def dosing_alert(db, dosing, by):
    reading = VitalSigns(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        client_reading_id="low",
        measured_at=T0,
        spo2=89,
        recorded_by_id=by.user.id,
    )
    db.add(reading)
    db.flush()
    alert = SessionAlert(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        vital_signs_id=reading.id,
        kind="low_spo2",
        value=89,
        threshold=92,
        message="SpO2 89 % is below 92 %",
    )
    db.add(alert)
    db.flush()
    return alert


@pytest.fixture
def clinic(db, org, prescriber, therapist, nurse):
    """Two courses: the prescriber's (with a relapse, an alert of each kind) and a colleague's."""
    mine = course(db, org, prescriber=prescriber, therapist=therapist)
    dosing = session_at(db, mine, T0)
    scored(db, mine, "phq9", 20, T0 - 2 * D)
    scored(db, mine, "phq9", 8, T0 + timedelta(hours=6))  # a rapid response
    other = course(db, org, prescriber=staff(db, org, Role.prescriber))
    session_at(db, other, T0)
    alert = dosing_alert(db, dosing, nurse)
    urgent = raise_urgent_alert(
        db,
        patient_id=mine.patient_id,
        episode_id=mine.id,
        kind="suicide_risk",
        message="PHQ-9 item 9 answered 1.",
        evidence={},
        by=nurse,
    )
    return {"mine": mine, "other": other, "dosing_alert": alert, "urgent": urgent}


def test_a_prescriber_sees_their_own_courses_tasks(db, prescriber, clinic):
    box = inbox(db, by=prescriber, now=NOW)
    assert box.view == View.mine
    assert box.counts[Category.urgent_alerts] == 1
    assert box.counts[Category.dosing_alerts] == 1
    assert box.counts[Category.questionnaires] == 2  # PHQ-9 and GAD-7 of their patient only
    assert Category.rems_forms not in box.counts  # a role task, not anybody's own
    assert box.category == Category.urgent_alerts  # the most urgent non-empty category first
    [task] = box.items
    assert task.link == f"/urgent-alerts/{clinic['urgent'].id}"


def test_overdue_questionnaires_link_to_the_follow_up_page(db, prescriber, clinic):
    box = inbox(db, by=prescriber, now=NOW, category=Category.questionnaires)
    assert {t.status for t in box.items} == {"overdue"}
    assert {t.link for t in box.items} == {f"/episodes/{clinic['mine'].id}/follow-up"}
    assert {t.title for t in box.items} == {
        "PHQ-9: 24 hours after the first dose",
        "GAD-7: 24 hours after the first dose",
    }


def test_the_role_view_shows_the_whole_clinic(db, prescriber, clinic):
    box = inbox(db, by=prescriber, now=NOW, view=View.role, category=Category.questionnaires)
    assert box.total == 4
    assert box.counts[Category.rems_forms] == 0


def test_front_desk_sees_questionnaire_reminders_only(db, front_desk, clinic):
    box = inbox(db, by=front_desk, now=NOW)
    assert box.view == View.role
    assert list(box.counts) == [Category.questionnaires]
    assert box.total == 4
    patients = {clinic["mine"].patient_id, clinic["other"].patient_id}
    assert {t.link for t in box.items} == {f"/patients/{p}" for p in patients}
    with pytest.raises(InvalidFollowupInput):
        inbox(db, by=front_desk, now=NOW, category=Category.urgent_alerts)


def test_a_nurse_sees_dosing_alerts_but_not_urgent_alerts_for_the_on_call_prescriber(
    db, nurse, clinic
):
    box = inbox(db, by=nurse, now=NOW, view=View.role, category=Category.dosing_alerts)
    assert box.counts[Category.urgent_alerts] == 0
    [task] = box.items
    assert (task.title, task.link) == (
        "SpO2 89 % is below 92 %",
        f"/dosing-sessions/{clinic['dosing_alert'].session_id}",
    )


def test_a_therapist_sees_their_courses_but_no_dosing_alerts(db, therapist, clinic):
    box = inbox(db, by=therapist, now=NOW)
    assert Category.dosing_alerts not in box.counts
    assert box.counts[Category.questionnaires] == 2
    assert box.counts[Category.urgent_alerts] == 0  # assigned to the prescriber


def test_missed_integration_and_reviews_appear_for_the_course_clinicians(
    db, therapist, nurse, clinic
):
    mine = clinic["mine"]
    scored(db, mine, "phq9", 9, T0 + 2 * D)
    scored(db, mine, "phq9", 15, T0 + 4 * D)
    scored(db, mine, "phq9", 16, T0 + 11 * D)  # the loss confirmed a week later: relapse
    review = evaluate_relapse(db, episode_id=mine.id, by=nurse)
    box = inbox(db, by=therapist, now=T0 + 12 * D, category=Category.missed_integration)
    assert box.counts[Category.reviews] == 1
    [missed] = box.items
    assert missed.link.startswith(f"/episodes/{mine.id}/follow-up#item-")
    reviews = inbox(db, by=therapist, now=T0 + 12 * D, category=Category.reviews)
    assert [t.link for t in reviews.items] == [f"/reviews/{review.id}"]


def test_unsigned_notes_are_the_authors_own_or_the_clinics(db, org, therapist, clinic):
    draft(db, clinic["mine"], therapist, note_type=NoteType.integration)
    colleague = staff(db, org, Role.therapist)
    draft(db, clinic["other"], colleague, note_type=NoteType.integration)
    draft(db, clinic["other"], colleague, note_type=NoteType.psychotherapy_process)
    mine = inbox(db, by=therapist, now=NOW, category=Category.unsigned_notes)
    assert mine.total == 1
    assert mine.items[0].link.startswith("/notes/")
    clinic_wide = inbox(db, by=therapist, now=NOW, view=View.role, category=Category.unsigned_notes)
    assert clinic_wide.total == 2  # never someone else's process note


def test_the_inbox_is_paginated(db, front_desk, clinic):
    first = inbox(db, by=front_desk, now=NOW, limit=3)
    assert (len(first.items), first.next_offset) == (3, 3)
    rest = inbox(db, by=front_desk, now=NOW, limit=3, offset=3)
    assert (len(rest.items), rest.next_offset, rest.previous_offset) == (1, None, 0)
    with pytest.raises(InvalidFollowupInput):
        inbox(db, by=front_desk, now=NOW, limit=500)


def test_an_acknowledged_alert_leaves_the_inbox(db, prescriber, clinic):
    acknowledge_urgent_alert(
        db,
        alert_id=clinic["urgent"].id,
        action_taken="Phoned; safe; plan reviewed.",
        risk_level=RiskLevel.low,
        safety_plan_reviewed=True,
        by=prescriber,
    )
    assert inbox(db, by=prescriber, now=NOW).counts[Category.urgent_alerts] == 0


def test_roles_without_tasks_have_no_inbox(db, admin, clinic):
    with pytest.raises(Forbidden):
        inbox(db, by=admin, now=NOW)
