"""JSON API of the controlled-substance ledger.

No inventory permission exists in core/permissions.py yet, so each route checks the ledger's own
role table (inventory.access) right after authentication; the services check it again.
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal
from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.responses import error_responses
from openkap.core.time import utcnow
from openkap.inventory import biennial, biennial_pdf, catalog, corrections, counts, reports, service
from openkap.inventory.models import InventoryCount
from openkap.inventory.schemas import (
    AdministrationCreate,
    BalanceRead,
    CorrectionCreate,
    CountComplete,
    CountLineRead,
    CountRead,
    CountStart,
    DestructionCreate,
    EntryPage,
    EntryRead,
    LocationCreate,
    LocationRead,
    LossCreate,
    LotCreate,
    LotRead,
    ProductCreate,
    ProductRead,
    ReceiptCreate,
    ReturnCreate,
    SiteName,
    TransferCreate,
    WasteCreate,
)

router = APIRouter(prefix="/api/v1/inventory", tags=["inventory"])


Recorder = Annotated[Principal, Depends(api_permission(Permission.inventory_record))]
Reader = Annotated[Principal, Depends(api_permission(Permission.inventory_read))]
LIST_ERRORS = error_responses(401, 403, 422)
REPORT_ERRORS = error_responses(401, 403, 409, 422)

CREATE_ERRORS = error_responses(401, 403, 404, 409, 422, 429)


@router.get("/products", response_model=list[ProductRead], responses=LIST_ERRORS)
def list_products(session: DbSession, principal: Reader) -> list[ProductRead]:
    """List the clinic's ketamine and esketamine products."""
    return [ProductRead.model_validate(p) for p in catalog.list_products(session, by=principal)]


@router.post("/products", response_model=ProductRead, status_code=201, responses=CREATE_ERRORS)
def create_product(session: DbSession, principal: Recorder, body: ProductCreate) -> ProductRead:
    """Add a product to the catalogue."""
    return ProductRead.model_validate(catalog.create_product(session, data=body, by=principal))


@router.get("/locations", response_model=list[LocationRead], responses=LIST_ERRORS)
def list_locations(session: DbSession, principal: Reader) -> list[LocationRead]:
    """List the places stock is kept."""
    found = catalog.list_locations(session, by=principal)
    return [LocationRead.model_validate(location) for location in found]


@router.post("/locations", response_model=LocationRead, status_code=201, responses=CREATE_ERRORS)
def create_location(session: DbSession, principal: Recorder, body: LocationCreate) -> LocationRead:
    """Add a stock location."""
    return LocationRead.model_validate(catalog.create_location(session, data=body, by=principal))


@router.get("/lots", response_model=list[LotRead], responses=LIST_ERRORS)
def list_lots(session: DbSession, principal: Reader) -> list[LotRead]:
    """List the clinic's lots, soonest expiry first."""
    return [LotRead.model_validate(lot) for lot in catalog.list_lots(session, by=principal)]


@router.post("/lots", response_model=LotRead, status_code=201, responses=CREATE_ERRORS)
def create_lot(session: DbSession, principal: Recorder, body: LotCreate) -> LotRead:
    """Register a lot of a product."""
    return LotRead.model_validate(catalog.create_lot(session, data=body, by=principal))


@router.post("/receipts", response_model=EntryRead, status_code=201, responses=CREATE_ERRORS)
def record_receipt(session: DbSession, principal: Recorder, body: ReceiptCreate) -> EntryRead:
    """Record stock received from a supplier."""
    return EntryRead.model_validate(service.record_receipt(session, data=body, by=principal))


@router.post(
    "/administrations", response_model=list[EntryRead], status_code=201, responses=CREATE_ERRORS
)
def draw_for_administration(
    session: DbSession, principal: Recorder, body: AdministrationCreate
) -> list[EntryRead]:
    """Draw an administered dose (and any witnessed waste) from the lot used."""
    entries = service.draw_for_administration(session, data=body, by=principal)
    return [EntryRead.model_validate(entry) for entry in entries]


@router.post("/waste", response_model=EntryRead, status_code=201, responses=CREATE_ERRORS)
def record_waste(session: DbSession, principal: Recorder, body: WasteCreate) -> EntryRead:
    """Record witnessed waste."""
    return EntryRead.model_validate(service.record_waste(session, data=body, by=principal))


@router.post("/transfers", response_model=list[EntryRead], status_code=201, responses=CREATE_ERRORS)
def transfer(session: DbSession, principal: Recorder, body: TransferCreate) -> list[EntryRead]:
    """Move stock of a lot from one location to another."""
    entries = service.transfer(session, data=body, by=principal)
    return [EntryRead.model_validate(entry) for entry in entries]


@router.post("/returns", response_model=EntryRead, status_code=201, responses=CREATE_ERRORS)
def record_return(session: DbSession, principal: Recorder, body: ReturnCreate) -> EntryRead:
    """Record stock returned to a supplier."""
    return EntryRead.model_validate(service.record_return(session, data=body, by=principal))


@router.post("/destructions", response_model=EntryRead, status_code=201, responses=CREATE_ERRORS)
def record_destruction(
    session: DbSession, principal: Recorder, body: DestructionCreate
) -> EntryRead:
    """Record witnessed destruction (DEA Form 41 data)."""
    return EntryRead.model_validate(service.record_destruction(session, data=body, by=principal))


@router.post("/losses", response_model=EntryRead, status_code=201, responses=CREATE_ERRORS)
def report_loss(session: DbSession, principal: Recorder, body: LossCreate) -> EntryRead:
    """Record theft or loss (DEA Form 106 data)."""
    return EntryRead.model_validate(service.report_loss(session, data=body, by=principal))


@router.post(
    "/entries/{entry_id}/corrections",
    response_model=EntryRead,
    status_code=201,
    responses=CREATE_ERRORS,
)
def correct_entry(
    session: DbSession, principal: Recorder, entry_id: uuid.UUID, body: CorrectionCreate
) -> EntryRead:
    """Append a correction referencing an earlier entry."""
    entry = corrections.correct_entry(session, entry_id=entry_id, data=body, by=principal)
    return EntryRead.model_validate(entry)


@router.get("/entries", response_model=EntryPage, responses=LIST_ERRORS)
def list_entries(
    session: DbSession,
    principal: Reader,
    lot_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> EntryPage:
    """List ledger entries, newest first."""
    entries = reports.list_entries(
        session, by=principal, lot_id=lot_id, location_id=location_id, limit=limit, offset=offset
    )
    next_offset = offset + limit if len(entries) == limit else None
    items = [EntryRead.model_validate(entry) for entry in entries]
    return EntryPage(items=items, next_offset=next_offset)


@router.get("/balances", response_model=list[BalanceRead], responses=LIST_ERRORS)
def list_balances(
    session: DbSession, principal: Reader, include_empty: bool = False
) -> list[BalanceRead]:
    """Return the current balance of every lot at every location."""
    return reports.balances(session, by=principal, include_empty=include_empty)


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
