"""Builders for follow-up tests: a course of care with dosing sessions, moves and scores placed
at constructed times, written straight to the tables so every window can be reached."""

from datetime import datetime, timedelta

from sqlalchemy import select

from openkap.assessments.models import AssessmentResponse
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.models import Episode, EpisodeTransition
from openkap.intake.models import Diagnosis, Intake
from openkap.plans.models import TreatmentPlan
from tests.episodes.builders import planned, screened
from tests.fixtures.factories import make_episode, make_user

DISCHARGE_AFTER = timedelta(hours=2)


def staff(db, org, role: Role) -> Principal:
    return Principal(user=make_user(db, org, role), client_address="test")


def course(db, org, *, state="induction", prescriber=None, therapist=None) -> Episode:
    """An episode with a signed plan, in `state`, with its clinicians."""
    episode = make_episode(db, org, state=state)
    screened(db, episode)
    episode.prescriber_id = prescriber.user.id if prescriber else None
    episode.therapist_id = therapist.user.id if therapist else None
    planned(db, episode)
    db.flush()
    return episode


def _plan(db, episode) -> TreatmentPlan:
    return db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).one()


def session_at(db, episode, at: datetime, *, state=SessionState.discharged) -> DosingSession:
    """A dosing session booked at `at`; discharged ones were dosed at `at`, out 2 hours later."""
    plan = _plan(db, episode)
    dosing = DosingSession(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        plan_id=plan.id,
        plan_version=plan.plan_version,
        route=plan.route,
        drug=plan.drug,
        planned_dose_mg=plan.start_dose_mg,
        state=state.value,
        scheduled_for=at,
    )
    if state == SessionState.discharged:
        dosing.dosing_started_at = at
        dosing.ended_at = at + timedelta(minutes=40)
        dosing.discharged_at = at + DISCHARGE_AFTER
    db.add(dosing)
    db.flush()
    return dosing


def moved(db, episode, to_state: str, at: datetime, *, from_state: str | None = None):
    """Record a move of the episode at a constructed time."""
    step = EpisodeTransition(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        from_state=from_state or episode.state,
        to_state=to_state,
        at=at,
        by_id=None,
    )
    episode.state = to_state
    db.add(step)
    db.flush()
    return step


def scored(db, episode, instrument_id: str, total: int, at: datetime, **fields):
    """A stored questionnaire response with a given total, completed at `at`."""
    response = AssessmentResponse(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        instrument_id=instrument_id,
        instrument_version="1",
        answers=[],
        total=total,
        flags=[],
        scores={"total": total},
        completed_at=at,
        completed_by="patient",
        **fields,
    )
    db.add(response)
    db.flush()
    return response


def diagnosed(db, episode, code: str, label: str = "Diagnosis") -> Diagnosis:
    """Give the episode an intake with one active diagnosis."""
    intake = db.scalars(select(Intake).where(Intake.episode_id == episode.id)).first()
    if intake is None:
        intake = Intake(organization_id=episode.organization_id, episode_id=episode.id)
        db.add(intake)
        db.flush()
    diagnosis = Diagnosis(
        organization_id=episode.organization_id, intake_id=intake.id, code=code, label=label
    )
    db.add(diagnosis)
    db.flush()
    return diagnosis
