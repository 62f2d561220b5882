"""Corrections and other adjustments that lower stock: bounded, witnessed, or a loss report.

A correction references the entry it corrects and may reverse at most what that entry moved,
less what earlier corrections of it already reversed. A correction that lowers stock needs a
witness who authenticates (inventory.witness). Lowering stock beyond what the corrected entry
recorded (more given or wasted than written) is allowed up to ADJUSTMENT_DECREASE_LIMIT_MG in
all; beyond that it is a theft or loss, reported on DEA Form 106 (service.report_loss). Counts
obey the same limit (counts.complete_count).
"""

import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.core.principal import Principal
from openkap.inventory.access import require_recorder
from openkap.inventory.errors import CorrectionExceedsEntry, DecreaseNeedsLossReport
from openkap.inventory.ledger import post_entry
from openkap.inventory.models import EntryKind, LedgerEntry
from openkap.inventory.schemas import CorrectionCreate
from openkap.inventory.stock import catalog
from openkap.inventory.witness import authenticate_witness

ADJUSTMENT_DECREASE_LIMIT_MG = Decimal(10)
# Entries that are themselves adjustments: correct the original entry, or count again.
_NOT_CORRECTABLE = {EntryKind.correction.value, EntryKind.count_adjustment.value}
LOSS_FORM = "record it as theft or loss with DEA Form 106 data (POST /api/v1/inventory/losses)"


def refuse_large_decrease(*, decrease_mg: Decimal, what: str, field: str) -> None:
    """Refuse an adjustment that lowers stock by more than the limit: that is a loss report."""
    if decrease_mg > ADJUSTMENT_DECREASE_LIMIT_MG:
        raise DecreaseNeedsLossReport(
            f"Larger decreases go through theft or loss: {what} lowers stock by {decrease_mg} mg; "
            f"an adjustment may lower it by at most {ADJUSTMENT_DECREASE_LIMIT_MG} mg. "
            f"Instead, {LOSS_FORM}.",
            field=field,
        )


def corrected_so_far(session: Session, *, entry: LedgerEntry) -> Decimal:
    """Return the sum of the corrections already made to an entry."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.quantity_mg), 0)).where(
            LedgerEntry.corrects_entry_id == entry.id
        )
    )
    return Decimal(total or 0)


def check_correction(original: LedgerEntry, *, earlier: Decimal, change: Decimal) -> None:
    """Refuse a change that reverses more than the entry moved, or augments it beyond the limit."""
    recorded = original.quantity_mg
    net = recorded + earlier + change
    if (net < 0 < recorded) or (net > 0 > recorded):
        left = abs(recorded + earlier)
        raise CorrectionExceedsEntry(
            f"A correction can reverse at most the quantity of the entry it corrects: entry "
            f"{original.id} ({original.kind}) moved {recorded} mg, {left} mg of it is left to "
            f"reverse after earlier corrections ({earlier} mg); {change} mg would reverse more.",
            field="quantity_mg",
        )
    beyond = abs(net) - abs(recorded)
    if beyond > 0 and recorded > 0:
        raise CorrectionExceedsEntry(
            f"A correction may not add stock beyond the entry it corrects ({recorded} mg): "
            "record a receipt for stock that arrived.",
            field="quantity_mg",
        )
    if beyond > 0:
        what = f"correcting entry {original.id} by {change} mg"
        refuse_large_decrease(decrease_mg=beyond, what=what, field="quantity_mg")


def correct_entry(
    session: Session, *, entry_id: uuid.UUID, data: CorrectionCreate, by: Principal
) -> LedgerEntry:
    """Append a bounded correction of an earlier entry; a decrease needs a witness."""
    require_recorder(by)
    original = catalog.get_entry(session, entry_id=entry_id, by=by)
    if original.kind in _NOT_CORRECTABLE:
        raise CorrectionExceedsEntry(
            f"Entry {original.id} is a {original.kind}; correct the entry it adjusts, or count "
            "again.",
            field="entry_id",
        )
    check_correction(
        original, earlier=corrected_so_far(session, entry=original), change=data.quantity_mg
    )
    witness = authenticate_witness(session, by=by, data=data) if data.quantity_mg < 0 else None
    lot = catalog.get_lot(session, lot_id=original.lot_id, by=by, field="lot_id")
    location = catalog.get_location(session, location_id=original.location_id, by=by)
    return post_entry(
        session,
        by=by,
        kind=EntryKind.correction,
        lot=lot,
        location=location,
        quantity_mg=Decimal(data.quantity_mg),
        reason=data.reason,
        corrects_entry_id=original.id,
        patient_id=original.patient_id,
        **(witness.fields() if witness else {}),
    )
