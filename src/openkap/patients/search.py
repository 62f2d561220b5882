"""Finding patients: name, date of birth and MRN, with keyset pagination."""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import BadRequest
from openkap.core.principal import Principal
from openkap.patients.models import Patient, RecordStatus


class InvalidCursor(BadRequest):
    """The pagination cursor was not one this server issued."""

    status_code = 422


@dataclass(frozen=True, kw_only=True)
class PatientQuery:
    """What to look for; empty fields match everything."""

    text: str = ""
    birth_date: date | None = None
    include_entered_in_error: bool = False


def encode_cursor(patient: Patient) -> str:
    """Return an opaque cursor pointing just after this patient."""
    raw = json.dumps([patient.sort_name, str(patient.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort_name, patient_id = json.loads(base64.urlsafe_b64decode(padded))
        return str(sort_name), uuid.UUID(patient_id)
    except (ValueError, TypeError, binascii.Error) as bad:
        raise InvalidCursor(
            "Not a valid cursor: use next_cursor from a previous page.", field="cursor"
        ) from bad


def _filtered(query: PatientQuery) -> Select[Patient]:
    statement = select(Patient)
    if not query.include_entered_in_error:
        statement = statement.where(Patient.status == RecordStatus.active.value)
    if query.birth_date is not None:
        statement = statement.where(Patient.birth_date == query.birth_date)
    for term in query.text.lower().split()[:6]:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            or_(
                Patient.search_text.like(f"%{escaped}%", escape="\\"),
                Patient.mrn == term.upper(),
            )
        )
    return statement


def search_patients(
    session: Session, *, query: PatientQuery, by: Principal, limit: int, cursor: str | None = None
) -> tuple[list[Patient], str | None]:
    """Return one page of matching patients in name order, and the cursor of the next page."""
    statement = _filtered(query).order_by(Patient.sort_name, Patient.id).limit(limit + 1)
    if cursor:
        sort_name, patient_id = _decode_cursor(cursor)
        statement = statement.where(
            or_(
                Patient.sort_name > sort_name,
                and_(Patient.sort_name == sort_name, Patient.id > patient_id),
            )
        )
    rows = list(session.scalars(statement))
    page, more = rows[:limit], len(rows) > limit
    for patient in page:
        audit.record(
            session,
            actor=by.actor,
            action="patient.list",
            resource_type="patient",
            resource_id=patient.id,
            patient_id=patient.id,
        )
    return page, encode_cursor(page[-1]) if more and page else None
