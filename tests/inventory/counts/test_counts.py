"""Periodic counts: reconciliation, explanation and two signatures."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from openkap.inventory.counts import service as counts
from openkap.inventory.errors import CountStateError, ExplanationRequired, StockMovedDuringCount
from openkap.inventory.models import LedgerEntry
from openkap.inventory.schemas import CountComplete, CountedLot
from tests.fixtures.factories import make_org
from tests.inventory.builders import make_stock, receive


@pytest.fixture
def stock(db):
    stock = make_stock(db, make_org(db))
    receive(db, stock, "100")
    return stock


def _counted(stock, mg: str, explanation: str | None = None) -> CountComplete:
    return CountComplete(
        lines=[CountedLot(lot_id=stock.lot.id, counted_mg=Decimal(mg))], explanation=explanation
    )


def _adjustments(db) -> list[LedgerEntry]:
    return list(db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "count_adjustment")))


def test_count_notes_the_expected_quantity_of_each_lot(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    lines = counts.count_lines(db, count=count)
    assert [(line.lot_id, line.expected_mg) for line in lines] == [(stock.lot.id, 100)]


def test_matching_count_completes_with_one_signature_and_no_adjustment(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    done = counts.complete_count(db, count_id=count.id, data=_counted(stock, "100"), by=stock.nurse)
    assert (done.status, done.first_signer_id) == ("completed", stock.nurse.user.id)
    assert _adjustments(db) == []


def test_discrepancy_without_explanation_is_refused(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    with pytest.raises(ExplanationRequired):
        counts.complete_count(db, count_id=count.id, data=_counted(stock, "95"), by=stock.nurse)


def test_discrepancy_is_not_posted_on_one_signature(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    data = _counted(stock, "95", "Spill during draw-up")
    done = counts.complete_count(db, count_id=count.id, data=data, by=stock.nurse)
    assert done.status == "awaiting_second_signature"
    assert _adjustments(db) == []
    with pytest.raises(CountStateError, match="someone else"):
        counts.sign_count(db, count_id=count.id, by=stock.nurse)


def test_second_signer_posts_the_adjustment_to_the_counted_balance(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    data = _counted(stock, "95", "Spill during draw-up")
    counts.complete_count(db, count_id=count.id, data=data, by=stock.nurse)
    signed = counts.sign_count(db, count_id=count.id, by=stock.witness)
    assert (signed.status, signed.second_signer_id) == ("completed", stock.witness.user.id)
    assert signed.first_signed_at is not None
    assert signed.second_signed_at is not None
    [adjustment] = _adjustments(db)
    assert (adjustment.quantity_mg, adjustment.balance_after_mg) == (-5, 95)
    assert adjustment.reason == "Spill during draw-up"


def test_count_is_void_when_stock_moved_after_it_started(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    receive(db, stock, "10")
    with pytest.raises(StockMovedDuringCount):
        counts.complete_count(db, count_id=count.id, data=_counted(stock, "110"), by=stock.nurse)


def test_every_lot_of_the_count_must_be_counted(db, stock):
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    with pytest.raises(Exception, match="every lot") as refused:
        counts.complete_count(db, count_id=count.id, data=CountComplete(lines=[]), by=stock.nurse)
    assert refused.value.status_code == 422
