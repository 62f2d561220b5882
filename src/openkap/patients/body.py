"""Height and body-mass index: recorded on the patient, shown beside the weights."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.patients.errors import RecordInError
from openkap.patients.models import Patient, RecordStatus
from openkap.patients.schemas import HeightSet
from openkap.patients.service import keep_revision

# Those who weigh the patient, and those who take the intake where height is asked.
HEIGHT_WRITERS = (Permission.weight_write, Permission.intake_write)


def bmi(weight_kg: Decimal | None, height_cm: Decimal | None) -> Decimal | None:
    """Return kg/m² to one decimal (half-up), or None without both measures."""
    if weight_kg is None or not height_cm:
        return None
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def record_height(session: Session, *, patient: Patient, data: HeightSet, by: Principal) -> Patient:
    """Record the patient's height; the record's revisions keep every earlier value."""
    if not any(allows(by.roles, permission) for permission in HEIGHT_WRITERS):
        raise Forbidden("Your role does not allow recording a height.")
    if patient.status == RecordStatus.entered_in_error:
        raise RecordInError("This patient record was marked entered-in-error.")
    if patient.height_cm is not None and Decimal(patient.height_cm) == data.height_cm:
        return patient
    patient.height_cm = data.height_cm
    patient.updated_by_id, patient.updated_at = by.user.id, utcnow()
    keep_revision(session, patient=patient, by=by)
    audit.record(
        session,
        actor=by.actor,
        action="patient.height",
        resource_type="patient",
        resource_id=patient.id,
        patient_id=patient.id,
    )
    return patient
