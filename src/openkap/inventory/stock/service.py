"""Stock movements: receipts, administrations, waste, transfers, returns, destruction, loss.

Every movement is a new ledger entry (ledger.post_entry); nothing is ever edited or deleted.
"""

import uuid

from sqlalchemy.orm import Session

from openkap.core.errors import BadRequest, InvalidState
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.inventory.access import require_recorder
from openkap.inventory.ledger import check_available, post_entry
from openkap.inventory.models import EntryKind, LedgerEntry, Lot, StockLocation
from openkap.inventory.schemas import (
    AdministrationCreate,
    DestructionCreate,
    LossCreate,
    ReceiptCreate,
    ReturnCreate,
    StockTarget,
    TransferCreate,
    WasteCreate,
)
from openkap.inventory.stock import catalog
from openkap.inventory.witness import Witness, authenticate_witness
from openkap.patients.errors import PatientNotFound
from openkap.patients.models import Patient


def _stock(
    session: Session, *, by: Principal, lot_id: uuid.UUID, location_id: uuid.UUID
) -> tuple[Lot, StockLocation]:
    require_recorder(by)
    lot = catalog.get_lot(session, lot_id=lot_id, by=by, field="lot_id")
    location = catalog.get_location(session, location_id=location_id, by=by, field="location_id")
    return lot, location


def _target(session: Session, *, by: Principal, data: StockTarget) -> tuple[Lot, StockLocation]:
    return _stock(session, by=by, lot_id=data.lot_id, location_id=data.location_id)


def record_receipt(session: Session, *, data: ReceiptCreate, by: Principal) -> LedgerEntry:
    """Add stock received from a supplier, with its invoice."""
    lot, location = _target(session, by=by, data=data)
    return post_entry(
        session,
        by=by,
        kind=EntryKind.receipt,
        lot=lot,
        location=location,
        quantity_mg=data.quantity_mg,
        supplier=data.supplier,
        supplier_address=data.supplier_address,
        supplier_dea_registration=data.supplier_dea_registration,
        invoice_number=data.invoice_number,
    )


def draw_for_administration(
    session: Session, *, data: AdministrationCreate, by: Principal
) -> list[LedgerEntry]:
    """Take an administered dose, and any witnessed waste, from the lot used."""
    lot, location = _stock(session, by=by, lot_id=data.lot_id, location_id=data.location_id)
    if lot.expiry < utcnow().date():
        raise InvalidState(f"Lot {lot.lot_number} expired on {lot.expiry}; it may not be given.")
    if session.get(Patient, (by.organization_id, data.patient_id)) is None:
        raise PatientNotFound("No such patient.", field="patient_id")
    witness: Witness | None = None
    if data.waste_mg > 0:
        witness = authenticate_witness(session, by=by, data=data)
    drawn = -(data.dose_mg + data.waste_mg)
    check_available(session, by=by, lot=lot, location=location, quantity_mg=drawn)
    dose = post_entry(
        session,
        by=by,
        kind=EntryKind.administration,
        lot=lot,
        location=location,
        quantity_mg=-data.dose_mg,
        patient_id=data.patient_id,
        encounter_reference=data.encounter_reference,
    )
    if witness is None:
        return [dose]
    waste = post_entry(
        session,
        by=by,
        kind=EntryKind.waste,
        lot=lot,
        location=location,
        quantity_mg=-data.waste_mg,
        patient_id=data.patient_id,
        reason="Remainder of an administered dose",
        related_entry_id=dose.id,
        **witness.fields(),
    )
    return [dose, waste]


def record_waste(session: Session, *, data: WasteCreate, by: Principal) -> LedgerEntry:
    """Record witnessed waste of stock."""
    lot, location = _target(session, by=by, data=data)
    witness = authenticate_witness(session, by=by, data=data)
    return post_entry(
        session,
        by=by,
        kind=EntryKind.waste,
        lot=lot,
        location=location,
        quantity_mg=-data.quantity_mg,
        reason=data.reason,
        **witness.fields(),
    )


def transfer(session: Session, *, data: TransferCreate, by: Principal) -> list[LedgerEntry]:
    """Move stock of one lot between locations: both entries or neither."""
    if data.from_location_id == data.to_location_id:
        raise BadRequest(
            "A transfer needs two different locations.", status_code=422, field="to_location_id"
        )
    lot, source = _stock(session, by=by, lot_id=data.lot_id, location_id=data.from_location_id)
    target = catalog.get_location(
        session, location_id=data.to_location_id, by=by, field="to_location_id"
    )
    outgoing = post_entry(
        session,
        by=by,
        kind=EntryKind.transfer_out,
        lot=lot,
        location=source,
        quantity_mg=-data.quantity_mg,
        reason=data.reason,
    )
    incoming = post_entry(
        session,
        by=by,
        kind=EntryKind.transfer_in,
        lot=lot,
        location=target,
        quantity_mg=data.quantity_mg,
        reason=data.reason,
        related_entry_id=outgoing.id,
    )
    return [outgoing, incoming]


def record_return(session: Session, *, data: ReturnCreate, by: Principal) -> LedgerEntry:
    """Send stock back to a supplier."""
    lot, location = _target(session, by=by, data=data)
    return post_entry(
        session,
        by=by,
        kind=EntryKind.return_,
        lot=lot,
        location=location,
        quantity_mg=-data.quantity_mg,
        supplier=data.supplier,
        reason=data.reason,
    )


def record_destruction(session: Session, *, data: DestructionCreate, by: Principal) -> LedgerEntry:
    """Record witnessed destruction of stock, with its DEA Form 41 data."""
    lot, location = _target(session, by=by, data=data)
    witness = authenticate_witness(session, by=by, data=data)
    return post_entry(
        session,
        by=by,
        kind=EntryKind.destruction,
        lot=lot,
        location=location,
        quantity_mg=-data.quantity_mg,
        reason=data.reason,
        dea_form=data.dea_form_41,
        **witness.fields(),
    )


def report_loss(session: Session, *, data: LossCreate, by: Principal) -> LedgerEntry:
    """Record theft or loss of stock, with its DEA Form 106 data."""
    lot, location = _target(session, by=by, data=data)
    return post_entry(
        session,
        by=by,
        kind=EntryKind.loss,
        lot=lot,
        location=location,
        quantity_mg=-data.quantity_mg,
        reason=data.reason,
        dea_form=data.dea_form_106,
    )
