"""Stock views: balances, the entry history, counts, and the biennial inventory (CSV and PDF)."""

import csv
import enum
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal
from openkap.core import audit
from openkap.core.errors import BadRequest
from openkap.core.models import Organization, User
from openkap.core.permissions import Permission, allows
from openkap.core.time import utcnow
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
_CSV_HEADER = [
    "drug", "product", "form", "strength", "ndc", "lot_number", "expiry", "site", "location",
    "balance_mg", "balance_units", "unit",
]  # fmt: skip
_ORDER = (Product.drug, Product.name, Lot.expiry, Lot.lot_number, StockLocation.name)
_MG = Decimal("0.001")


class InventoryTime(enum.StrEnum):
    """When on its date an inventory is taken, as the DEA asks it to be stated."""

    opening = "opening"
    close = "close"


@dataclass(frozen=True)
class InventoryLine:
    """One lot at one location on hand at the inventory's time."""

    product_id: uuid.UUID
    drug: str
    product: str
    form: str
    strength: str
    ndc: str
    lot_number: str
    expiry: date
    site: str
    location: str
    balance_mg: Decimal
    balance_units: Decimal
    unit: str


@dataclass(frozen=True)
class ProductTotal:
    """All stock of one product on hand at the inventory's time."""

    product: str
    strength: str
    unit: str
    balance_mg: Decimal
    balance_units: Decimal


@dataclass(frozen=True)
class BiennialInventory:
    """The table both the CSV and the PDF of the biennial inventory are made from."""

    clinic: str
    as_of: date
    taken_at: InventoryTime
    cutoff: datetime
    lines: list[InventoryLine]

    @property
    def totals(self) -> list[ProductTotal]:
        """Return the quantity on hand per product, in the order of the lines."""
        totals: dict[uuid.UUID, ProductTotal] = {}
        for line in self.lines:
            seen = totals.get(line.product_id)
            mg = line.balance_mg + (seen.balance_mg if seen else 0)
            units = line.balance_units + (seen.balance_units if seen else 0)
            totals[line.product_id] = ProductTotal(
                line.product, line.strength, line.unit, mg, units
            )
        return list(totals.values())


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
    """Return the clinic's users by name, to show recorders and choose witnesses."""
    require_reader(by)
    query = select(User).where(User.organization_id == by.organization_id)
    return list(session.scalars(query.order_by(User.full_name, User.id)))


def eligible_witnesses(session: Session, *, by: Principal) -> list[User]:
    """Return who may witness the caller's entries: other active nurses and prescribers."""
    return [
        user
        for user in clinic_staff(session, by=by)
        if user.is_active
        and user.id != by.user.id
        and allows(user.roles, Permission.inventory_record)
    ]


def list_counts(session: Session, *, by: Principal, limit: int = 50) -> list[InventoryCount]:
    """Return the clinic's latest counts, newest first."""
    require_reader(by)
    query = select(InventoryCount).order_by(InventoryCount.started_at.desc(), InventoryCount.id)
    return list(session.scalars(query.limit(limit)))


def _cutoff(as_of: date, taken_at: InventoryTime) -> datetime:
    if as_of > utcnow().date():
        raise BadRequest(
            "The inventory date may not be in the future.", status_code=422, field="as_of"
        )
    day = as_of if taken_at is InventoryTime.opening else as_of + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=UTC)


def _line(product: Product, lot: Lot, location: StockLocation, amount: Decimal) -> InventoryLine:
    mg = Decimal(amount).quantize(_MG)
    return InventoryLine(
        product_id=product.id,
        drug=product.drug,
        product=product.name,
        form=product.form,
        strength=product.strength,
        ndc=product.ndc or "",
        lot_number=lot.lot_number,
        expiry=lot.expiry,
        site=location.site,
        location=location.name,
        balance_mg=mg,
        balance_units=(mg / product.mg_per_unit).quantize(_MG),
        unit=product.unit,
    )


def biennial_inventory(
    session: Session,
    *,
    by: Principal,
    as_of: date,
    taken_at: InventoryTime = InventoryTime.close,
) -> BiennialInventory:
    """Return every lot's balance per location at the opening or close of a day (UTC)."""
    require_reader(by)
    cutoff = _cutoff(as_of, taken_at)
    sums = select(
        LedgerEntry.lot_id,
        LedgerEntry.location_id,
        func.sum(LedgerEntry.quantity_mg).label("total"),
    ).where(LedgerEntry.occurred_at < cutoff, LedgerEntry.organization_id == by.organization_id)
    totals = sums.group_by(LedgerEntry.lot_id, LedgerEntry.location_id).subquery()
    query = (
        select(Product, Lot, StockLocation, totals.c.total)
        .join(Lot, Lot.product_id == Product.id)
        .join(totals, totals.c.lot_id == Lot.id)
        .join(StockLocation, StockLocation.id == totals.c.location_id)
        .order_by(*_ORDER)
    )
    lines = [_line(*row) for row in session.execute(query)]
    audit.record(
        session,
        actor=by.actor,
        action="inventory.report.biennial",
        resource_type="inventory_report",
        detail=f"as_of={as_of.isoformat()} taken_at={taken_at.value}",
    )
    clinic = session.get(Organization, by.organization_id)
    return BiennialInventory(clinic.name if clinic else "", as_of, taken_at, cutoff, lines)


def biennial_inventory_csv(
    session: Session,
    *,
    by: Principal,
    as_of: date,
    taken_at: InventoryTime = InventoryTime.close,
) -> str:
    """Return every lot's balance per location at the end (or start) of a day, as CSV."""
    return inventory_csv(biennial_inventory(session, by=by, as_of=as_of, taken_at=taken_at))


def biennial_inventory_pdf(
    session: Session,
    *,
    by: Principal,
    as_of: date,
    taken_at: InventoryTime = InventoryTime.close,
) -> bytes:
    """Return the biennial inventory as a PDF to sign and keep on file."""
    return inventory_pdf(biennial_inventory(session, by=by, as_of=as_of, taken_at=taken_at))


def inventory_csv(report: BiennialInventory) -> str:
    """Render an inventory as CSV, one row per lot and location."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_HEADER)
    for line in report.lines:
        row = [
            line.drug, line.product, line.form, line.strength, line.ndc, line.lot_number,
            line.expiry.isoformat(), line.site, line.location, line.balance_mg,
            line.balance_units, line.unit,
        ]  # fmt: skip
        writer.writerow([_safe(value) for value in row])
    return out.getvalue()


def _safe(value: object) -> str:
    # Spreadsheet programs run cells that start with these characters as formulas.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class _InventoryPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, f"Generated by OpenKAP - page {self.page_no()} of {{nb}}", align="C")


def _latin1(value: object) -> str:
    # The PDF's built-in fonts cover Latin-1; anything else prints as "?" rather than failing.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _pdf_heading(pdf: FPDF, report: BiennialInventory) -> None:
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "Biennial controlled-substance inventory", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    moment = "opening" if report.taken_at is InventoryTime.opening else "close"
    facts = [
        ("Registrant (clinic)", report.clinic),
        ("DEA registration number", ""),
        ("Registered address", ""),
        ("Schedules", "III (ketamine, esketamine)"),
        ("Inventory date", f"{report.as_of.isoformat()}, at {moment} of business"),
        ("Stock counted", f"all entries before {report.cutoff:%Y-%m-%d %H:%M} UTC"),
    ]
    for label, value in facts:
        pdf.cell(55, 7, f"{label}:")
        text = _latin1(value) if value else "_" * 60
        pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _pdf_table(pdf: FPDF, headings: list[str], rows: list[list[str]], widths: list[int]) -> None:
    pdf.set_font("Helvetica", size=8)
    align = ["LEFT"] * (len(widths) - 2) + ["RIGHT", "RIGHT"]
    with pdf.table(col_widths=widths, text_align=align, line_height=5) as table:
        table.row(headings)
        for row in rows:
            table.row([_latin1(cell) for cell in row])
    pdf.ln(4)


def _pdf_signatures(pdf: FPDF) -> None:
    pdf.set_font("Helvetica", size=10)
    for role in ("Inventory taken by", "Witnessed / registrant"):
        pdf.cell(0, 10, f"{role}: name {'_' * 35}  signature {'_' * 35}  date {'_' * 15}")
        pdf.ln(12)


def inventory_pdf(report: BiennialInventory) -> bytes:
    """Render an inventory as a PDF: registrant, date and time, stock, totals, signatures."""
    pdf = _InventoryPdf(orientation="landscape", format="letter")
    pdf.set_creator("OpenKAP")
    pdf.set_title(f"Biennial inventory {report.as_of.isoformat()}")
    pdf.add_page()
    _pdf_heading(pdf, report)
    headings = ["Product", "Form", "Strength", "NDC", "Lot", "Expiry", "Site", "Location"]
    rows = [
        [
            line.product, line.form, line.strength, line.ndc, line.lot_number,
            line.expiry.isoformat(), line.site, line.location, str(line.balance_mg),
            f"{line.balance_units} {line.unit}",
        ]
        for line in report.lines
    ]  # fmt: skip
    widths = [46, 22, 22, 22, 22, 20, 24, 26, 22, 24]
    _pdf_table(pdf, [*headings, "On hand (mg)", "On hand (units)"], rows, widths)
    if not report.lines:
        pdf.cell(0, 7, "No stock on hand.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    totals = [
        [t.product, t.strength, str(t.balance_mg), f"{t.balance_units} {t.unit}"]
        for t in report.totals
    ]
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, "Totals per product", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _pdf_table(
        pdf, ["Product", "Strength", "On hand (mg)", "On hand (units)"], totals, [80, 50, 40, 40]
    )
    _pdf_signatures(pdf)
    return bytes(pdf.output())
