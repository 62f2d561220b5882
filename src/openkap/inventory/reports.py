"""Stock views: current balances, the entry history, and the biennial inventory (CSV)."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal
from openkap.core import audit
from openkap.core.errors import BadRequest
from openkap.inventory.access import require_reader
from openkap.inventory.models import LedgerEntry, Lot, LotBalance, Product, StockLocation
from openkap.inventory.schemas import BalanceRead

_CSV_HEADER = [
    "drug", "product", "form", "strength", "ndc", "lot_number", "expiry", "site", "location",
    "balance_mg", "balance_units", "unit",
]  # fmt: skip


_ORDER = (Product.drug, Product.name, Lot.expiry, Lot.lot_number, StockLocation.name)


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
    query = select(LedgerEntry).order_by(LedgerEntry.occurred_at.desc(), LedgerEntry.id)
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


def biennial_inventory_csv(session: Session, *, by: Principal, as_of: date) -> str:
    """Return every lot's balance per location at the end of a day, as CSV."""
    require_reader(by)
    if as_of > datetime.now(UTC).date():
        raise BadRequest(
            "The inventory date may not be in the future.", status_code=422, field="as_of"
        )
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    sums = select(
        LedgerEntry.lot_id,
        LedgerEntry.location_id,
        func.sum(LedgerEntry.quantity_mg).label("total"),
    ).where(LedgerEntry.occurred_at < end, LedgerEntry.organization_id == by.organization_id)
    totals = sums.group_by(LedgerEntry.lot_id, LedgerEntry.location_id).subquery()
    query = (
        select(Product, Lot, StockLocation, totals.c.total)
        .join(Lot, Lot.product_id == Product.id)
        .join(totals, totals.c.lot_id == Lot.id)
        .join(StockLocation, StockLocation.id == totals.c.location_id)
        .order_by(*_ORDER)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_HEADER)
    for product, lot, location, amount in session.execute(query):
        mg = Decimal(amount).quantize(Decimal("0.001"))
        units = (mg / product.mg_per_unit).quantize(Decimal("0.001"))
        row = [
            product.drug, product.name, product.form, product.strength, product.ndc or "",
            lot.lot_number, lot.expiry.isoformat(), location.site, location.name, mg, units,
            product.unit,
        ]  # fmt: skip
        writer.writerow([_safe(value) for value in row])
    audit.record(
        session,
        actor=by.actor,
        action="inventory.report.biennial",
        resource_type="inventory_report",
    )
    return out.getvalue()


def _safe(value: object) -> str:
    # Spreadsheet programs run cells that start with these characters as formulas.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
