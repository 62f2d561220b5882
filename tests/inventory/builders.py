"""Builders for ledger tests: a clinic's stock catalogue and callers."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from openkap.core.models import Organization, Role, User
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.inventory.counts import service as counts
from openkap.inventory.models import Lot, StockLocation
from openkap.inventory.schemas import (
    CountComplete,
    CountedLot,
    LocationCreate,
    LotCreate,
    ProductCreate,
    ReceiptCreate,
)
from openkap.inventory.stock import catalog, service
from tests.fixtures.factories import PASSWORD, make_user


def as_principal(user: User) -> Principal:
    return Principal(user=user, client_address="test")


@dataclass
class Stock:
    nurse: Principal
    witness: Principal
    lot: Lot
    other_lot: Lot
    cabinet: StockLocation
    safe: StockLocation


def make_stock(db, org: Organization) -> Stock:
    nurse = as_principal(make_user(db, org, Role.nurse))
    witness = as_principal(make_user(db, org, Role.prescriber))
    product = catalog.create_product(
        db,
        data=ProductCreate(
            name="Ketamine HCl 50 mg/mL vial",
            drug="racemic_ketamine",
            form="injection",
            strength="50 mg/mL",
            unit="mL",
            mg_per_unit=Decimal(50),
            ndc="0409-2051-05",
        ),
        by=nurse,
    )
    expiry = utcnow().date() + timedelta(days=365)
    lots = [
        catalog.create_lot(
            db,
            data=LotCreate(
                product_id=product.id, lot_number=number, expiry=expiry, supplier="Acme Pharma"
            ),
            by=nurse,
        )
        for number in ("LOT-A", "LOT-B")
    ]
    cabinet, safe = (
        catalog.create_location(db, data=LocationCreate(name=name, site="Main"), by=nurse)
        for name in ("Cabinet", "Safe")
    )
    return Stock(nurse, witness, lots[0], lots[1], cabinet, safe)


def receive(db, stock: Stock, mg: str, *, lot: Lot | None = None, location=None):
    return service.record_receipt(
        db,
        data=ReceiptCreate(
            lot_id=(lot or stock.lot).id,
            location_id=(location or stock.cabinet).id,
            quantity_mg=Decimal(mg),
            **SUPPLIER,
            invoice_number="INV-1",
        ),
        by=stock.nurse,
    )


def past(days: int) -> date:
    return utcnow().date() - timedelta(days=days)


def witness_of(user: User | Principal | None) -> dict[str, object]:
    """The credentials a witness types: their own e-mail and password (none for no witness)."""
    if user is None:
        return {}
    person = user.user if isinstance(user, Principal) else user
    return {"witness_email": person.email, "witness_password": PASSWORD}


SUPPLIER = {
    "supplier": "Acme Pharma",
    "supplier_address": "1 Supply Road, Springfield, IL 62701",
    "supplier_dea_registration": "AB1234563",
}


def count_matching(db, stock: Stock, location=None, *, by: Principal | None = None):
    """Count a location and find exactly the book balance: a completed physical count."""
    where = location or stock.cabinet
    count = counts.start_count(db, location_id=where.id, by=by or stock.nurse)
    lines = [
        CountedLot(lot_id=line.lot_id, counted_mg=line.expected_mg)
        for line in counts.count_lines(db, count=count)
    ]
    return counts.complete_count(
        db, count_id=count.id, data=CountComplete(lines=lines), by=by or stock.nurse
    )
