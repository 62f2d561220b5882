"""JSON API of physical counts and of the biennial inventory built from them.

Each route checks the ledger's permissions (inventory_record, inventory_read) right after
authentication; the services check them again (inventory.access).
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.time import utcnow
from openkap.inventory.counts import biennial
from openkap.inventory.counts import pdf as biennial_pdf
from openkap.inventory.counts import service as counts
from openkap.inventory.models import InventoryCount
from openkap.inventory.schemas import CountComplete, CountLineRead, CountRead, CountStart, SiteName

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])
Recorder = Annotated[Principal, Depends(api_permission(Permission.inventory_record))]
Reader = Annotated[Principal, Depends(api_permission(Permission.inventory_read))]
REPORT_ERRORS = error_responses(401, 403, 409, 422)
CREATE_ERRORS = error_responses(401, 403, 404, 409, 422, 429)


def _count_read(session: Session, count: InventoryCount) -> CountRead:
    read = CountRead.model_validate(count)
    lines = counts.count_lines(session, count=count)
    read.lines = [CountLineRead.model_validate(line) for line in lines]
    return read


@router.post("/counts", response_model=CountRead, status_code=201, responses=CREATE_ERRORS)
def start_count(session: DbSession, principal: Recorder, body: CountStart) -> CountRead:
    """Open a count of a location with the expected quantity of each lot."""
    count = counts.start_count(session, location_id=body.location_id, by=principal)
    return _count_read(session, count)


@router.get(
    "/counts/{count_id}", response_model=CountRead, responses=error_responses(401, 403, 404, 422)
)
def read_count(session: DbSession, principal: Reader, count_id: uuid.UUID) -> CountRead:
    """Return a count with its lines."""
    return _count_read(session, counts.get_count(session, count_id=count_id, by=principal))


@router.post("/counts/{count_id}/complete", response_model=CountRead, responses=CREATE_ERRORS)
def complete_count(
    session: DbSession, principal: Recorder, count_id: uuid.UUID, body: CountComplete
) -> CountRead:
    """Enter the counted quantities and sign first."""
    count = counts.complete_count(session, count_id=count_id, data=body, by=principal)
    return _count_read(session, count)


@router.post("/counts/{count_id}/sign", response_model=CountRead, responses=CREATE_ERRORS)
def sign_count(session: DbSession, principal: Recorder, count_id: uuid.UUID) -> CountRead:
    """Sign a discrepant count second; its adjustments enter the ledger."""
    return _count_read(session, counts.sign_count(session, count_id=count_id, by=principal))


@router.get(
    "/reports/biennial.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **REPORT_ERRORS},
)
def biennial_inventory(
    session: DbSession, principal: Reader, as_of: date | None = None, site: SiteName = None
) -> Response:
    """Return the inventory of every lot and location at the end of a day (today), as CSV."""
    as_of = as_of or utcnow().date()
    text = biennial.biennial_inventory_csv(session, by=principal, as_of=as_of, site=site)
    filename = f"biennial-inventory-{as_of.isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content=text, media_type="text/csv", headers=headers)


@router.get(
    "/reports/biennial.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **REPORT_ERRORS},
)
def biennial_inventory_pdf(
    session: DbSession,
    principal: Reader,
    as_of: date | None = None,
    taken_at: biennial.InventoryTime = biennial.InventoryTime.close,
    site: SiteName = None,
) -> Response:
    """Return the biennial inventory at the opening or close of a day (today), as a PDF."""
    as_of = as_of or utcnow().date()
    pdf = biennial_pdf.biennial_inventory_pdf(
        session, by=principal, as_of=as_of, taken_at=taken_at, site=site
    )
    filename = f"biennial-inventory-{as_of.isoformat()}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content=pdf, media_type="application/pdf", headers=headers)
