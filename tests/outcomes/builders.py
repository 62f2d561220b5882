"""Builders for outcome tests: a course with discharged doses at chosen times, and scores.

`dosed_course` gives an episode a signed plan (through tests/dosing builders) and then writes its
discharged sessions straight into the table: the progress calculations read only the session's
state and first-device time, and hundreds of doses through the chair-side services would take
minutes. Scores go through the assessments service (`scored`), with answers that add up to the
wanted total, or straight into the table (`bulk_scores`) where a test needs thousands.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from openkap.assessments import service as assessments
from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import CompletedBy
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.models import Episode, EpisodeTransition
from openkap.instruments import get_instrument
from openkap.patients.models import Patient
from openkap.plans.models import TreatmentPlan
from tests.dosing.builders_administration import dosable_episode

# Day 0 of the worked examples: the first dose, a Monday morning.
DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    """Return the moment n days after DAY0 (negative: before it)."""
    return DAY0 + timedelta(days=n)


def answers_for(instrument_id: str, total: int) -> list[int]:
    """Answers of every item adding up to `total`, filling items in order (safety items last)."""
    instrument = get_instrument(instrument_id)
    summed = [item for item in instrument.items if item.summed]
    order = [i for i in summed if not i.safety] + [i for i in summed if i.safety]
    values = {item.number: item.min_value for item in instrument.items}
    left = total - sum(values[item.number] for item in summed)
    for item in order:
        step = min(left, item.max_value - values[item.number])
        values[item.number] += step
        left -= step
    assert left == 0, f"{instrument_id} cannot total {total}"
    return [values[item.number] for item in instrument.items]


def dosed_course(db, org, dose_times: list[datetime]) -> Episode:
    """A course (and its new patient) with one discharged session at each of `dose_times`."""
    episode = dosable_episode(db, org)
    add_doses(db, episode, dose_times)
    return episode


def add_doses(db, episode: Episode, dose_times: list[datetime], *, state: str = "discharged"):
    """Write sessions of the episode, dosed at the given times, in `state`."""
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).first()
    for moment in dose_times:
        db.add(
            DosingSession(
                organization_id=episode.organization_id,
                episode_id=episode.id,
                patient_id=episode.patient_id,
                plan_id=plan.id,
                plan_version=plan.plan_version,
                route="iv",
                drug="racemic_ketamine",
                planned_dose_mg=Decimal("35"),
                state=state,
                scheduled_for=moment,
                dosing_started_at=moment,
                first_device_at=moment if state != SessionState.aborted.value else None,
                ended_at=moment + timedelta(minutes=40),
                discharged_at=moment + timedelta(hours=2),
            )
        )
    db.flush()


def scored(
    db,
    patient: Patient,
    episode: Episode | None,
    by: Principal,
    instrument_id: str,
    series: list[tuple[datetime, int]],
) -> list[AssessmentResponse]:
    """Record a series of (moment, total) through the assessments service."""
    return [
        assessments.record_response(
            db,
            patient=patient,
            episode=episode,
            instrument_id=instrument_id,
            answers=answers_for(instrument_id, total),
            completed_by=CompletedBy.patient,
            completed_at=moment,
            by=by,
        )
        for moment, total in series
    ]


def bulk_scores(
    db, episode: Episode, instrument_id: str, series: list[tuple[datetime, int]]
) -> None:
    """Write many (moment, total) scores straight into the table, as a long history."""
    db.add_all(
        AssessmentResponse(
            organization_id=episode.organization_id,
            patient_id=episode.patient_id,
            episode_id=episode.id,
            instrument_id=instrument_id,
            instrument_version="1",
            answers=[],
            total=total,
            scores={},
            completed_at=moment,
            completed_by="patient",
        )
        for moment, total in series
    )
    db.flush()


def left_intake(db, episode: Episode, at: datetime) -> None:
    """Record that the episode moved from intake to screening at `at`."""
    db.add(
        EpisodeTransition(
            organization_id=episode.organization_id,
            episode_id=episode.id,
            from_state="intake",
            to_state="screening",
            at=at,
        )
    )
    db.flush()


def patient_of(db, episode: Episode) -> Patient:
    return db.get(Patient, (episode.organization_id, episode.patient_id))
