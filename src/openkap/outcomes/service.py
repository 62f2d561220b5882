"""Loading a patient's progress: one course of care, its doses and scores, every trajectory.

Outcomes only reads other domains. The loads are bounded and few, whatever the history's length
(a query-count test holds this): the patient, the courses with their dose counts aggregated in
SQL (newest 20), the chosen course's dose times, its intake baselines, and the scores, as three
columns each, capped at MAX_SCORES (a page says so when the cap cuts a history short).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import cast

from sqlalchemy import ColumnElement, Subquery, and_, func, select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.models import Episode, EpisodeState, EpisodeTransition
from openkap.instruments.series import Point, Series
from openkap.instruments.trajectory import Trajectory, trajectory
from openkap.outcomes.errors import CourseNotFound, PatientNotFound
from openkap.patients.models import Patient

MAX_SCORES = 50_000
MAX_DOSES = 10_000
COURSES_SHOWN = 20
MAX_INTAKE_SCORES = 500
# Depression first, then anxiety and PTSD, then anything else by id.
INSTRUMENT_ORDER = ("phq9", "qids_sr16", "madrs", "gad7", "pcl5")


@dataclass(frozen=True, slots=True)
class Course:
    """A course of care (episode) as the progress page lists it."""

    id: uuid.UUID
    referred_on: date
    state: str
    closed_at: datetime | None
    first_dose_at: datetime | None
    dose_count: int


@dataclass(frozen=True)
class Progress:
    """A patient's progress in one course: doses and every instrument's trajectory."""

    patient: Patient
    course: Course | None
    courses: list[Course]
    doses: list[datetime]
    trajectories: list[Trajectory]
    generated_at: datetime
    scores_cut_at: datetime | None

    def trajectory_of(self, instrument_id: str) -> Trajectory | None:
        """Return the trajectory of one instrument, if it has scores in this course."""
        return next((t for t in self.trajectories if t.instrument.id == instrument_id), None)


def _patient(session: Session, *, patient_id: uuid.UUID, by: Principal) -> Patient:
    patient = session.get(Patient, (by.organization_id, patient_id))
    if patient is None:
        raise PatientNotFound("No such patient.")
    return patient


def _doses_by_episode(patient_id: uuid.UUID, organization_id: uuid.UUID) -> Subquery:
    return (
        select(
            DosingSession.episode_id,
            func.min(DosingSession.first_device_at).label("first_dose_at"),
            func.count().label("dose_count"),
        )
        .where(
            DosingSession.organization_id == organization_id,
            DosingSession.patient_id == patient_id,
            DosingSession.state == SessionState.discharged.value,
            DosingSession.first_device_at.is_not(None),
        )
        .group_by(DosingSession.episode_id)
        .subquery()
    )


def _courses(
    session: Session, *, patient: Patient, episode_id: uuid.UUID | None = None
) -> list[Course]:
    """The newest COURSES_SHOWN courses of the patient (or the one named), with dose counts."""
    doses = _doses_by_episode(patient.id, patient.organization_id)
    query = (
        select(
            Episode.id,
            Episode.referred_on,
            Episode.state,
            Episode.closed_at,
            doses.c.first_dose_at,
            func.coalesce(doses.c.dose_count, 0),
        )
        .outerjoin(doses, doses.c.episode_id == Episode.id)
        .where(Episode.patient_id == patient.id)
    )
    if episode_id is not None:
        query = query.where(Episode.id == episode_id)
    newest_first = query.order_by(Episode.referred_on.desc(), Episode.created_at.desc())
    return [Course(*row) for row in session.execute(newest_first.limit(COURSES_SHOWN)).all()]


def _chosen(
    session: Session, *, courses: list[Course], patient: Patient, episode_id: uuid.UUID | None
) -> Course | None:
    if episode_id is None:
        dosed = [course for course in courses if course.dose_count]
        return next(iter(dosed or courses), None)
    found = next((course for course in courses if course.id == episode_id), None)
    if found is not None:
        return found
    # An older course than the newest COURSES_SHOWN: load it on its own.
    older = _courses(session, patient=patient, episode_id=episode_id)
    if not older:
        raise CourseNotFound("No such course of care for this patient.", field="episode_id")
    return older[0]


def _dose_times(session: Session, *, course: Course | None) -> list[datetime]:
    if course is None or not course.dose_count:
        return []
    return list(
        session.scalars(
            select(DosingSession.first_device_at)
            .where(
                DosingSession.episode_id == course.id,
                DosingSession.state == SessionState.discharged.value,
                DosingSession.first_device_at.is_not(None),
            )
            .order_by(DosingSession.first_device_at)
            .limit(MAX_DOSES)
        )
    )


def _active_scores() -> ColumnElement[bool]:
    return and_(AssessmentResponse.status == "active", AssessmentResponse.total.is_not(None))


def _intake_baselines(
    session: Session, *, patient: Patient, course: Course | None
) -> dict[str, Point]:
    """The last score of each instrument recorded in the course before it left intake."""
    if course is None:
        return {}
    left_intake = (
        select(func.min(EpisodeTransition.at))
        .where(
            EpisodeTransition.organization_id == patient.organization_id,
            EpisodeTransition.episode_id == course.id,
            EpisodeTransition.from_state == EpisodeState.intake.value,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            AssessmentResponse.instrument_id,
            AssessmentResponse.total,
            AssessmentResponse.completed_at,
        )
        .where(
            AssessmentResponse.patient_id == patient.id,
            AssessmentResponse.episode_id == course.id,
            _active_scores(),
            AssessmentResponse.completed_at <= left_intake,
        )
        .order_by(AssessmentResponse.completed_at)
        .limit(MAX_INTAKE_SCORES)
    ).all()
    return {row.instrument_id: Point(row.completed_at, row.total) for row in rows}


def _course_start(course: Course, baselines: dict[str, Point]) -> datetime:
    start = datetime.combine(course.referred_on, time(0), tzinfo=UTC)
    return min([start, *(point.at for point in baselines.values())])


def _scores(
    session: Session, *, patient: Patient, course: Course | None, baselines: dict[str, Point]
) -> tuple[dict[str, Series], datetime | None]:
    query = select(
        AssessmentResponse.instrument_id, AssessmentResponse.total, AssessmentResponse.completed_at
    ).where(AssessmentResponse.patient_id == patient.id, _active_scores())
    if course is not None:
        query = query.where(AssessmentResponse.completed_at >= _course_start(course, baselines))
        if course.closed_at is not None:
            query = query.where(AssessmentResponse.completed_at <= course.closed_at)
    ordered = query.order_by(AssessmentResponse.completed_at, AssessmentResponse.id)
    # Streamed in batches into per-instrument lists of plain values: no object per score
    # outlives its batch (see openkap.instruments.series).
    times: dict[str, list[datetime]] = defaultdict(list)
    totals: dict[str, list[int]] = defaultdict(list)
    result = session.execute(ordered.limit(MAX_SCORES + 1).execution_options(yield_per=1000))
    cut_at = None
    for count, (instrument_id, total, completed_at) in enumerate(result):
        if count == MAX_SCORES:
            cut_at = max(moments[-1] for moments in times.values())
            break
        times[instrument_id].append(completed_at)
        # _active_scores() leaves out responses without a total.
        totals[instrument_id].append(cast(int, total))
    result.close()
    return {key: Series(times[key], totals[key]) for key in times}, cut_at


def _order(instrument_id: str) -> tuple[int, str]:
    known = instrument_id in INSTRUMENT_ORDER
    return (
        INSTRUMENT_ORDER.index(instrument_id) if known else len(INSTRUMENT_ORDER),
        instrument_id,
    )


def patient_progress(
    session: Session,
    *,
    patient_id: uuid.UUID,
    by: Principal,
    episode_id: uuid.UUID | None = None,
    purpose: str = "page",
) -> Progress:
    """Load one course of a patient (the newest with doses unless named) and its trajectories."""
    require(by, Permission.clinical_read, "Reading a patient's progress needs a clinical role.")
    patient = _patient(session, patient_id=patient_id, by=by)
    courses = _courses(session, patient=patient)
    course = _chosen(session, courses=courses, patient=patient, episode_id=episode_id)
    doses = _dose_times(session, course=course)
    baselines = _intake_baselines(session, patient=patient, course=course)
    scores, cut_at = _scores(session, patient=patient, course=course, baselines=baselines)
    now = min(utcnow(), course.closed_at) if course and course.closed_at else utcnow()
    trajectories = [
        trajectory(
            instrument_id,
            scores[instrument_id],
            doses=doses,
            now=now,
            intake_baseline=baselines.get(instrument_id),
            with_baseline=course is not None,
        )
        for instrument_id in sorted(scores, key=_order)
    ]
    audit.record(
        session,
        actor=by.actor,
        action="outcomes.progress.read",
        resource_type="patient",
        resource_id=patient.id,
        patient_id=patient.id,
        detail=f"view={purpose} episode={course.id if course else '-'}",
    )
    return Progress(patient, course, courses, doses, trajectories, utcnow(), cut_at)
