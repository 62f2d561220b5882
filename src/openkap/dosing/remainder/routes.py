"""The chair-side form of a stopped administration's remainder (dosing.remainder.service)."""

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from openkap.core.deps import csrf_protect
from openkap.dosing.chair.page import Administering
from openkap.dosing.remainder import service as remainder
from openkap.dosing.remainder.schemas import RemainderInput

router = APIRouter(include_in_schema=False)


@router.post(
    "/dosing-sessions/{session_id}/remainder",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def reconcile_remainder(form: Administering) -> Response:
    def act(data: RemainderInput) -> object:
        return remainder.reconcile_remainder(form.db, dosing=form.dosing, data=data, by=form.by)

    return form.submit("remainder", RemainderInput, act)
