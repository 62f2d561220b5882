"""Esketamine REMS enrolment: recorded once per patient before the first dose."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.plans import readiness
from openkap.plans.access import require_open
from openkap.plans.errors import AlreadyEnrolled, RecordNotActive, RemsEnrolmentNotFound
from openkap.plans.models import RemsEnrollment
from openkap.plans.preparation.schemas import RemsEnrolmentCreate


def record_enrolment(
    session: Session, *, episode: Episode, data: RemsEnrolmentCreate, by: Principal
) -> RemsEnrollment:
    """Record the patient's esketamine REMS enrolment."""
    require(by, Permission.rems_record, "Your role does not allow recording REMS enrolment.")
    require_open(episode)
    if readiness.rems_enrolment(session, patient_id=episode.patient_id) is not None:
        raise AlreadyEnrolled(
            "This patient's REMS enrolment is already recorded; mark it entered-in-error "
            "first if it is wrong."
        )
    enrolment = RemsEnrollment(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        rems_patient_id=data.rems_patient_id,
        enrolled_on=data.enrolled_on,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(enrolment)
    session.flush()
    _audit(session, enrolment=enrolment, action="rems_enrolment.create", by=by)
    return enrolment


def get_enrolment(session: Session, *, enrolment_id: uuid.UUID, by: Principal) -> RemsEnrollment:
    """Return a REMS enrolment of the caller's clinic."""
    enrolment = session.get(RemsEnrollment, (by.organization_id, enrolment_id))
    if enrolment is None:
        raise RemsEnrolmentNotFound("No such REMS enrolment.")
    return enrolment


def mark_enrolment_in_error(
    session: Session, *, enrolment: RemsEnrollment, reason: str, by: Principal
) -> RemsEnrollment:
    """Retire a wrongly recorded enrolment, keeping it with the reason."""
    require(by, Permission.rems_record, "Your role does not allow recording REMS enrolment.")
    if enrolment.status != "active":
        raise RecordNotActive("This enrolment is already marked entered-in-error.")
    enrolment.status, enrolment.error_reason = "entered-in-error", reason
    enrolment.updated_by_id, enrolment.updated_at = by.user.id, utcnow()
    _audit(session, enrolment=enrolment, action="rems_enrolment.entered_in_error", by=by)
    return enrolment


def list_enrolments(session: Session, *, patient_id: uuid.UUID) -> list[RemsEnrollment]:
    """Return every REMS enrolment recorded for a patient, newest first."""
    return list(
        session.scalars(
            select(RemsEnrollment)
            .where(RemsEnrollment.patient_id == patient_id)
            .order_by(RemsEnrollment.created_at.desc())
        )
    )


def _audit(session: Session, *, enrolment: RemsEnrollment, action: str, by: Principal) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=action,
        resource_type="rems_enrolment",
        resource_id=enrolment.id,
        patient_id=enrolment.patient_id,
    )
