"""JSON API of the controlled-substance ledger's stock: the catalogue, movements, corrections,
entries and balances (counts and the biennial inventory: inventory.counts.api).

Each route checks the ledger's permissions (inventory_record, inventory_read) right after
authentication; the services check them again (inventory.access).
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.inventory.schemas import (
    AdministrationCreate,
    BalanceRead,
    CorrectionCreate,
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
    TransferCreate,
    WasteCreate,
)
from openkap.inventory.stock import catalog, corrections, reports, service

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
