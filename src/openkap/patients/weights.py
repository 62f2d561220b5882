"""Weight history: every measurement kept with its date and who recorded it."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import NotFound
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.patients.errors import RecordInError
from openkap.patients.models import Patient, RecordStatus, WeightMeasurement
from openkap.patients.schemas import WeightCreate
from openkap.patients.weight_check import WeightChange, check_weight_change


def record_weight(
    session: Session, *, patient: Patient, data: WeightCreate, by: Principal
) -> WeightMeasurement:
    """Record a patient's weight on a date, refusing an implausible change left unconfirmed."""
    require(by, Permission.weight_write, "Your role does not allow recording a weight.")
    if patient.status == RecordStatus.entered_in_error:
        raise RecordInError("This patient record was marked entered-in-error.")
    change = check_weight_change(
        session,
        patient=patient,
        weight_kg=data.weight_kg,
        measured_on=data.measured_on,
        confirmed=data.confirm_change,
    )
    weight = WeightMeasurement(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        weight_kg=data.weight_kg,
        measured_on=data.measured_on,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    if change is not None:
        weight.change_rules = ",".join(change.rules)
        weight.change_reason = data.change_reason
        weight.change_compared_with_id = change.previous.id
    session.add(weight)
    session.flush()
    _audit_weight(session, weight=weight, change=change, by=by)
    return weight


def _audit_weight(
    session: Session, *, weight: WeightMeasurement, change: WeightChange | None, by: Principal
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action="weight.create",
        resource_type="weight",
        resource_id=weight.id,
        patient_id=weight.patient_id,
    )
    if change is None:
        return
    # The reason stays on the measurement; the audit names the rules and the figures, no text.
    audit.record(
        session,
        actor=by.actor,
        action="weight.change_confirmed",
        resource_type="weight",
        resource_id=weight.id,
        patient_id=weight.patient_id,
        detail=(
            f"rules={weight.change_rules};percent={change.percent};days={change.days};"
            f"compared_with={change.previous.id}"
        ),
    )


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
