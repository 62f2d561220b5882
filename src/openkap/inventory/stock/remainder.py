"""The undelivered part of a drawn dose: the ledger keeps what was delivered, and where the rest
went.

A dose is drawn whole when it is given (service.draw_for_administration). When the
administration stops early, the dose entry is corrected by the undelivered part (so the ledger
records what was delivered; corrections.check_correction bounds it by the dose), and that part is
either returned to stock, only as whole unopened devices, or wasted with a witness who
authenticates (inventory.witness). Both entries are written together or not at all.
"""

from decimal import Decimal

from sqlalchemy.orm import Session

from openkap.core.principal import Principal
from openkap.inventory.access import require_recorder
from openkap.inventory.errors import CorrectionExceedsEntry, RemainderNotReturnable
from openkap.inventory.ledger import post_entry
from openkap.inventory.models import EntryKind, LedgerEntry, Lot, Product, StockLocation
from openkap.inventory.schemas import Disposition, RemainderCreate
from openkap.inventory.stock import catalog
from openkap.inventory.stock.corrections import check_correction, corrected_so_far
from openkap.inventory.witness import Witness, authenticate_witness

# Products whose unit is sealed until used: an unused one goes back to stock.
RETURNABLE_UNITS = frozenset({"device"})


def _refuse_unreturnable(product: Product, undelivered_mg: Decimal) -> None:
    whole = (undelivered_mg / product.mg_per_unit) % 1 == 0
    if product.unit not in RETURNABLE_UNITS or not whole:
        raise RemainderNotReturnable(
            f"Only unopened devices go back to stock: {undelivered_mg} mg of {product.name} "
            f"({product.mg_per_unit} mg per {product.unit}) is not a number of whole unopened "
            "devices. Waste it with a witness instead.",
            field="disposition",
        )


def _dose_entry(session: Session, data: RemainderCreate, by: Principal) -> LedgerEntry:
    dose = catalog.get_entry(session, entry_id=data.dose_entry_id, by=by)
    if dose.kind != EntryKind.administration.value:
        raise CorrectionExceedsEntry(
            f"Entry {dose.id} is a {dose.kind}, not an administered dose.", field="dose_entry_id"
        )
    return dose


def _waste_remainder(
    session: Session,
    *,
    dose: LedgerEntry,
    lot: Lot,
    location: StockLocation,
    mg: Decimal,
    witness: Witness,
    by: Principal,
) -> LedgerEntry:
    return post_entry(
        session, by=by, kind=EntryKind.waste, lot=lot, location=location, quantity_mg=-mg,
        reason="Undelivered remainder of a stopped administration", related_entry_id=dose.id,
        patient_id=dose.patient_id, **witness.fields(),
    )  # fmt: skip


def settle_undelivered(
    session: Session, *, data: RemainderCreate, by: Principal
) -> list[LedgerEntry]:
    """Correct a dose to what was delivered and return or waste (witnessed) what was not."""
    require_recorder(by)
    dose = _dose_entry(session, data, by)
    lot = catalog.get_lot(session, lot_id=dose.lot_id, by=by, field="dose_entry_id")
    check_correction(
        dose, earlier=corrected_so_far(session, entry=dose), change=data.undelivered_mg
    )
    if data.disposition is Disposition.returned:
        product = catalog.get_product(session, product_id=lot.product_id, by=by)
        _refuse_unreturnable(product, data.undelivered_mg)
    wasted = data.disposition is Disposition.wasted
    witness = authenticate_witness(session, by=by, data=data) if wasted else None
    location = catalog.get_location(session, location_id=dose.location_id, by=by)
    back = post_entry(
        session, by=by, kind=EntryKind.correction, lot=lot, location=location,
        quantity_mg=data.undelivered_mg, corrects_entry_id=dose.id, patient_id=dose.patient_id,
        reason=f"Not delivered: the administration stopped early ({data.disposition.value})",
    )  # fmt: skip
    if witness is None:
        return [back]
    wasted_entry = _waste_remainder(
        session, dose=dose, lot=lot, location=location, mg=data.undelivered_mg, witness=witness,
        by=by,
    )  # fmt: skip
    return [back, wasted_entry]
