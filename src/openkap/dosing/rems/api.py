"""JSON API of esketamine REMS Patient Monitoring Forms: build, read, PDF, submission, due list.

Routes check rems_form_submit; the services check it again. The submission carries the form's
version in If-Match, so a form rebuilt after someone read it is not submitted unseen.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession, RemsMonitoringForm
from openkap.dosing.rems import service as rems_form
from openkap.dosing.rems.schemas import DueFormRead, DuePage, RemsFormRead, SubmissionCreate
from openkap.dosing.sessions import service
from openkap.patients.errors import VersionRequired

router = APIRouter(prefix="/api/v1", tags=["dosing"])

RemsStaff = Annotated[Principal, Depends(api_permission(Permission.rems_form_submit))]

FORM = "/dosing-sessions/{session_id}/rems-form"
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _load(db: DbSession, session_id: uuid.UUID, by: Principal) -> DosingSession:
    return service.get_session(db, session_id=session_id, by=by)


def _read(form: RemsMonitoringForm, response: Response) -> RemsFormRead:
    response.headers["ETag"] = f'"{form.version}"'
    return RemsFormRead.model_validate(form)


def _version(if_match: str | None) -> int:
    value = (if_match or "").strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise VersionRequired(
            'Send the form\'s version in the If-Match header (the ETag you read, e.g. "2").'
        )
    return int(value)


@router.post(FORM, response_model=RemsFormRead, responses=WRITE_ERRORS)
def build(
    db: DbSession, principal: RemsStaff, session_id: uuid.UUID, response: Response
) -> RemsFormRead:
    """Fill the form from the session's records, or refresh it while it is not submitted."""
    dosing = _load(db, session_id, principal)
    return _read(rems_form.build_form(db, dosing=dosing, by=principal), response)


@router.get(FORM, response_model=RemsFormRead, responses=READ_ERRORS)
def read(
    db: DbSession, principal: RemsStaff, session_id: uuid.UUID, response: Response
) -> RemsFormRead:
    """Return the session's form; the ETag carries the version for the submission."""
    dosing = _load(db, session_id, principal)
    return _read(rems_form.get_form(db, dosing=dosing, by=principal), response)


@router.get(
    f"{FORM}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **READ_ERRORS},
)
def pdf(db: DbSession, principal: RemsStaff, session_id: uuid.UUID) -> Response:
    """Return the session's form as a PDF to print or upload to the REMS."""
    dosing = _load(db, session_id, principal)
    content = rems_form.download_pdf(db, dosing=dosing, by=principal)
    filename = f"rems-monitoring-form-{session_id}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    f"{FORM}/submission",
    response_model=RemsFormRead,
    responses=error_responses(401, 403, 404, 409, 422, 428),
)
def submit(
    db: DbSession,
    principal: RemsStaff,
    session_id: uuid.UUID,
    body: SubmissionCreate,
    response: Response,
    if_match: Annotated[str | None, Header(description='The version read, e.g. "2"')] = None,
) -> RemsFormRead:
    """Record the day the form was sent to the REMS; a stale If-Match version gets 409."""
    dosing = _load(db, session_id, principal)
    form = rems_form.get_form(db, dosing=dosing, by=principal)
    submitted = rems_form.mark_submitted(
        db,
        form=form,
        submitted_on=body.submitted_on,
        confirmation_number=body.confirmation_number,
        expected_version=_version(if_match),
        by=principal,
    )
    return _read(submitted, response)


@router.get("/rems-forms/due", response_model=DuePage, responses=READ_ERRORS)
def due(
    db: DbSession,
    principal: RemsStaff,
    limit: Annotated[int, Query(ge=1, le=rems_form.MAX_PAGE)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DuePage:
    """Return the sessions whose form is due within 7 days or overdue, most urgent first."""
    page = rems_form.forms_due(db, by=principal, today=utcnow().date(), limit=limit, offset=offset)
    return DuePage(
        items=[DueFormRead.model_validate(item) for item in page.items],
        total=page.total,
        next_offset=page.next_offset,
    )
