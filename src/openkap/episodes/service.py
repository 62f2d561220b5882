"""Episode use cases: open a course of care, read it, record its moves, list its encounters."""

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.accounts.administration.grants import add_role_removal_check
from openkap.core.audit import chain as audit
from openkap.core.models import Role, User
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.errors import (
    EpisodeNotFound,
    PrescriberNotAllowed,
    PrescriberStillNeeded,
    TransitionRefused,
)
from openkap.episodes.machine import CLOSED
from openkap.episodes.models import Encounter, Episode, EpisodeState, EpisodeTransition
from openkap.patients.models import Patient
from openkap.patients.service import check_clinician


def check_prescriber(session: Session, *, prescriber_id: uuid.UUID | None, by: Principal) -> None:
    """Refuse a course's prescriber who is not an active prescriber of the caller's clinic."""
    if prescriber_id is None:
        return
    user = session.get(User, prescriber_id)
    if user is None or user.organization_id != by.organization_id:
        problem = "is not a user of this clinic"
    elif not user.is_active:
        problem = f"({user.full_name}) is not an active user"
    elif Role.prescriber not in user.roles:
        problem = f"({user.full_name}) does not have the prescriber role"
    else:
        return
    raise PrescriberNotAllowed(
        f"PrescriberNotAllowed: prescriber_id {prescriber_id} {problem}. A course's prescriber "
        "must be an active user of this clinic with the prescriber role.",
        field="prescriber_id",
    )


def _keep_course_prescribers(session: Session, user: User, removed: frozenset[Role]) -> None:
    """Refuse taking the prescriber role from the prescriber of a course that is still open."""
    if Role.prescriber not in removed:
        return
    open_courses = session.scalar(
        select(func.count())
        .select_from(Episode)
        .where(Episode.prescriber_id == user.id, Episode.state.not_in([s.value for s in CLOSED]))
    )
    if open_courses:
        raise PrescriberStillNeeded(
            f"PrescriberStillNeeded: {user.full_name} is the prescriber of {open_courses} open "
            "course(s); name another prescriber on those courses (PUT /api/v1/episodes/{id}/"
            "care-team) before removing the role."
        )


add_role_removal_check(_keep_course_prescribers)


def open_episode(
    session: Session,
    *,
    patient: Patient,
    referral_reason: str,
    referred_by: str | None,
    referred_on: date,
    prescriber_id: uuid.UUID | None,
    therapist_id: uuid.UUID | None,
    by: Principal,
) -> Episode:
    """Open a new course of KAP care for a patient, in the referred state."""
    require(by, Permission.episode_manage, "Your role does not allow opening a course of care.")
    check_prescriber(session, prescriber_id=prescriber_id, by=by)
    check_clinician(session, by=by, clinician_id=therapist_id)
    episode = Episode(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        referral_reason=referral_reason,
        referred_by=referred_by,
        referred_on=referred_on,
        prescriber_id=prescriber_id,
        therapist_id=therapist_id,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(episode)
    session.flush()
    session.add(
        EpisodeTransition(
            organization_id=episode.organization_id,
            episode_id=episode.id,
            from_state="",
            to_state=EpisodeState.referred.value,
            by_id=by.user.id,
            reason=referral_reason[:500],
        )
    )
    audit.record(
        session,
        actor=by.actor,
        action="episode.create",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=patient.id,
    )
    return episode


def change_care_team(
    session: Session,
    *,
    episode: Episode,
    prescriber_id: uuid.UUID | None,
    therapist_id: uuid.UUID | None,
    reason: str,
    by: Principal,
) -> Episode:
    """Name a course's prescriber and therapist anew, with a reason, while the course is open."""
    require(by, Permission.episode_manage, "Your role does not allow changing a course's team.")
    if EpisodeState(episode.state) in CLOSED:
        raise TransitionRefused(
            f"TransitionRefused: the course is {episode.state}; a closed course keeps its team."
        )
    check_prescriber(session, prescriber_id=prescriber_id, by=by)
    check_clinician(session, by=by, clinician_id=therapist_id)
    before = f"prescriber={episode.prescriber_id} therapist={episode.therapist_id}"
    episode.prescriber_id, episode.therapist_id = prescriber_id, therapist_id
    episode.updated_by_id, episode.updated_at = by.user.id, utcnow()
    audit.record(
        session,
        actor=by.actor,
        action="episode.care_team",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=episode.patient_id,
        detail=f"{before} -> prescriber={prescriber_id} therapist={therapist_id}: {reason}"[:500],
    )
    return episode


def get_episode(session: Session, *, episode_id: uuid.UUID, by: Principal) -> Episode:
    """Return an episode of the caller's clinic and audit the read."""
    episode = session.get(Episode, (by.organization_id, episode_id))
    if episode is None:
        raise EpisodeNotFound("No such episode.")
    audit.record(
        session,
        actor=by.actor,
        action="episode.read",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=episode.patient_id,
    )
    return episode


def list_episodes(session: Session, *, patient: Patient) -> list[Episode]:
    """Return a patient's episodes, newest first."""
    return list(
        session.scalars(
            select(Episode)
            .where(Episode.patient_id == patient.id)
            .order_by(Episode.referred_on.desc(), Episode.created_at.desc())
        )
    )


def record_move(
    session: Session, *, episode: Episode, to_state: EpisodeState, reason: str, by: Principal
) -> EpisodeTransition:
    """Move an episode and keep the step; callers check that the move is allowed."""
    from_state = EpisodeState(episode.state)
    if to_state == EpisodeState.on_hold:
        episode.state_before_hold = from_state.value
    elif from_state == EpisodeState.on_hold:
        episode.state_before_hold = None
    episode.state = to_state.value
    episode.updated_by_id, episode.updated_at = by.user.id, utcnow()
    if to_state in CLOSED:
        episode.closed_at = utcnow()
    step = EpisodeTransition(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        from_state=from_state.value,
        to_state=to_state.value,
        by_id=by.user.id,
        reason=reason,
    )
    session.add(step)
    audit.record(
        session,
        actor=by.actor,
        action="episode.transition",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=episode.patient_id,
        detail=f"{from_state.value}->{to_state.value}",
    )
    return step


def list_transitions(session: Session, *, episode: Episode) -> list[EpisodeTransition]:
    """Return an episode's history of moves, oldest first."""
    return list(
        session.scalars(
            select(EpisodeTransition)
            .where(EpisodeTransition.episode_id == episode.id)
            .order_by(EpisodeTransition.at, EpisodeTransition.id)
        )
    )


def list_encounters(session: Session, *, episode: Episode) -> list[Encounter]:
    """Return an episode's encounters in date order."""
    return list(
        session.scalars(
            select(Encounter)
            .where(Encounter.episode_id == episode.id)
            .order_by(Encounter.scheduled_for)
        )
    )
