"""Preparation records of an episode: PDMP check, urine drug screen, escort plan, and the
preparation sessions with the therapist (intentions, education, set and setting)."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.models import Encounter, EncounterKind, EncounterStatus, Episode
from openkap.plans.access import CLINICAL_ROLES, clinic_user, require_open
from openkap.plans.errors import (
    PreparationCheckNotFound,
    PreparationSessionNotFound,
    RecordNotActive,
    SessionNotPlanned,
    UnknownClinician,
)
from openkap.plans.models import PreparationCheck
from openkap.plans.preparation.schemas import (
    CheckKind,
    PreparationCheckCreate,
    PreparationSessionComplete,
)

_DENIED = "Your role does not allow recording preparation."


def _findings(data: PreparationCheckCreate) -> dict[str, object]:
    if data.kind == CheckKind.urine_drug_screen:
        return {"substances": list(data.substances)}
    if data.kind == CheckKind.escort_plan:
        return {
            "escort_name": data.escort_name,
            "escort_phone": data.escort_phone,
            "relationship": data.relationship,
        }
    return {}


def record_check(
    session: Session,
    *,
    episode: Episode,
    data: PreparationCheckCreate,
    by: Principal,
) -> PreparationCheck:
    """Record a PDMP check, a urine drug screen or the escort plan of an episode."""
    require(by, Permission.preparation_record, _DENIED)
    require_open(episode)
    check = PreparationCheck(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        kind=data.kind.value,
        performed_on=data.performed_on,
        result=data.result or "",
        details=data.details or "",
        findings=_findings(data),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(check)
    session.flush()
    _audit(session, episode=episode, action="preparation_check.create", record_id=check.id, by=by)
    return check


def get_check(session: Session, *, check_id: uuid.UUID, by: Principal) -> PreparationCheck:
    """Return a preparation record of the caller's clinic."""
    check = session.get(PreparationCheck, (by.organization_id, check_id))
    if check is None:
        raise PreparationCheckNotFound("No such preparation record.")
    return check


def mark_check_in_error(
    session: Session, *, check: PreparationCheck, reason: str, by: Principal
) -> PreparationCheck:
    """Retire a wrong preparation record, keeping it with the reason."""
    require(by, Permission.preparation_record, _DENIED)
    if check.status != "active":
        raise RecordNotActive("This record is already marked entered-in-error.")
    check.status, check.error_reason = "entered-in-error", reason
    check.updated_by_id, check.updated_at = by.user.id, utcnow()
    episode = _episode(session, check.organization_id, check.episode_id)
    _audit(
        session,
        episode=episode,
        action="preparation_check.entered_in_error",
        record_id=check.id,
        by=by,
    )
    return check


def list_checks(session: Session, *, episode: Episode) -> list[PreparationCheck]:
    """Return an episode's preparation records, newest first."""
    return list(
        session.scalars(
            select(PreparationCheck)
            .where(PreparationCheck.episode_id == episode.id)
            .order_by(PreparationCheck.performed_on.desc(), PreparationCheck.created_at.desc())
        )
    )


def schedule_session(
    session: Session,
    *,
    episode: Episode,
    scheduled_for: datetime,
    clinician_id: uuid.UUID | None,
    by: Principal,
) -> Encounter:
    """Schedule a preparation session with a clinician (the episode's therapist by default)."""
    require(by, Permission.preparation_record, _DENIED)
    require_open(episode)
    chosen = clinician_id or episode.therapist_id
    if (
        chosen is not None
        and clinic_user(session, user_id=chosen, by=by, roles=CLINICAL_ROLES) is None
    ):
        raise UnknownClinician(
            "The clinician must be an active clinician of this clinic.", field="clinician_id"
        )
    encounter = Encounter(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        kind=EncounterKind.preparation.value,
        scheduled_for=scheduled_for,
        clinician_id=chosen,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(encounter)
    session.flush()
    _audit(
        session, episode=episode, action="preparation_session.create", record_id=encounter.id, by=by
    )
    return encounter


def get_session(session: Session, *, encounter_id: uuid.UUID, by: Principal) -> Encounter:
    """Return a preparation session of the caller's clinic."""
    encounter = session.get(Encounter, (by.organization_id, encounter_id))
    if encounter is None or encounter.kind != EncounterKind.preparation.value:
        raise PreparationSessionNotFound("No such preparation session.")
    return encounter


def complete_session(
    session: Session, *, encounter: Encounter, data: PreparationSessionComplete, by: Principal
) -> Encounter:
    """Record what a held preparation session covered."""
    require(by, Permission.preparation_record, _DENIED)
    _require_planned(encounter)
    encounter.status = EncounterStatus.completed.value
    encounter.intentions, encounter.education_given = data.intentions, data.education_given
    encounter.set_and_setting, encounter.summary = data.set_and_setting, data.summary
    encounter.updated_by_id, encounter.updated_at = by.user.id, utcnow()
    episode = _episode(session, encounter.organization_id, encounter.episode_id)
    _audit(
        session,
        episode=episode,
        action="preparation_session.complete",
        record_id=encounter.id,
        by=by,
    )
    return encounter


def cancel_session(
    session: Session, *, encounter: Encounter, reason: str, by: Principal
) -> Encounter:
    """Cancel a planned preparation session; the reason is kept as its summary."""
    require(by, Permission.preparation_record, _DENIED)
    _require_planned(encounter)
    encounter.status = EncounterStatus.cancelled.value
    encounter.summary = f"Cancelled: {reason}"
    encounter.updated_by_id, encounter.updated_at = by.user.id, utcnow()
    episode = _episode(session, encounter.organization_id, encounter.episode_id)
    _audit(
        session,
        episode=episode,
        action="preparation_session.cancel",
        record_id=encounter.id,
        by=by,
    )
    return encounter


def list_sessions(session: Session, *, episode: Episode) -> list[Encounter]:
    """Return an episode's preparation sessions in date order."""
    return list(
        session.scalars(
            select(Encounter)
            .where(
                Encounter.episode_id == episode.id,
                Encounter.kind == EncounterKind.preparation.value,
            )
            .order_by(Encounter.scheduled_for)
        )
    )


def _require_planned(encounter: Encounter) -> None:
    if encounter.status != EncounterStatus.planned.value:
        raise SessionNotPlanned(f"This preparation session is already {encounter.status}.")


def _episode(session: Session, organization_id: uuid.UUID, episode_id: uuid.UUID) -> Episode:
    episode = session.get(Episode, (organization_id, episode_id))
    assert episode is not None
    return episode


def _audit(
    session: Session, *, episode: Episode, action: str, record_id: uuid.UUID, by: Principal
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="preparation",
        resource_id=record_id,
        patient_id=episode.patient_id,
    )
