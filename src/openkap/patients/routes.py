"""Patient registry pages."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.schemas import NO_NUL
from openkap.core.time import utcnow
from openkap.patients import body, search, service, weights
from openkap.patients.models import Patient, SexAtBirth
from openkap.patients.schemas import (
    EnteredInError,
    HeightSet,
    PatientCreate,
    PatientUpdate,
    WeightCreate,
)
from openkap.web.forms import FormFields, RefusedForm, refusal_errors, validate_form
from openkap.web.templating import render

FormT = TypeVar("FormT", bound=BaseModel)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25

Reader = Annotated[Principal, Depends(web_permission(Permission.patient_read))]
Writer = Annotated[Principal, Depends(web_permission(Permission.patient_write))]
ErrorMarker = Annotated[Principal, Depends(web_permission(Permission.patient_mark_error))]
WeightWriter = Annotated[Principal, Depends(web_permission(Permission.weight_write))]
ClinicalReader = Annotated[Principal, Depends(web_permission(Permission.clinical_read))]
SEX_OPTIONS = [("", "Choose…")] + [(s.value, s.value.capitalize()) for s in SexAtBirth]


@router.get("/patients", response_class=HTMLResponse)
def patient_list(
    request: Request,
    session: DbSession,
    principal: Reader,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL)] = "",
    birth_date: Annotated[str, Query(max_length=10)] = "",
    cursor: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
) -> HTMLResponse:
    dob = _parse_date(birth_date)
    page, next_cursor = search.search_patients(
        session,
        query=search.PatientQuery(text=q, birth_date=dob),
        by=principal,
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    template = (
        "patients/_results.html" if request.headers.get("HX-Request") else "patients/list.html"
    )
    return render(
        request,
        template,
        principal=principal,
        patients=page,
        next_cursor=next_cursor,
        q=q,
        birth_date=birth_date if dob else "",
        date_error=bool(birth_date and not dob),
        can_write=allows(principal.roles, Permission.patient_write),
    )


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    patient_id: uuid.UUID | None = None,
    status: int = 200,
) -> HTMLResponse:
    clinicians = [("", "None")] + [
        (str(u.id), u.full_name) for u in service.list_clinicians(session, by=principal)
    ]
    return render(
        request,
        "patients/form.html",
        principal=principal,
        values=values,
        errors=errors,
        patient_id=patient_id,
        sex_options=SEX_OPTIONS,
        clinician_options=clinicians,
        status_code=status,
    )


@router.get("/patients/new", response_class=HTMLResponse)
def new_patient_form(request: Request, session: DbSession, principal: Writer) -> HTMLResponse:
    return _form_page(request, session, principal, values={}, errors={})


@router.post("/patients/new", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def create_patient(
    request: Request, session: DbSession, principal: Writer, fields: FormFields
) -> Response:
    data, errors = validate_form(PatientCreate, fields)
    if data is None:
        return _form_page(request, session, principal, values=fields, errors=errors, status=422)
    try:
        patient = service.create_patient(session, data=data, by=principal)
    except OpenKapError as refused:
        return _form_page(
            request,
            session,
            principal,
            values=fields,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request, session: DbSession, principal: Reader, patient_id: uuid.UUID
) -> HTMLResponse:
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    return _detail_page(request, session, principal, patient)


def _detail_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    patient: Patient,
    *,
    weight_values: dict[str, str] | None = None,
    weight_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    clinical = allows(principal.roles, Permission.clinical_read)
    history = weights.list_weights(session, patient=patient, by=principal) if clinical else []
    clinician = service.get_clinician(session, patient=patient)
    return render(
        request,
        "patients/detail.html",
        principal=principal,
        patient=patient,
        weights=history,
        bmi_of=lambda weight: body.bmi(weight.weight_kg, patient.height_cm),
        clinical=clinical,
        clinician=clinician,
        today=utcnow().date().isoformat(),
        weight_values=weight_values or {},
        weight_errors=weight_errors or {},
        confirm_weight=status == 409,
        status_code=status,
        can=lambda name: allows(principal.roles, Permission(name)),
    )


def _values_of(patient: object) -> dict[str, str]:
    return {
        field: "" if getattr(patient, field) is None else str(getattr(patient, field))
        for field in PatientUpdate.model_fields
    }


@router.get("/patients/{patient_id}/edit", response_class=HTMLResponse)
def edit_patient_form(
    request: Request, session: DbSession, principal: Writer, patient_id: uuid.UUID
) -> HTMLResponse:
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    values = {**_values_of(patient), "version": str(patient.version)}
    return _form_page(request, session, principal, values=values, errors={}, patient_id=patient.id)


@router.post(
    "/patients/{patient_id}/edit", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def update_patient(
    request: Request,
    session: DbSession,
    principal: Writer,
    patient_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    data, errors = validate_form(PatientUpdate, fields)
    version = fields.get("version", "")
    if data is None or not version.isdigit():
        errors = errors or {"_form": "The form is missing the record version; reload the page."}
        return _form_page(
            request,
            session,
            principal,
            values=fields,
            errors=errors,
            patient_id=patient.id,
            status=422,
        )
    try:
        service.update_patient(
            session, patient=patient, data=data, expected_version=int(version), by=principal
        )
    except OpenKapError as refused:
        return _form_page(
            request,
            session,
            principal,
            values=fields,
            errors=refusal_errors(refused),
            patient_id=patient.id,
            status=refused.status_code,
        )
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.post("/patients/{patient_id}/entered-in-error", dependencies=[Depends(csrf_protect)])
def mark_entered_in_error(
    session: DbSession, principal: ErrorMarker, patient_id: uuid.UUID, fields: FormFields
) -> Response:
    data, _ = validate_form(EnteredInError, fields)
    if data is None:
        raise RefusedForm("Give a reason of at least 3 characters for marking the record.")
    patient = service.get_patient(session, patient_id=patient_id, by=principal)
    service.mark_entered_in_error(session, patient=patient, reason=data.reason, by=principal)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


def _body_form(
    request: Request,
    session: DbSession,
    principal: Principal,
    patient: Patient,
    fields: dict[str, str],
    model: type[FormT],
    act: Callable[[FormT], object],
) -> Response:
    """Validate a weight or height form, record it, and answer with the page or its refusal."""
    data, errors = validate_form(model, fields)
    status = 422
    try:
        if data is not None:
            act(data)
    except OpenKapError as refused:
        errors, status = refusal_errors(refused), refused.status_code
    if errors:
        return _detail_page(
            request,
            session,
            principal,
            patient,
            weight_values=fields,
            weight_errors=errors,
            status=status,
        )
    return RedirectResponse(f"/patients/{patient.id}#weights", status_code=303)


@router.post(
    "/patients/{patient_id}/weights",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def record_weight(
    request: Request,
    session: DbSession,
    principal: WeightWriter,
    patient_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    patient = service.get_patient(session, patient_id=patient_id, by=principal)

    def act(data: WeightCreate) -> object:
        return weights.record_weight(session, patient=patient, data=data, by=principal)

    return _body_form(request, session, principal, patient, fields, WeightCreate, act)


@router.post(
    "/patients/{patient_id}/height",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def record_height(
    request: Request,
    session: DbSession,
    principal: ClinicalReader,
    patient_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    patient = service.get_patient(session, patient_id=patient_id, by=principal)

    def act(data: HeightSet) -> object:
        return body.record_height(session, patient=patient, data=data, by=principal)

    return _body_form(request, session, principal, patient, fields, HeightSet, act)
