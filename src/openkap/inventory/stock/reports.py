"""Stock views: balances, the entry history and counts (the biennial inventory:
inventory.counts.biennial)."""

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.models import User
from openkap.core.principal import Principal
from openkap.inventory.access import require_reader
from openkap.inventory.models import (
    InventoryCount,
    LedgerEntry,
    Lot,
    LotBalance,
    Product,
    StockLocation,
)
from openkap.inventory.schemas import BalanceRead
from openkap.patients.models import Patient

# Lots expiring within this many days are flagged on the stock page, so they are used first.
EXPIRY_WARNING_DAYS = 60
_ORDER = (Product.drug, Product.name, Lot.expiry, Lot.lot_number, StockLocation.name)


def expiry_flag(expiry: date, *, today: date) -> str | None:
    """Return "expired" or "expires soon" for a lot that needs attention, else None."""
    if expiry < today:
        return "expired"
    if expiry <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return "expires soon"
    return None


def balances(session: Session, *, by: Principal, include_empty: bool = False) -> list[BalanceRead]:
    """Return the current balance of every lot at every location holding it."""
    require_reader(by)
    query = (
        select(Product, Lot, StockLocation, LotBalance.balance_mg)
        .join(Lot, Lot.product_id == Product.id)
        .join(LotBalance, LotBalance.lot_id == Lot.id)
        .join(StockLocation, StockLocation.id == LotBalance.location_id)
        .order_by(*_ORDER)
    )
    if not include_empty:
        query = query.where(LotBalance.balance_mg != 0)
    return [
        BalanceRead(
            product_id=product.id,
            product_name=product.name,
            drug=product.drug,
            lot_id=lot.id,
            lot_number=lot.lot_number,
            expiry=lot.expiry,
            location_id=location.id,
            location_name=location.name,
            balance_mg=amount,
        )
        for product, lot, location, amount in session.execute(query)
    ]


def list_entries(
    session: Session,
    *,
    by: Principal,
    lot_id: uuid.UUID | None,
    location_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[LedgerEntry]:
    """Return ledger entries, newest first; administrations are audited as patient reads."""
    require_reader(by)
    # Entries written in one transaction may share a timestamp; the balance version orders them.
    newest = (LedgerEntry.occurred_at.desc(), LedgerEntry.version.desc(), LedgerEntry.id)
    query = select(LedgerEntry).order_by(*newest)
    if lot_id is not None:
        query = query.where(LedgerEntry.lot_id == lot_id)
    if location_id is not None:
        query = query.where(LedgerEntry.location_id == location_id)
    entries = list(session.scalars(query.limit(limit).offset(offset)))
    for entry in entries:
        if entry.patient_id is not None:
            audit.record(
                session,
                actor=by.actor,
                action="inventory.entry.read",
                resource_type="ledger_entry",
                resource_id=entry.id,
                patient_id=entry.patient_id,
            )
    return entries


def patient_references(
    session: Session, *, entries: list[LedgerEntry], by: Principal
) -> dict[uuid.UUID, str]:
    """Return the MRN of each patient the entries name: the ledger shows no patient names."""
    require_reader(by)
    wanted = {entry.patient_id for entry in entries if entry.patient_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Patient.id, Patient.mrn).where(Patient.id.in_(wanted)))
    return {patient_id: mrn for patient_id, mrn in rows}


def clinic_staff(session: Session, *, by: Principal) -> list[User]:
    """Return the clinic's users by name, to show recorders and witnesses."""
    require_reader(by)
    query = select(User).where(User.organization_id == by.organization_id)
    return list(session.scalars(query.order_by(User.full_name, User.id)))


def list_counts(session: Session, *, by: Principal, limit: int = 50) -> list[InventoryCount]:
    """Return the clinic's latest counts, newest first."""
    require_reader(by)
    query = select(InventoryCount).order_by(InventoryCount.started_at.desc(), InventoryCount.id)
    return list(session.scalars(query.limit(limit)))
