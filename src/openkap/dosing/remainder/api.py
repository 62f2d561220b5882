"""JSON API of a stopped administration's remainder: return or waste what was not given."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.dosing.remainder import service as remainder
from openkap.dosing.remainder.schemas import RemainderInput, RemainderRead
from openkap.dosing.sessions import service

router = APIRouter(prefix="/api/v1", tags=["dosing"])
ApiAdministering = Annotated[Principal, Depends(api_permission(Permission.dosing_administer))]


@router.post(
    "/dosing-sessions/{session_id}/administration/remainder",
    response_model=RemainderRead,
    responses=error_responses(401, 403, 404, 409, 422, 429),
)
def reconcile_remainder_api(
    session: DbSession, principal: ApiAdministering, session_id: uuid.UUID, body: RemainderInput
) -> RemainderRead:
    """Return or waste (with a witness who signs in) what a stopped administration did not give."""
    dosing = service.get_session(session, session_id=session_id, by=principal)
    given = remainder.reconcile_remainder(session, dosing=dosing, data=body, by=principal)
    return RemainderRead.model_validate(given)
