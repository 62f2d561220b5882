"""Staff pages about a patient's portal access: its status, a new invitation link, closing it.

E-mail and text messages are not sent by OpenKAP: the new link is shown once, to the staff member
who made it, to pass on to the patient in person or through the clinic's own messaging.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.portal.links import service as links
from openkap.portal.schemas import InvitationForm
from openkap.portal.staff import service as status
from openkap.web.forms import FormFields, InvalidForm, refusal_errors, refusal_status, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Inviter = Annotated[Principal, Depends(web_permission(Permission.portal_invite))]
PAGE = "/patients/{patient_id}/portal"


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    patient_id: uuid.UUID,
    *,
    invitation: links.Invitation | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = status.portal_status(session, patient_id=patient_id, by=principal)
    return render(
        request,
        "portal/staff_status.html",
        principal=principal,
        found=found,
        invitation=invitation,
        invitation_url=links.link_url(invitation.path) if invitation else None,
        values=values or {},
        errors=errors or {},
        status_code=status_code,
    )


@router.get(PAGE, response_class=HTMLResponse)
def status_page(
    request: Request, session: DbSession, principal: Inviter, patient_id: uuid.UUID
) -> HTMLResponse:
    return _page(request, session, principal, patient_id)


@router.post(
    PAGE + "/invitations", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def invite(
    request: Request,
    session: DbSession,
    principal: Inviter,
    patient_id: uuid.UUID,
    fields: FormFields,
) -> HTMLResponse:
    data, errors = validate_form(InvitationForm, fields)
    try:
        if data is None:
            raise InvalidForm(errors)
        invitation = links.invite_patient(
            session, patient_id=patient_id, email=data.email, by=principal
        )
    except (OpenKapError, InvalidForm) as refused:
        if isinstance(refused, OpenKapError) and refused.status_code == 404:
            raise
        return _page(
            request,
            session,
            principal,
            patient_id,
            values=fields,
            errors=refusal_errors(refused),
            status_code=refusal_status(refused),
        )
    # Shown in this response only: the token is not stored and cannot be shown again.
    return _page(request, session, principal, patient_id, invitation=invitation)


@router.post(PAGE + "/close", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def close(
    request: Request,
    session: DbSession,
    principal: Inviter,
    patient_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    try:
        status.close_portal(
            session, patient_id=patient_id, reason=fields.get("reason", ""), by=principal
        )
    except OpenKapError as refused:
        if refused.status_code == 404:
            raise
        return _page(
            request,
            session,
            principal,
            patient_id,
            values={"close-reason": fields.get("reason", "")},
            errors={"close-" + (refused.field or "_form"): refused.message},
            status_code=refused.status_code,
        )
    return RedirectResponse(PAGE.format(patient_id=patient_id) + "?closed=1", status_code=303)
