"""Dosing-session lifecycle: scheduling, check-in, moves allowed and refused, roles."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.administration import service as administration
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.errors import InvalidSessionInput, SessionStateRefused
from openkap.dosing.models import AdministrationStatus, SessionState
from openkap.dosing.sessions import service
from openkap.episodes.models import EpisodeTransition
from openkap.followup.errors import MaintenanceNotAllowed
from openkap.followup.reviews.maintenance import approve_maintenance
from openkap.plans.models import PlannedSession, TreatmentPlan
from tests.dosing.builders import (
    as_role,
    checked_in,
    dosing_started,
    ready_episode,
    scheduled,
)
from tests.dosing.builders_administration import administered_session, dosable_episode


def test_front_desk_schedules_against_the_signed_plan(db, org):
    episode = ready_episode(db, org)
    dosing = scheduled(db, episode, as_role(db, org, Role.front_desk))
    assert dosing.state == SessionState.scheduled
    assert dosing.plan_version == 1
    assert dosing.planned_dose_mg == Decimal("35")


@pytest.mark.parametrize("state", ["preparing", "integration", "completed"])
def test_scheduling_outside_ready_induction_maintenance_is_refused(db, org, nurse, state):
    episode = ready_episode(db, org, state=state)
    with pytest.raises(SessionStateRefused, match="ready, induction or maintenance"):
        scheduled(db, episode, nurse)


def test_scheduling_against_an_unsigned_plan_is_refused(db, org, nurse):
    episode = ready_episode(db, org, signed=False)
    with pytest.raises(SessionStateRefused, match="signed"):
        scheduled(db, episode, nurse)


def _titrated(db, episode, *doses):
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).one()
    for number, dose in enumerate(doses, start=1):
        db.add(
            PlannedSession(
                organization_id=plan.organization_id,
                plan_id=plan.id,
                sequence=number,
                kind="dosing",
                planned_on=plan.start_on,
                dose_mg=Decimal(dose),
            )
        )
    db.flush()


def test_each_session_takes_the_plans_order_for_its_number(db, org, nurse):
    episode = ready_episode(db, org)
    _titrated(db, episode, "35", "40", "52")
    first, second = scheduled(db, episode, nurse), scheduled(db, episode, nurse)
    service.abort(db, dosing=second, reason="Patient unwell, rebooked.", by=nurse)
    again, third, fourth = (scheduled(db, episode, nurse) for _ in range(3))
    numbers = [(d.session_number, d.planned_dose_mg) for d in (first, again, third, fourth)]
    # A session aborted before its dose keeps no number; after the plan's last slot, its dose.
    assert numbers == [(1, 35), (2, 40), (3, 52), (4, 52)]
    assert (first.order_infusion_minutes, first.order_concentration_mg_per_ml) == (40, None)


def test_front_desk_schedules_at_the_order_and_cannot_choose_a_dose(db, org):
    front_desk = as_role(db, org, Role.front_desk)
    dosing = scheduled(db, ready_episode(db, org), front_desk)
    assert dosing.planned_dose_mg == Decimal(35)


@pytest.mark.parametrize("role", [Role.therapist, Role.admin])
def test_roles_other_than_front_desk_nurse_prescriber_cannot_schedule(db, org, role):
    episode = ready_episode(db, org)
    with pytest.raises(Forbidden):
        scheduled(db, episode, as_role(db, org, role))


def test_check_in_twice_is_refused(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    assert dosing.checked_in_at is not None
    with pytest.raises(SessionStateRefused):
        service.check_in(db, dosing=dosing, by=nurse)


def test_first_checklist_answer_moves_the_session_to_pre_dose_checks(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    pre_dose.record_checklist(
        db, dosing=dosing, key=pre_dose.ChecklistKey.fasting, value="yes", by=nurse
    )
    assert dosing.state == SessionState.pre_dose_checks


def test_front_desk_cannot_record_the_checklist(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    with pytest.raises(Forbidden):
        pre_dose.record_checklist(
            db,
            dosing=dosing,
            key=pre_dose.ChecklistKey.fasting,
            value="yes",
            by=as_role(db, org, Role.front_desk),
        )


def test_first_dose_moves_a_ready_episode_to_induction(db, org, nurse):
    episode = ready_episode(db, org)
    dosing = dosing_started(db, episode, nurse)
    assert dosing.state == SessionState.dosing
    assert episode.state == "induction"
    moves = db.scalars(
        select(EpisodeTransition).where(EpisodeTransition.episode_id == episode.id)
    ).all()
    assert [(m.from_state, m.to_state) for m in moves] == [("ready", "induction")]


def _approve_maintenance(db, org, episode, sessions=6):
    approve_maintenance(
        db,
        episode_id=episode.id,
        sessions_approved=sessions,
        starts_on=utcnow().date(),
        ends_on=utcnow().date() + timedelta(days=90),
        reason="Responded to induction; monthly maintenance.",
        by=as_role(db, org, Role.prescriber),
    )


def test_a_maintenance_episode_stays_in_maintenance_when_dosing(db, org, nurse):
    episode = ready_episode(db, org, state="maintenance")
    _approve_maintenance(db, org, episode)
    dosing_started(db, episode, nurse)
    assert episode.state == "maintenance"


def test_maintenance_dosing_needs_an_approved_course_with_sessions_left(db, org, nurse):
    episode = ready_episode(db, org, state="maintenance")
    with pytest.raises(MaintenanceNotAllowed):
        scheduled(db, episode, nurse)
    _approve_maintenance(db, org, episode, sessions=1)
    scheduled(db, episode, nurse)
    with pytest.raises(MaintenanceNotAllowed, match="All 1 approved maintenance sessions"):
        scheduled(db, episode, nurse)


def test_finishing_administration_before_dosing_is_refused(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    with pytest.raises(SessionStateRefused, match="dosing"):
        leaving.finish_administration(db, dosing=dosing, by=nurse)


def test_abort_keeps_the_reason_and_ends_the_session(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    service.abort(db, dosing=dosing, reason="Patient felt unwell on arrival.", by=nurse)
    assert dosing.state == SessionState.aborted
    assert dosing.aborted_reason == "Patient felt unwell on arrival."
    with pytest.raises(SessionStateRefused):
        service.abort(db, dosing=dosing, reason="Second attempt to abort.", by=nurse)


def test_abort_without_a_written_reason_is_refused(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput) as refused:
        service.abort(db, dosing=dosing, reason="short", by=nurse)
    assert refused.value.field == "reason"


def test_reads_and_writes_are_audited_with_the_patient(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    service.get_session(db, session_id=dosing.id, by=nurse)
    # Events are written at commit; until then the session holds them in order.
    actions = {
        event["action"]
        for event in db.info["pending_audit_events"]
        if event["resource_id"] == str(dosing.id) and event["patient_id"] == dosing.patient_id
    }
    assert {"dosing_session.create", "dosing_session.check_in", "dosing_session.read"} <= actions


def test_abort_during_an_infusion_also_stops_the_infusion_with_the_reason(db, org, nurse):
    dosing = administered_session(db, dosable_episode(db, org), nurse)
    reason = "Patient asked to stop: overwhelming anxiety despite reassurance."
    service.abort(db, dosing=dosing, reason=reason, by=nurse)
    given = administration.get_administration(db, dosing=dosing)
    assert given is not None
    assert given.status == AdministrationStatus.stopped.value
    assert (given.stopped_at, given.stop_reason) == (dosing.ended_at, reason)
