"""Patient registry JSON API."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from openkap.core.config import get_settings
from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.schemas import NO_NUL
from openkap.patients import search, service, weights
from openkap.patients.body import bmi, record_height
from openkap.patients.errors import VersionRequired
from openkap.patients.models import Patient, WeightMeasurement
from openkap.patients.schemas import (
    EnteredInError,
    HeightSet,
    PatientCreate,
    PatientPage,
    PatientRead,
    PatientUpdate,
    WeightCreate,
    WeightRead,
)

router = APIRouter(prefix="/api/v1/patients", tags=["patients"])

Reader = Annotated[Principal, Depends(api_permission(Permission.patient_read))]
Writer = Annotated[Principal, Depends(api_permission(Permission.patient_write))]
ErrorMarker = Annotated[Principal, Depends(api_permission(Permission.patient_mark_error))]
ClinicalReader = Annotated[Principal, Depends(api_permission(Permission.clinical_read))]
WeightWriter = Annotated[Principal, Depends(api_permission(Permission.weight_write))]
# Nurses and prescribers weigh; the service also lets intake writers (therapists) record height.
HeightWriter = Annotated[Principal, Depends(api_permission(Permission.clinical_read))]


def _with_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def _parse_if_match(if_match: str | None) -> int:
    value = (if_match or "").strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise VersionRequired(
            'Send the record\'s version in the If-Match header (the ETag you read, e.g. "3").'
        )
    return int(value)


@router.get("", response_model=PatientPage, responses=error_responses(401, 403, 422))
def list_patients(
    session: DbSession,
    principal: Reader,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="Name words or MRN")] = "",
    birth_date: date | None = None,
    include_entered_in_error: bool = False,
    cursor: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> PatientPage:
    """Search the clinic's patients by name, MRN and date of birth, in name order."""
    query = search.PatientQuery(
        text=q, birth_date=birth_date, include_entered_in_error=include_entered_in_error
    )
    page, next_cursor = search.search_patients(
        session,
        query=query,
        by=principal,
        cursor=cursor,
        limit=min(limit, get_settings().page_size_max),
    )
    return PatientPage(items=[PatientRead.model_validate(p) for p in page], next_cursor=next_cursor)


@router.post(
    "", response_model=PatientRead, status_code=201, responses=error_responses(401, 403, 409, 422)
)
def create_patient(
    session: DbSession, principal: Writer, body: PatientCreate, response: Response
) -> PatientRead:
    """Register a patient."""
    patient = service.create_patient(session, data=body, by=principal)
    _with_etag(response, patient.version)
    response.headers["Location"] = f"/api/v1/patients/{patient.id}"
    return PatientRead.model_validate(patient)


@router.get(
    "/{patient_id}", response_model=PatientRead, responses=error_responses(401, 403, 404, 422)
)
def read_patient(
    session: DbSession, principal: Reader, patient_id: uuid.UUID, response: Response
) -> PatientRead:
    """Return one patient; the ETag header carries the version for updates."""
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    _with_etag(response, patient.version)
    return PatientRead.model_validate(patient)


@router.patch(
    "/{patient_id}",
    response_model=PatientRead,
    responses=error_responses(401, 403, 404, 409, 422, 428),
)
def update_patient(
    session: DbSession,
    principal: Writer,
    patient_id: uuid.UUID,
    body: PatientUpdate,
    response: Response,
    if_match: Annotated[str | None, Header(description='The version read, e.g. "3"')] = None,
) -> PatientRead:
    """Change a patient's details; a stale If-Match version gets 409."""
    expected = _parse_if_match(if_match)
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    patient = service.update_patient(
        session, patient=patient, data=body, expected_version=expected, by=principal
    )
    _with_etag(response, patient.version)
    return PatientRead.model_validate(patient)


@router.post(
    "/{patient_id}/entered-in-error",
    response_model=PatientRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def mark_entered_in_error(
    session: DbSession, principal: ErrorMarker, patient_id: uuid.UUID, body: EnteredInError
) -> PatientRead:
    """Mark a record created by mistake; it is kept, with the reason."""
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    return PatientRead.model_validate(
        service.mark_entered_in_error(session, patient=patient, reason=body.reason, by=principal)
    )


@router.get(
    "/{patient_id}/weights",
    response_model=list[WeightRead],
    responses=error_responses(401, 403, 404, 422),
)
def list_weights(
    session: DbSession, principal: ClinicalReader, patient_id: uuid.UUID
) -> list[WeightRead]:
    """Return the patient's weight history, newest first."""
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    return [
        _weight_read(w, patient)
        for w in weights.list_weights(session, patient=patient, by=principal)
    ]


def _weight_read(weight: WeightMeasurement, patient: Patient) -> WeightRead:
    read = WeightRead.model_validate(weight)
    read.bmi = bmi(weight.weight_kg, patient.height_cm)
    return read


@router.post(
    "/{patient_id}/weights",
    response_model=WeightRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def record_weight(
    session: DbSession, principal: WeightWriter, patient_id: uuid.UUID, body: WeightCreate
) -> WeightRead:
    """Record a weight; a questioned change (over 10 % in 30 days, pounds as kg) needs a reason."""
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    weight = weights.record_weight(session, patient=patient, data=body, by=principal)
    return _weight_read(weight, patient)


@router.put(
    "/{patient_id}/height",
    response_model=PatientRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def set_height(
    session: DbSession, principal: HeightWriter, patient_id: uuid.UUID, data: HeightSet
) -> PatientRead:
    """Record the patient's height (100.0-250.0 cm); BMI is shown with each weight."""
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    return PatientRead.model_validate(
        record_height(session, patient=patient, data=data, by=principal)
    )


@router.post(
    "/{patient_id}/weights/{weight_id}/entered-in-error",
    response_model=WeightRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def mark_weight_in_error(
    session: DbSession,
    principal: WeightWriter,
    patient_id: uuid.UUID,
    weight_id: uuid.UUID,
    body: EnteredInError,
) -> WeightRead:
    """Mark a wrong weight entered-in-error."""
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    return _weight_read(
        weights.mark_weight_in_error(
            session, patient=patient, weight_id=weight_id, reason=body.reason, by=principal
        ),
        patient,
    )
