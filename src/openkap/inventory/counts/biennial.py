"""The biennial inventory: built from the completed physical counts of its day, not the books.

21 CFR 1304.11 asks for an actual count of the stock on hand. Each location that held stock that
day needs a count completed on that day (counts.complete_count, with the second signature when
it differed); otherwise the inventory is refused, naming the locations to count. Opened
containers of Schedule III-V holding up to 1,000 units may be estimated (1304.11(e)(3)); those
lines are marked "estimated". The registrant's sites print with their address and DEA
registration. CSV and PDF (inventory.counts.pdf) are rendered from one table.
"""

import csv
import enum
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import BadRequest
from openkap.core.models import Organization, Site
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.inventory.access import require_reader
from openkap.inventory.errors import BiennialNeedsPhysicalCount
from openkap.inventory.models import (
    CountStatus,
    InventoryCount,
    InventoryCountLine,
    LedgerEntry,
    Lot,
    Product,
    StockLocation,
)

_CSV_HEADER = [
    "drug", "product", "form", "strength", "ndc", "lot_number", "expiry", "site", "site_address",
    "site_dea_registration", "location", "balance_mg", "balance_units", "unit", "count",
    "count_id", "counted_at",
]  # fmt: skip
_MG = Decimal("0.001")


class InventoryTime(enum.StrEnum):
    """When on its date an inventory is taken, as the DEA asks it to be stated."""

    opening = "opening"
    close = "close"


@dataclass(frozen=True)
class SiteRegistration:
    """A site of the registrant, as its controlled-substance records name it."""

    name: str
    address: str
    dea_registration: str


@dataclass(frozen=True, kw_only=True)
class InventoryLine:
    """One lot at one location, as physically counted."""

    product_id: uuid.UUID
    drug: str
    product: str
    form: str
    strength: str
    ndc: str
    lot_number: str
    expiry: date
    site: SiteRegistration
    location: str
    balance_mg: Decimal
    balance_units: Decimal
    unit: str
    estimated: bool
    count_id: uuid.UUID
    counted_at: datetime


@dataclass(frozen=True)
class ProductTotal:
    """All counted stock of one product."""

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
    sites: list[SiteRegistration]
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


def _day(as_of: date) -> tuple[datetime, datetime]:
    if as_of > utcnow().date():
        raise BadRequest(
            "The inventory date may not be in the future.", status_code=422, field="as_of"
        )
    start = datetime.combine(as_of, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def completed_at(count: InventoryCount) -> datetime | None:
    """Return when a count was completed: its last signature."""
    if count.status != CountStatus.completed.value:
        return None
    return count.second_signed_at or count.first_signed_at


def _counts_of_day(
    session: Session, start: datetime, end: datetime, site: str | None
) -> dict[uuid.UUID, InventoryCount]:
    done = func.coalesce(InventoryCount.second_signed_at, InventoryCount.first_signed_at)
    query = (
        select(InventoryCount)
        .where(InventoryCount.status == CountStatus.completed.value, done >= start, done < end)
        .order_by(done)
    )
    if site is not None:
        query = query.where(InventoryCount.location_id.in_(_site_locations(site)))
    # The day's last completed count of each location is its inventory.
    return {count.location_id: count for count in session.scalars(query)}


def _site_locations(site: str) -> Select[uuid.UUID]:
    return select(StockLocation.id).where(StockLocation.site == site)


def _holding_locations(session: Session, end: datetime, site: str | None) -> list[StockLocation]:
    held = (
        select(LedgerEntry.location_id)
        .where(LedgerEntry.occurred_at < end)
        .group_by(LedgerEntry.location_id, LedgerEntry.lot_id)
        .having(func.sum(LedgerEntry.quantity_mg) != 0)
    )
    query = select(StockLocation).where(StockLocation.id.in_(held))
    if site is not None:
        query = query.where(StockLocation.site == site)
    return list(session.scalars(query.order_by(StockLocation.site, StockLocation.name)))


def _sites(session: Session, site: str | None) -> dict[str, SiteRegistration]:
    query = select(Site).order_by(Site.name)
    found = session.scalars(query if site is None else query.where(Site.name == site))
    return {s.name: SiteRegistration(s.name, s.address, s.dea_registration) for s in found}


def _refuse_uncounted(
    session: Session,
    *,
    as_of: date,
    end: datetime,
    site: str | None,
    counted: dict[uuid.UUID, InventoryCount],
) -> None:
    missing = [loc for loc in _holding_locations(session, end, site) if loc.id not in counted]
    if missing or not counted:
        names = ", ".join(f"{loc.site} · {loc.name}" for loc in missing) or "any location"
        raise BiennialNeedsPhysicalCount(
            "The biennial inventory is a physical count, not the book balance: no count "
            f"completed on {as_of.isoformat()} (UTC) for {names}. Count each location that "
            "holds stock that day (Counts), then build the inventory.",
            field="as_of",
        )


def _line(
    row: tuple[InventoryCountLine, Lot, Product],
    count: InventoryCount,
    location: StockLocation,
    site: SiteRegistration,
) -> InventoryLine:
    line, lot, product = row
    mg = Decimal(line.counted_mg or 0).quantize(_MG)
    moment = completed_at(count)
    assert moment is not None
    return InventoryLine(
        product_id=product.id, drug=product.drug, product=product.name, form=product.form,
        strength=product.strength, ndc=product.ndc or "", lot_number=lot.lot_number,
        expiry=lot.expiry, site=site, location=location.name, balance_mg=mg,
        balance_units=(mg / product.mg_per_unit).quantize(_MG), unit=product.unit,
        estimated=line.estimated, count_id=count.id, counted_at=moment,
    )  # fmt: skip


def _count_lines(
    session: Session, count: InventoryCount, sites: dict[str, SiteRegistration]
) -> list[InventoryLine]:
    location = session.get(StockLocation, (count.organization_id, count.location_id))
    assert location is not None
    site = sites.get(location.site) or SiteRegistration(location.site, "", "")
    query = (
        select(InventoryCountLine, Lot, Product)
        .join(Lot, Lot.id == InventoryCountLine.lot_id)
        .join(Product, Product.id == Lot.product_id)
        .where(InventoryCountLine.count_id == count.id, InventoryCountLine.counted_mg != 0)
        .order_by(Product.drug, Product.name, Lot.expiry, Lot.lot_number)
    )
    return [_line((a, b, c), count, location, site) for a, b, c in session.execute(query)]


def biennial_inventory(
    session: Session,
    *,
    by: Principal,
    as_of: date,
    taken_at: InventoryTime = InventoryTime.close,
    site: str | None = None,
) -> BiennialInventory:
    """Return the day's inventory (of one site, or all) from its completed physical counts."""
    require_reader(by)
    start, end = _day(as_of)
    counted = _counts_of_day(session, start, end, site)
    _refuse_uncounted(session, as_of=as_of, end=end, site=site, counted=counted)
    sites = _sites(session, site)
    lines = [line for count in counted.values() for line in _count_lines(session, count, sites)]
    lines.sort(key=lambda line: (line.drug, line.product, line.expiry, line.lot_number))
    audit.record(
        session,
        actor=by.actor,
        action="inventory.report.biennial",
        resource_type="inventory_report",
        detail=f"as_of={as_of.isoformat()} taken_at={taken_at.value} site={site or 'all'}",
    )
    clinic = session.get(Organization, by.organization_id)
    name = clinic.name if clinic else ""
    return BiennialInventory(name, as_of, taken_at, list(sites.values()), lines)


def inventory_csv(report: BiennialInventory) -> str:
    """Render an inventory as CSV, one row per counted lot and location."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_HEADER)
    for line in report.lines:
        row = [
            line.drug, line.product, line.form, line.strength, line.ndc, line.lot_number,
            line.expiry.isoformat(), line.site.name, line.site.address,
            line.site.dea_registration, line.location, line.balance_mg, line.balance_units,
            line.unit, "estimated" if line.estimated else "exact", line.count_id,
            line.counted_at.isoformat(timespec="seconds"),
        ]  # fmt: skip
        writer.writerow([_safe(value) for value in row])
    return out.getvalue()


def _safe(value: object) -> str:
    # Spreadsheet programs run cells that start with these characters as formulas.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def biennial_inventory_csv(
    session: Session,
    *,
    by: Principal,
    as_of: date,
    taken_at: InventoryTime = InventoryTime.close,
    site: str | None = None,
) -> str:
    """Return the day's counted inventory as CSV."""
    report = biennial_inventory(session, by=by, as_of=as_of, taken_at=taken_at, site=site)
    return inventory_csv(report)
