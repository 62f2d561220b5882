"""The chair-side form and the JSON API of a stopped administration's remainder
(dosing.remainder)."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict

from openkap.accounts.principal import Principal
from openkap.core.deps import DbSession, api_permission, csrf_protect
from openkap.core.permissions import Permission
from openkap.core.responses import error_responses
from openkap.dosing import remainder, service
from openkap.dosing.chair_page import Administering
from openkap.dosing.schemas_remainder import RemainderInput

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["dosing"])
ApiAdministering = Annotated[Principal, Depends(api_permission(Permission.dosing_administer))]


class RemainderRead(BaseModel):
    """A stopped administration's remainder, as reconciled."""

    model_config = ConfigDict(from_attributes=True)

    session_id: uuid.UUID
    delivered_mg: Decimal
    undelivered_mg: Decimal | None
    undelivered_disposition: str | None
    reconciled_at: datetime | None
    reconciled_by_id: uuid.UUID | None


@router.post(
    "/dosing-sessions/{session_id}/remainder",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def reconcile_remainder(form: Administering) -> Response:
    def act(data: RemainderInput) -> object:
        return remainder.reconcile_remainder(form.db, dosing=form.dosing, data=data, by=form.by)

    return form.submit("remainder", RemainderInput, act)


@api_router.post(
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
