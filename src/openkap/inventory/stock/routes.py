"""Pages of the controlled-substance ledger: stock, a lot's ledger, receipts (counts and reports:
openkap.inventory.counts.routes).

Every form runs its service call in a savepoint, so a refused entry (an overdraw, a missing
witness, the same signer twice) is shown beside its field and leaves nothing written.
"""

import enum
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.inventory.errors import InventoryRecordNotFound
from openkap.inventory.models import Drug, Lot
from openkap.inventory.schemas import (
    CorrectionCreate,
    DestructionCreate,
    LocationCreate,
    LossCreate,
    LotCreate,
    ProductCreate,
    ReceiptCreate,
    ReturnCreate,
    TransferCreate,
    WasteCreate,
)
from openkap.inventory.stock import catalog, corrections, reports, service
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    unprefixed,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
# Every form of these pages posts with the session's CSRF token and answers with a page.
form_post = partial(router.post, response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
Reader = Annotated[Principal, Depends(web_permission(Permission.inventory_read))]
Recorder = Annotated[Principal, Depends(web_permission(Permission.inventory_record))]
ENTRIES_PER_PAGE = 25
_DRUGS = [(drug.value, drug.value.replace("_", " ")) for drug in Drug]


class CatalogueList(enum.StrEnum):
    products = "products"
    locations = "locations"


class LotAction(enum.StrEnum):
    waste = "waste"
    transfer = "transfer"
    return_ = "return"
    destruction = "destruction"
    loss = "loss"
    correction = "correction"


_RECORD: dict[LotAction, tuple[type[BaseModel], Callable[..., object]]] = {
    LotAction.waste: (WasteCreate, service.record_waste),
    LotAction.transfer: (TransferCreate, service.transfer),
    LotAction.return_: (ReturnCreate, service.record_return),
    LotAction.destruction: (DestructionCreate, service.record_destruction),
    LotAction.loss: (LossCreate, service.report_loss),
}


def _checked(model: type[BaseModel], data: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    # An optional field left blank means "none" (the service then says if it is needed).
    optional = {name for name, info in model.model_fields.items() if not info.is_required()}
    kept = {k: v for k, v in data.items() if k not in optional or v.strip()}
    return validate_form(model, kept)


def _valid(model: type[BaseModel], data: Mapping[str, str]) -> Any:
    parsed, errors = _checked(model, data)
    if parsed is None:
        raise InvalidForm(errors)
    return parsed


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    template: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a ledger page with the clinic's catalogue, staff names and the caller's rights."""
    for name, empty in (("values", {}), ("errors", {}), ("open_form", ""), ("step", "")):
        context.setdefault(name, empty)
    products = catalog.list_products(session, by=principal)
    return render(
        request,
        f"inventory/{template}",
        principal=principal,
        can_record=allows(principal.roles, Permission.inventory_record),
        today=utcnow().date(),
        flag=reports.expiry_flag,
        products={product.id: product for product in products},
        locations=catalog.list_locations(session, by=principal),
        lots=catalog.list_lots(session, by=principal),
        names={user.id: user.full_name for user in reports.clinic_staff(session, by=principal)},
        status_code=status,
        **context,
    )


def _refused(refused: Exception, prefix: str = "") -> dict[str, Any]:
    errors = refusal_errors(refused, prefix=prefix)
    return {"errors": errors, "status": refusal_status(refused), "open_form": prefix}


@router.get("/inventory", response_class=HTMLResponse)
def stock_page(request: Request, session: DbSession, principal: Reader) -> HTMLResponse:
    balances = reports.balances(session, by=principal)
    days = reports.EXPIRY_WARNING_DAYS
    return _page(request, session, principal, "stock.html", balances=balances, warning_days=days)


@router.get("/inventory/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request, session: DbSession, principal: Reader) -> HTMLResponse:
    return _page(request, session, principal, "catalogue.html", drugs=_DRUGS)


@form_post("/inventory/catalogue/{kind}")
def add_to_catalogue(
    request: Request,
    session: DbSession,
    principal: Recorder,
    kind: CatalogueList,
    fields: FormFields,
) -> Response:
    prefix = kind.value.removesuffix("s")
    values = unprefixed(fields, prefix)
    try:
        with session.begin_nested():
            if kind is CatalogueList.products:
                catalog.create_product(session, data=_valid(ProductCreate, values), by=principal)
            else:
                catalog.create_location(session, data=_valid(LocationCreate, values), by=principal)
    except (OpenKapError, InvalidForm) as refused:
        context = {"values": fields, "drugs": _DRUGS, **_refused(refused, prefix)}
        return _page(request, session, principal, "catalogue.html", **context)
    return RedirectResponse("/inventory/catalogue", status_code=303)


@router.get("/inventory/receipts/new", response_class=HTMLResponse)
def receipt_page(request: Request, session: DbSession, principal: Recorder) -> HTMLResponse:
    return _page(request, session, principal, "receipt.html")


def _receipt_lot(session: Session, principal: Principal, data: LotCreate) -> Lot:
    """Return the lot the invoice names, registering it on its first receipt."""
    for lot in catalog.list_lots(session, by=principal):
        if lot.product_id == data.product_id and lot.lot_number == data.lot_number:
            if lot.expiry != data.expiry:
                message = f"Lot {lot.lot_number} is registered with expiry {lot.expiry}."
                raise InvalidForm({"expiry": message})
            return lot
    return catalog.create_lot(session, data=data, by=principal)


def _receive(session: Session, principal: Principal, fields: Mapping[str, str]) -> Lot:
    values = dict(fields)
    _, receipt_errors = _checked(ReceiptCreate, values)
    receipt_errors.pop("lot_id", None)  # the lot is found or registered below
    lot_data, lot_errors = _checked(LotCreate, values)
    if lot_data is None or receipt_errors:
        raise InvalidForm({**receipt_errors, **lot_errors})
    lot = _receipt_lot(session, principal, lot_data)
    receipt = _valid(ReceiptCreate, {**values, "lot_id": str(lot.id)})
    service.record_receipt(session, data=receipt, by=principal)
    return lot


@form_post("/inventory/receipts")
def record_receipt(
    request: Request, session: DbSession, principal: Recorder, fields: FormFields
) -> Response:
    try:
        with session.begin_nested():
            lot = _receive(session, principal, fields)
    except (OpenKapError, InvalidForm) as refused:
        context = {"values": fields, **_refused(refused)}
        return _page(request, session, principal, "receipt.html", **context)
    return RedirectResponse(f"/inventory/lots/{lot.id}", status_code=303)


def _lot_page(
    request: Request,
    session: Session,
    principal: Principal,
    lot: Lot,
    *,
    page: int = 1,
    **context: Any,
) -> HTMLResponse:
    offset = (page - 1) * ENTRIES_PER_PAGE
    entries = reports.list_entries(
        session,
        by=principal,
        lot_id=lot.id,
        location_id=None,
        limit=ENTRIES_PER_PAGE + 1,
        offset=offset,
    )
    held = [b for b in reports.balances(session, by=principal) if b.lot_id == lot.id]
    return _page(
        request,
        session,
        principal,
        "lot.html",
        lot=lot,
        product=catalog.get_product(session, product_id=lot.product_id, by=principal),
        balances=held,
        entries=entries[:ENTRIES_PER_PAGE],
        page=page,
        has_next=len(entries) > ENTRIES_PER_PAGE,
        patients=reports.patient_references(session, entries=entries, by=principal),
        **context,
    )


@router.get("/inventory/lots/{lot_id}", response_class=HTMLResponse)
def lot_page(
    request: Request, session: DbSession, principal: Reader, lot_id: uuid.UUID, page: int = 1
) -> HTMLResponse:
    lot = catalog.get_lot(session, lot_id=lot_id, by=principal)
    return _lot_page(request, session, principal, lot, page=max(1, min(page, 100_000)))


def _entry_to_correct(session: Session, principal: Principal, lot: Lot, value: str) -> uuid.UUID:
    try:
        entry = catalog.get_entry(session, entry_id=uuid.UUID(value), by=principal)
    except (ValueError, InventoryRecordNotFound):
        entry = None
    if entry is None or entry.lot_id != lot.id:
        raise InvalidForm({"entry_id": "Choose an entry of this lot to correct."})
    return entry.id


def _record(
    session: Session, principal: Principal, lot: Lot, action: LotAction, values: dict[str, str]
) -> None:
    data = {**values, "lot_id": str(lot.id)}
    if action is LotAction.correction:
        entry_id = _entry_to_correct(session, principal, lot, values.get("entry_id", ""))
        correction = _valid(CorrectionCreate, data)
        corrections.correct_entry(session, entry_id=entry_id, data=correction, by=principal)
        return
    model, record = _RECORD[action]
    record(session, data=_valid(model, data), by=principal)


@form_post("/inventory/lots/{lot_id}/{action}")
def lot_action(
    request: Request,
    session: DbSession,
    principal: Recorder,
    lot_id: uuid.UUID,
    action: LotAction,
    fields: FormFields,
) -> Response:
    lot = catalog.get_lot(session, lot_id=lot_id, by=principal)
    try:
        with session.begin_nested():
            _record(session, principal, lot, action, unprefixed(fields, action.value))
    except (OpenKapError, InvalidForm) as refused:
        context = _refused(refused, action.value)
        return _lot_page(request, session, principal, lot, values=fields, **context)
    return RedirectResponse(f"/inventory/lots/{lot.id}", status_code=303)
