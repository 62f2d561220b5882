"""Weight history: every measurement kept with its date and who recorded it."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal, require
from openkap.core import audit
from openkap.core.errors import NotFound
from openkap.core.permissions import Permission
from openkap.core.time import utcnow
from openkap.patients.errors import RecordInError
from openkap.patients.models import Patient, RecordStatus, WeightMeasurement
from openkap.patients.schemas import WeightCreate


def record_weight(
    session: Session, *, patient: Patient, data: WeightCreate, by: Principal
) -> WeightMeasurement:
    """Record a patient's weight on a date."""
    require(by, Permission.weight_write, "Your role does not allow recording a weight.")
    if patient.status == RecordStatus.entered_in_error:
        raise RecordInError("This patient record was marked entered-in-error.")
    weight = WeightMeasurement(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        weight_kg=data.weight_kg,
        measured_on=data.measured_on,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(weight)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="weight.create",
        resource_type="weight",
        resource_id=weight.id,
        patient_id=patient.id,
    )
    return weight


def list_weights(session: Session, *, patient: Patient, by: Principal) -> list[WeightMeasurement]:
    """Return a patient's weights, newest first, and audit the read."""
    weights = list(
        session.scalars(
            select(WeightMeasurement)
            .where(WeightMeasurement.patient_id == patient.id)
            .order_by(WeightMeasurement.measured_on.desc(), WeightMeasurement.created_at.desc())
            .limit(500)
        )
    )
    audit.record(
        session,
        actor=by.actor,
        action="weight.list",
        resource_type="weight",
        patient_id=patient.id,
        detail=f"count={len(weights)}",
    )
    return weights


def mark_weight_in_error(
    session: Session, *, patient: Patient, weight_id: uuid.UUID, reason: str, by: Principal
) -> WeightMeasurement:
    """Retire a wrong weight, keeping it visible with the reason."""
    require(by, Permission.weight_write, "Your role does not allow correcting a weight.")
    weight = session.get(WeightMeasurement, (patient.organization_id, weight_id))
    if weight is None or weight.patient_id != patient.id:
        raise NotFound("No such weight measurement for this patient.")
    if weight.status == RecordStatus.entered_in_error:
        raise RecordInError("This weight is already marked entered-in-error.")
    weight.status, weight.error_reason = RecordStatus.entered_in_error.value, reason
    weight.updated_by_id, weight.updated_at = by.user.id, utcnow()
    audit.record(
        session,
        actor=by.actor,
        action="weight.entered_in_error",
        resource_type="weight",
        resource_id=weight.id,
        patient_id=patient.id,
    )
    return weight
