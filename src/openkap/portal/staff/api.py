"""JSON API of the portal domain, for staff: invite a patient, see and close portal access.

The link in a new invitation is returned once; OpenKAP stores only its hash and sends no
e-mail or text message itself.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.portal.links import service as links
from openkap.portal.schemas import (
    CloseAccess,
    InvitationCreate,
    InvitationRead,
    LinkRead,
    PortalStatusRead,
)
from openkap.portal.staff import service as status

router = APIRouter(prefix="/api/v1", tags=["portal"])
Inviter = Annotated[Principal, Depends(api_permission(Permission.portal_invite))]
PATIENT = "/patients/{patient_id}"


def _status_read(found: status.PortalStatus) -> PortalStatusRead:
    account = found.account
    return PortalStatusRead(
        patient_id=found.patient.id,
        has_account=account is not None,
        status=found.status,
        sign_in_email=found.sign_in_email,
        password_set=account is not None and account.password_set_at is not None,
        last_opened_at=None if account is None else account.last_opened_at,
        links=[LinkRead.model_validate(link, from_attributes=True) for link in found.links],
    )


@router.post(
    PATIENT + "/portal-invitations",
    response_model=InvitationRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create_invitation(
    request: Request,
    session: DbSession,
    principal: Inviter,
    patient_id: uuid.UUID,
    body: InvitationCreate,
    response: Response,
) -> InvitationRead:
    """Create the patient's portal account if needed and a new single-use, expiring link."""
    invitation = links.invite_patient(
        session, patient_id=patient_id, email=body.email, by=principal
    )
    response.headers["Cache-Control"] = "no-store"
    return InvitationRead(
        patient_id=patient_id,
        account_id=invitation.account.id,
        url=links.link_url(invitation.path),
        expires_at=invitation.link.expires_at,
        sign_in_email=invitation.sign_in_email,
    )


@router.get(
    PATIENT + "/portal",
    response_model=PortalStatusRead,
    responses=error_responses(401, 403, 404, 422),
)
def read_portal_status(
    session: DbSession, principal: Inviter, patient_id: uuid.UUID
) -> PortalStatusRead:
    """Return the patient's portal account status and newest links (never their tokens)."""
    return _status_read(status.portal_status(session, patient_id=patient_id, by=principal))


@router.post(
    PATIENT + "/portal/close",
    response_model=PortalStatusRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def close_portal_access(
    session: DbSession, principal: Inviter, patient_id: uuid.UUID, body: CloseAccess
) -> PortalStatusRead:
    """Close the patient's portal access: no sign-in, and every unused link stops working."""
    status.close_portal(session, patient_id=patient_id, reason=body.reason, by=principal)
    return _status_read(status.portal_status(session, patient_id=patient_id, by=principal))
