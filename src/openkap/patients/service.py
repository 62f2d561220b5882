"""Patient registry use cases. Every read and write of patient data is audited."""

import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.models import Role, User
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.patients.errors import (
    MrnTaken,
    PatientNotFound,
    RecordInError,
    RequiredFieldCleared,
    UnknownClinician,
    VersionMismatch,
)
from openkap.patients.models import Patient, PatientRevision, RecordStatus
from openkap.patients.schemas import PatientCreate, PatientRead, PatientUpdate

_SNAPSHOT_EXCLUDE = {"created_at", "updated_at"}
_REQUIRED_FIELDS = {"mrn", "family_name", "given_name", "birth_date", "sex_at_birth"}


def index_names(patient: Patient) -> None:
    parts = [patient.family_name, patient.given_name, patient.preferred_name or ""]
    patient.sort_name = f"{patient.family_name} {patient.given_name}".lower()
    patient.search_text = " ".join(p for p in parts if p).lower()


def _snapshot(patient: Patient) -> dict[str, Any]:
    data = PatientRead.model_validate(patient).model_dump(mode="json")
    return {key: value for key, value in data.items() if key not in _SNAPSHOT_EXCLUDE}


def keep_revision(session: Session, *, patient: Patient, by: Principal) -> None:
    session.flush()
    session.add(
        PatientRevision(
            organization_id=patient.organization_id,
            patient_id=patient.id,
            version=patient.version,
            changed_by_id=by.user.id,
            snapshot=_snapshot(patient),
        )
    )


def check_clinician(session: Session, *, by: Principal, clinician_id: uuid.UUID | None) -> None:
    """Refuse a clinician id that is not a user of the caller's clinic."""
    if clinician_id is None:
        return
    clinician = session.get(User, clinician_id)
    if clinician is None or clinician.organization_id != by.organization_id:
        raise UnknownClinician(
            "The primary clinician is not a user of this clinic.", field="primary_clinician_id"
        )


def _mrn_in_use(session: Session, *, mrn: str, except_id: uuid.UUID | None = None) -> bool:
    query = select(Patient.id).where(Patient.mrn == mrn)
    if except_id is not None:
        query = query.where(Patient.id != except_id)
    return session.scalars(query).first() is not None


def _new_mrn(session: Session) -> str:
    while True:
        candidate = f"K{secrets.randbelow(10**7):07d}"
        if not _mrn_in_use(session, mrn=candidate):
            return candidate


def create_patient(session: Session, *, data: PatientCreate, by: Principal) -> Patient:
    """Register a new patient in the caller's clinic."""
    check_clinician(session, by=by, clinician_id=data.primary_clinician_id)
    if data.mrn and _mrn_in_use(session, mrn=data.mrn):
        raise MrnTaken(f"MRN {data.mrn} is already used by another patient of this clinic.")
    fields = data.model_dump(exclude={"mrn"})
    patient = Patient(
        organization_id=by.organization_id,
        mrn=data.mrn or _new_mrn(session),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
        **fields,
    )
    index_names(patient)
    session.add(patient)
    keep_revision(session, patient=patient, by=by)
    audit.record(
        session,
        actor=by.actor,
        action="patient.create",
        resource_type="patient",
        resource_id=patient.id,
        patient_id=patient.id,
    )
    return patient


def get_patient(session: Session, *, patient_id: uuid.UUID, by: Principal) -> Patient:
    """Return a patient of the caller's clinic and audit the read."""
    patient = session.get(Patient, (by.organization_id, patient_id))
    if patient is None:
        raise PatientNotFound("No such patient.")
    audit.record(
        session,
        actor=by.actor,
        action="patient.read",
        resource_type="patient",
        resource_id=patient.id,
        patient_id=patient.id,
    )
    return patient


def update_patient(
    session: Session, *, patient: Patient, data: PatientUpdate, expected_version: int, by: Principal
) -> Patient:
    """Change a patient's details, refusing an update based on a stale version."""
    if patient.status == RecordStatus.entered_in_error:
        raise RecordInError("This record was marked entered-in-error and cannot be changed.")
    if patient.version != expected_version:
        raise VersionMismatch(
            f"The record is at version {patient.version}, not {expected_version}: someone changed "
            "it since you opened it. Reload and apply your change again."
        )
    changes = data.model_dump(exclude_unset=True)
    cleared = sorted(
        field for field in _REQUIRED_FIELDS if field in changes and changes[field] is None
    )
    if cleared:
        raise RequiredFieldCleared(
            f"These fields cannot be empty: {', '.join(cleared)}.", field=cleared[0]
        )
    check_clinician(session, by=by, clinician_id=changes.get("primary_clinician_id"))
    if changes.get("mrn") and _mrn_in_use(session, mrn=changes["mrn"], except_id=patient.id):
        raise MrnTaken(f"MRN {changes['mrn']} is already used by another patient of this clinic.")
    for field, value in changes.items():
        setattr(patient, field, value)
    index_names(patient)
    patient.updated_by_id, patient.updated_at = by.user.id, utcnow()
    keep_revision(session, patient=patient, by=by)
    audit.record(
        session,
        actor=by.actor,
        action="patient.update",
        resource_type="patient",
        resource_id=patient.id,
        patient_id=patient.id,
        detail="fields=" + ",".join(sorted(changes)),
    )
    return patient


def mark_entered_in_error(
    session: Session, *, patient: Patient, reason: str, by: Principal
) -> Patient:
    """Retire a record created by mistake; it stays readable with the reason, never deleted."""
    if patient.status == RecordStatus.entered_in_error:
        raise RecordInError("This record is already marked entered-in-error.")
    patient.status, patient.error_reason = RecordStatus.entered_in_error.value, reason
    patient.updated_by_id, patient.updated_at = by.user.id, utcnow()
    keep_revision(session, patient=patient, by=by)
    audit.record(
        session,
        actor=by.actor,
        action="patient.entered_in_error",
        resource_type="patient",
        resource_id=patient.id,
        patient_id=patient.id,
    )
    return patient


def list_revisions(session: Session, *, patient: Patient) -> list[PatientRevision]:
    """Return every saved state of a patient record, newest first."""
    return list(
        session.scalars(
            select(PatientRevision)
            .where(PatientRevision.patient_id == patient.id)
            .order_by(PatientRevision.version.desc())
        )
    )


def list_clinicians(session: Session, *, by: Principal) -> list[User]:
    """Return the clinic's active users who can be a patient's primary clinician."""
    users = session.scalars(
        select(User)
        .where(User.organization_id == by.organization_id, User.is_active.is_(True))
        .order_by(User.full_name)
    )
    clinical = {Role.prescriber, Role.nurse, Role.therapist}
    return [user for user in users if not user.roles.isdisjoint(clinical)]


def get_clinician(session: Session, *, patient: Patient) -> User | None:
    """Return the patient's primary clinician, if one is set."""
    if patient.primary_clinician_id is None:
        return None
    return session.get(User, patient.primary_clinician_id)
