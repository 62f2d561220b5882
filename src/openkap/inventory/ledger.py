"""The one way an entry enters the ledger: lock the lot-location balance, check, append, audit."""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.principal import Principal
from openkap.inventory.errors import InsufficientStock
from openkap.inventory.models import EntryKind, LedgerEntry, Lot, LotBalance, StockLocation


def _ensure_balance_row(
    session: Session, *, organization_id: uuid.UUID, key: tuple[uuid.UUID, uuid.UUID]
) -> None:
    # Insert-if-absent, so two first movements of a lot at a location cannot both create the row.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(LotBalance)
        .values(
            id=uuid.uuid4(),
            organization_id=organization_id,
            lot_id=key[0],
            location_id=key[1],
            balance_mg=Decimal(0),
            version=0,
        )
        .on_conflict_do_nothing(index_elements=["organization_id", "lot_id", "location_id"])
    )
    session.execute(statement)


def lock_balance(
    session: Session, *, by: Principal, lot_id: uuid.UUID, location_id: uuid.UUID
) -> LotBalance:
    """Return the lot-location balance, locked until the transaction ends."""
    _ensure_balance_row(session, organization_id=by.organization_id, key=(lot_id, location_id))
    query = (
        select(LotBalance)
        .where(LotBalance.lot_id == lot_id, LotBalance.location_id == location_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()


def _refuse_overdraw(
    balance: LotBalance, *, lot: Lot, location: StockLocation, quantity_mg: Decimal
) -> Decimal:
    after = balance.balance_mg + quantity_mg
    if after < 0:
        raise InsufficientStock(
            f"Lot {lot.lot_number} at {location.name} holds {balance.balance_mg} mg; "
            f"this entry of {quantity_mg} mg would leave {after} mg.",
            field="quantity_mg",
        )
    return after


def check_available(
    session: Session, *, by: Principal, lot: Lot, location: StockLocation, quantity_mg: Decimal
) -> None:
    """Refuse, before anything is written, several entries that together overdraw a balance."""
    balance = lock_balance(session, by=by, lot_id=lot.id, location_id=location.id)
    _refuse_overdraw(balance, lot=lot, location=location, quantity_mg=quantity_mg)


def post_entry(
    session: Session,
    *,
    by: Principal,
    kind: EntryKind,
    lot: Lot,
    location: StockLocation,
    quantity_mg: Decimal,
    **fields: Any,
) -> LedgerEntry:
    """Append one entry, refusing it if the lot-location balance would fall below zero."""
    balance = lock_balance(session, by=by, lot_id=lot.id, location_id=location.id)
    after = _refuse_overdraw(balance, lot=lot, location=location, quantity_mg=quantity_mg)
    balance.balance_mg = after
    balance.version += 1
    entry = LedgerEntry(
        organization_id=by.organization_id,
        kind=kind.value,
        lot_id=lot.id,
        location_id=location.id,
        version=balance.version,
        quantity_mg=quantity_mg,
        balance_after_mg=after,
        recorded_by_id=by.user.id,
        **fields,
    )
    session.add(entry)
    session.flush()
    witnessed = f"witness {entry.witness_id} ({entry.witness_method})" if entry.witness_id else ""
    audit.record(
        session,
        actor=by.actor,
        action=f"inventory.{kind.value}",
        resource_type="ledger_entry",
        resource_id=entry.id,
        patient_id=entry.patient_id,
        detail=witnessed,
    )
    return entry
