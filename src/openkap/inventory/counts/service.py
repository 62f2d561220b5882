"""Periodic counts: expected against counted, explained and signed twice when they differ."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import BadRequest
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.inventory.access import require_reader, require_recorder
from openkap.inventory.errors import (
    CountStateError,
    EstimateNotAllowed,
    ExplanationRequired,
    InventoryRecordNotFound,
    StockMovedDuringCount,
)
from openkap.inventory.ledger import lock_balance, post_entry
from openkap.inventory.models import (
    CountStatus,
    EntryKind,
    InventoryCount,
    InventoryCountLine,
    LotBalance,
)
from openkap.inventory.schemas import CountComplete, CountedLot
from openkap.inventory.stock import catalog
from openkap.inventory.stock.corrections import refuse_large_decrease
from openkap.inventory.witness import COUNT_SIGNATURE

# 21 CFR 1304.11(e)(3): an opened container holding more than 1,000 units is counted exactly.
ESTIMATE_MAX_CONTAINER_UNITS = 1000


def _audit(session: Session, *, by: Principal, action: str, count: InventoryCount) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=f"inventory.count.{action}",
        resource_type="inventory_count",
        resource_id=count.id,
    )


def get_count(session: Session, *, count_id: uuid.UUID, by: Principal) -> InventoryCount:
    """Return a count of the caller's clinic."""
    require_reader(by)
    count = session.get(InventoryCount, (by.organization_id, count_id))
    if count is None:
        raise InventoryRecordNotFound("No such count.")
    return count


def count_lines(session: Session, *, count: InventoryCount) -> list[InventoryCountLine]:
    """Return the lines of a count."""
    query = select(InventoryCountLine).where(InventoryCountLine.count_id == count.id)
    return list(session.scalars(query.order_by(InventoryCountLine.lot_id)))


def start_count(session: Session, *, location_id: uuid.UUID, by: Principal) -> InventoryCount:
    """Open a count of a location, noting the expected quantity of every lot held there."""
    require_recorder(by)
    location = catalog.get_location(session, location_id=location_id, by=by, field="location_id")
    count = InventoryCount(
        organization_id=by.organization_id, location_id=location.id, started_by_id=by.user.id
    )
    session.add(count)
    session.flush()
    balances = session.scalars(select(LotBalance).where(LotBalance.location_id == location.id))
    for balance in balances:
        session.add(
            InventoryCountLine(
                organization_id=by.organization_id,
                count_id=count.id,
                lot_id=balance.lot_id,
                balance_version=balance.version,
                expected_mg=balance.balance_mg,
            )
        )
    session.flush()
    _audit(session, by=by, action="start", count=count)
    return count


def _check_unmoved(
    session: Session, *, by: Principal, count: InventoryCount, lines: list[InventoryCountLine]
) -> None:
    for line in lines:
        balance = lock_balance(session, by=by, lot_id=line.lot_id, location_id=count.location_id)
        if balance.version != line.balance_version:
            raise StockMovedDuringCount(
                "Stock moved at this location after the count started: start a new count."
            )


def _fill_counted(lines: list[InventoryCountLine], counted: Sequence[CountedLot]) -> None:
    by_lot = {item.lot_id: item.counted_mg for item in counted}
    expected_lots = {line.lot_id for line in lines}
    if set(by_lot) != expected_lots or len(by_lot) != len(counted):
        raise BadRequest(
            "Give exactly one counted quantity for every lot of the count.",
            status_code=422,
            field="lines",
        )
    items = {item.lot_id: item for item in counted}
    for line in lines:
        item = items[line.lot_id]
        check_estimate(item)
        line.counted_mg = by_lot[line.lot_id]
        line.estimated, line.container_units = item.estimated, item.container_units


def check_estimate(item: CountedLot) -> None:
    """Allow an estimate only of an opened container holding at most 1,000 units."""
    if not item.estimated:
        return
    # Ketamine and esketamine are Schedule III, so 1304.11(e)(3)'s estimate is open to them.
    if item.container_units is None or item.container_units > ESTIMATE_MAX_CONTAINER_UNITS:
        held = "is not given" if item.container_units is None else f"is {item.container_units}"
        raise EstimateNotAllowed(
            "A count may estimate only an opened Schedule III-V container holding at most "
            f"{ESTIMATE_MAX_CONTAINER_UNITS} units (21 CFR 1304.11(e)(3)); the container size of "
            f"lot {item.lot_id} {held}: count it exactly.",
            field="lines",
        )


def _refuse_large_shortfall(lines: list[InventoryCountLine]) -> None:
    for line in lines:
        assert line.counted_mg is not None
        refuse_large_decrease(
            decrease_mg=line.expected_mg - line.counted_mg,
            what=f"the count of lot {line.lot_id} ({line.counted_mg} mg of {line.expected_mg} mg)",
            field="lines",
        )


def complete_count(
    session: Session, *, count_id: uuid.UUID, data: CountComplete, by: Principal
) -> InventoryCount:
    """Record what was counted and sign; a discrepancy needs an explanation and a second signer."""
    require_recorder(by)
    count = get_count(session, count_id=count_id, by=by)
    if count.status != CountStatus.open.value:
        raise CountStateError("This count is already completed.")
    lines = count_lines(session, count=count)
    _fill_counted(lines, data.lines)
    _check_unmoved(session, by=by, count=count, lines=lines)
    _refuse_large_shortfall(lines)
    differs = any(line.counted_mg != line.expected_mg for line in lines)
    explanation = (data.explanation or "").strip()
    if differs and not explanation:
        raise ExplanationRequired(
            "The count differs from the expected stock: explain the discrepancy.",
            field="explanation",
        )
    count.explanation = explanation or None
    count.first_signer_id = by.user.id
    count.first_signed_at = utcnow()
    done = CountStatus.awaiting_second_signature if differs else CountStatus.completed
    count.status = done.value
    session.flush()
    _audit(session, by=by, action="complete", count=count)
    return count


def sign_count(session: Session, *, count_id: uuid.UUID, by: Principal) -> InventoryCount:
    """Add the second signature to a discrepant count and post its adjustments to the ledger."""
    require_recorder(by)
    count = get_count(session, count_id=count_id, by=by)
    if count.status != CountStatus.awaiting_second_signature.value:
        raise CountStateError("This count is not waiting for a second signature.")
    if count.first_signer_id == by.user.id:
        raise CountStateError("The second signature must come from someone else.")
    lines = count_lines(session, count=count)
    _check_unmoved(session, by=by, count=count, lines=lines)
    location = catalog.get_location(session, location_id=count.location_id, by=by)
    for line in lines:
        assert line.counted_mg is not None
        if line.counted_mg == line.expected_mg:
            continue
        lot = catalog.get_lot(session, lot_id=line.lot_id, by=by)
        entry = post_entry(
            session,
            by=by,
            kind=EntryKind.count_adjustment,
            lot=lot,
            location=location,
            quantity_mg=line.counted_mg - line.expected_mg,
            reason=count.explanation,
            witness_id=count.first_signer_id,
            witness_method=COUNT_SIGNATURE,
        )
        line.adjustment_entry_id = entry.id
    count.second_signer_id = by.user.id
    count.second_signed_at = utcnow()
    count.status = CountStatus.completed.value
    session.flush()
    _audit(session, by=by, action="sign", count=count)
    return count
