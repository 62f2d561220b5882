"""Synthetic controlled-substance stock: products, the clinic's safe, lots received as needed.

`generate` sets up the products and the safe; dosing draws from them through `DemoStock`, which
receives a new lot when the current one would run short, as a clinic reorders (each receipt with
the supplier's address and DEA registration). `close` wastes a damaged device with a witness who
confirms their own password, then counts the safe: one count that matches, one with a small
discrepancy on the opened vial (an estimate, 21 CFR 1304.11(e)(3)) that is explained and signed
by two people; that count is the day's biennial inventory. Everything goes through the ledger's
services.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from pydantic import SecretStr
from sqlalchemy import select

from openkap.core.demo import DemoContext
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.security import DEMO_PASSWORD
from openkap.core.time import utcnow
from openkap.inventory.counts import service as counts
from openkap.inventory.models import Drug, LotBalance
from openkap.inventory.schemas import (
    CountComplete,
    CountedLot,
    LocationCreate,
    LotCreate,
    ProductCreate,
    ReceiptCreate,
    WasteCreate,
)
from openkap.inventory.stock import catalog, service

STOCK_KEY = "openkap.demo.stock"
SUPPLIER = "Cascade Medical Supply (DEA-registered distributor)"
SUPPLIER_ADDRESS = "1200 Industrial Way, Tualatin, OR 97062"
SUPPLIER_DEA = "RC2468139"
SHELF_LIFE = timedelta(days=540)
MARGIN = Decimal("1.1")


@dataclass(frozen=True)
class DemoProduct:
    """A product the demo clinic stocks, and how many units one order brings."""

    key: str
    name: str
    drug: Drug
    form: str
    strength: str
    unit: str
    mg_per_unit: Decimal
    units_per_order: int
    ndc: str | None = None


PRODUCTS = (
    DemoProduct(
        "iv", "Ketamine HCl injection 10 mg/mL, 20 mL vial", Drug.racemic_ketamine,
        "injection", "10 mg/mL", "vial", Decimal(200), 25, "42023-0113-10",
    ),
    DemoProduct(
        "im", "Ketamine HCl injection 50 mg/mL, 10 mL vial", Drug.racemic_ketamine,
        "injection", "50 mg/mL", "vial", Decimal(500), 5, "42023-0115-10",
    ),
    DemoProduct(
        "sublingual", "Ketamine troche 100 mg (compounded)", Drug.racemic_ketamine,
        "troche", "100 mg", "troche", Decimal(100), 60,
    ),
    DemoProduct(
        "intranasal", "Spravato (esketamine) nasal spray device 28 mg", Drug.esketamine,
        "nasal spray", "28 mg per device", "device", Decimal(28), 84, "50458-0028-02",
    ),
)  # fmt: skip


@dataclass
class DemoStock:
    """The safe and the lot in use per product, with what is left of it."""

    location_id: uuid.UUID
    product_ids: dict[str, uuid.UUID]
    nurse: Principal
    lots: dict[str, uuid.UUID] = field(default_factory=dict)
    orders: int = 0

    def lot_for(self, context: DemoContext, route: str, mg: Decimal) -> uuid.UUID:
        """Return the lot to draw mg from, receiving a new order when the current one is short.

        The ledger's own balance decides, with a margin: the dose drawn is the volume measured
        at the syringe's precision, which can be a little more than the dose ordered.
        """
        lot_id = self.lots.get(route)
        if lot_id is None or self.balance(context, lot_id) < mg * MARGIN:
            lot_id = self._receive(context, route)
            self.lots[route] = lot_id
        return lot_id

    def balance(self, context: DemoContext, lot_id: uuid.UUID) -> Decimal:
        """Return what the ledger holds of a lot in the safe."""
        balance = context.session.scalars(
            select(LotBalance.balance_mg).where(
                LotBalance.lot_id == lot_id, LotBalance.location_id == self.location_id
            )
        ).first()
        return Decimal(0) if balance is None else balance

    def _receive(self, context: DemoContext, route: str) -> uuid.UUID:
        product = next(p for p in PRODUCTS if p.key == route)
        self.orders += 1
        lot = catalog.create_lot(
            context.session,
            data=LotCreate(
                product_id=self.product_ids[route],
                lot_number=f"{route[:2].upper()}{context.rng.randint(10000, 99999)}",
                expiry=utcnow().date() + SHELF_LIFE,
                supplier=SUPPLIER,
            ),
            by=self.nurse,
        )
        quantity = product.mg_per_unit * product.units_per_order
        service.record_receipt(
            context.session,
            data=ReceiptCreate(
                lot_id=lot.id,
                location_id=self.location_id,
                quantity_mg=quantity,
                supplier=SUPPLIER,
                supplier_address=SUPPLIER_ADDRESS,
                supplier_dea_registration=SUPPLIER_DEA,
                invoice_number=f"INV-{2026_0000 + self.orders}",
            ),
            by=self.nurse,
        )
        return lot.id


def _principal(context: DemoContext, role: Role) -> Principal:
    return Principal(user=context.staff[role][0], client_address="demo")


def generate(context: DemoContext) -> None:
    """Create the products and the medication safe the dosing sessions draw from."""
    nurse = _principal(context, Role.nurse)
    products = {
        p.key: catalog.create_product(
            context.session,
            data=ProductCreate(
                name=p.name,
                drug=p.drug,
                form=p.form,
                strength=p.strength,
                unit=p.unit,
                mg_per_unit=p.mg_per_unit,
                ndc=p.ndc,
            ),
            by=nurse,
        ).id
        for p in PRODUCTS
    }
    safe = catalog.create_location(
        context.session,
        data=LocationCreate(name="Medication safe, dosing suite", site="Riverside main clinic"),
        by=nurse,
    )
    context.shared[STOCK_KEY] = DemoStock(location_id=safe.id, product_ids=products, nurse=nurse)
    context.advance(context.patient_count)


def demo_stock(context: DemoContext) -> DemoStock:
    """Return the stock `generate` set up."""
    stock = context.shared[STOCK_KEY]
    assert isinstance(stock, DemoStock), "the inventory generator runs before dosing"
    return stock


def close(context: DemoContext) -> None:
    """Count the safe twice: once matching, once with an explained, twice-signed discrepancy."""
    stock = demo_stock(context)
    nurse, prescriber = stock.nurse, _principal(context, Role.prescriber)
    _waste_damaged_device(context, stock, prescriber)
    _count(context, stock, nurse, short_mg=Decimal(0))
    count = _count(context, stock, nurse, short_mg=Decimal(2))
    if count is not None:
        counts.sign_count(context.session, count_id=count, by=prescriber)
    context.advance(context.patient_count)


def _waste_damaged_device(context: DemoContext, stock: DemoStock, witness: Principal) -> None:
    lot_id = stock.lots.get("intranasal")
    if lot_id is None or stock.balance(context, lot_id) < Decimal(28):
        return
    service.record_waste(
        context.session,
        data=WasteCreate(
            lot_id=lot_id,
            location_id=stock.location_id,
            quantity_mg=Decimal(28),
            reason="Device dropped and cracked while unpacking; not usable.",
            witness_email=witness.user.email,
            witness_password=SecretStr(DEMO_PASSWORD),
        ),
        by=stock.nurse,
    )


def _count(
    context: DemoContext, stock: DemoStock, nurse: Principal, *, short_mg: Decimal
) -> uuid.UUID | None:
    count = counts.start_count(context.session, location_id=stock.location_id, by=nurse)
    lines = counts.count_lines(context.session, count=count)
    if not lines:
        return None
    counted = [CountedLot(lot_id=line.lot_id, counted_mg=line.expected_mg) for line in lines]
    vial_lot = stock.lots.get("iv")
    open_vial = next(
        (c for c in counted if c.lot_id == vial_lot and c.counted_mg >= short_mg > 0), None
    )
    if open_vial is not None:
        open_vial.counted_mg -= short_mg
        # An opened 20 mL vial is measured by eye: an estimate the rule allows.
        open_vial.estimated, open_vial.container_units = True, Decimal(20)
    explanation = (
        "0.2 mL short on the open vial: residue left in the filter needle at the last draw; "
        "reviewed with the pharmacist, no diversion suspected."
        if open_vial is not None
        else None
    )
    counts.complete_count(
        context.session,
        count_id=count.id,
        data=CountComplete(lines=counted, explanation=explanation),
        by=nurse,
    )
    return count.id if open_vial is not None else None
