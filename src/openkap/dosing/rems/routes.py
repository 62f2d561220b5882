"""Pages of esketamine REMS Patient Monitoring Forms: the due list and each session's form."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession
from openkap.dosing.rems import service as rems_form
from openkap.dosing.rems.pdf import labelled_sections, submission_line
from openkap.dosing.rems.schemas import RemsFormContents, SubmissionCreate
from openkap.dosing.sessions import service
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
RemsStaff = Annotated[Principal, Depends(web_permission(Permission.rems_form_submit))]
PAGE_SIZE = 25


@router.get("/rems-forms", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: DbSession,
    principal: RemsStaff,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    today = utcnow().date()
    page = rems_form.forms_due(session, by=principal, today=today, limit=PAGE_SIZE, offset=offset)
    return render(
        request,
        "dosing/rems_dashboard.html",
        principal=principal,
        page=page,
        previous_offset=max(offset - PAGE_SIZE, 0) if offset > 0 else None,
        today=today,
    )


def _form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    dosing: DosingSession,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    form = rems_form.read_form(session, dosing=dosing, by=principal)
    contents = RemsFormContents.model_validate(form.contents) if form else None
    return render(
        request,
        "dosing/rems_form.html",
        principal=principal,
        dosing=dosing,
        form=form,
        sections=labelled_sections(contents) if contents else [],
        submission=submission_line(form) if form else None,
        needs_form=rems_form.needs_form(dosing),
        values=values or {},
        errors=errors or {},
        today=utcnow().date().isoformat(),
        status_code=status,
    )


@router.get("/dosing-sessions/{session_id}/rems-form", response_class=HTMLResponse)
def form_page(
    request: Request, session: DbSession, principal: RemsStaff, session_id: uuid.UUID
) -> HTMLResponse:
    dosing = service.get_session(session, session_id=session_id, by=principal)
    return _form_page(request, session, principal, dosing)


@router.post(
    "/dosing-sessions/{session_id}/rems-form",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def build(
    request: Request, session: DbSession, principal: RemsStaff, session_id: uuid.UUID
) -> Response:
    dosing = service.get_session(session, session_id=session_id, by=principal)
    try:
        rems_form.build_form(session, dosing=dosing, by=principal)
    except OpenKapError as refused:
        return _form_page(
            request,
            session,
            principal,
            dosing,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/dosing-sessions/{session_id}/rems-form?built=1", status_code=303)


@router.post(
    "/dosing-sessions/{session_id}/rems-form/submission",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def submit(
    request: Request,
    session: DbSession,
    principal: RemsStaff,
    session_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    dosing = service.get_session(session, session_id=session_id, by=principal)
    data, errors = validate_form(SubmissionCreate, fields)
    try:
        if data is None:
            raise InvalidForm(errors)
        form = rems_form.get_form(session, dosing=dosing, by=principal)
        version = fields.get("version", "")
        rems_form.mark_submitted(
            session,
            form=form,
            submitted_on=data.submitted_on,
            confirmation_number=data.confirmation_number,
            expected_version=int(version) if version.isdigit() else None,
            by=principal,
        )
    except (OpenKapError, InvalidForm) as refused:
        return _form_page(
            request,
            session,
            principal,
            dosing,
            values=fields,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/dosing-sessions/{session_id}/rems-form?submitted=1", status_code=303)


@router.get("/dosing-sessions/{session_id}/rems-form.pdf")
def pdf(session: DbSession, principal: RemsStaff, session_id: uuid.UUID) -> Response:
    dosing = service.get_session(session, session_id=session_id, by=principal)
    content = rems_form.download_pdf(session, dosing=dosing, by=principal)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="rems-monitoring-form-{session_id}.pdf"'
        },
    )
