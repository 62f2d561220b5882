"""Property: any sequence of ledger operations keeps every balance non-negative and explained."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from openkap.core.errors import OpenKapError
from openkap.inventory.models import LedgerEntry, LotBalance
from openkap.inventory.schemas import (
    AdministrationCreate,
    CorrectionCreate,
    LossCreate,
    TransferCreate,
    WasteCreate,
)
from openkap.inventory.stock import corrections, service
from tests.fixtures.factories import make_org, make_patient
from tests.inventory.builders import make_stock, receive, witness_of

KINDS = ["receipt", "administration", "waste", "transfer", "loss", "correction"]
operations = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, 1),
        st.integers(0, 1),
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal(300), places=1),
        st.booleans(),
    ),
    max_size=12,
)


def _apply(db, stock, patient, operation) -> None:
    kind, lot_index, location_index, mg, flag = operation
    lot = (stock.lot, stock.other_lot)[lot_index]
    here, there = (stock.cabinet, stock.safe)[:: 1 if location_index == 0 else -1]
    target = {"lot_id": lot.id, "location_id": here.id, "quantity_mg": mg}
    witness = witness_of(stock.witness)
    if kind == "receipt":
        receive(db, stock, str(mg), lot=lot, location=here)
    elif kind == "administration":
        data = AdministrationCreate(
            lot_id=lot.id,
            location_id=here.id,
            patient_id=patient.id,
            dose_mg=mg,
            waste_mg=Decimal(5) if flag else Decimal(0),
            **witness,
        )
        service.draw_for_administration(db, data=data, by=stock.nurse)
    elif kind == "waste":
        data = WasteCreate(**target, **witness, reason="spill")
        service.record_waste(db, data=data, by=stock.nurse)
    elif kind == "transfer":
        data = TransferCreate(
            lot_id=lot.id, from_location_id=here.id, to_location_id=there.id, quantity_mg=mg
        )
        service.transfer(db, data=data, by=stock.nurse)
    elif kind == "loss":
        data = LossCreate(**target, reason="broken vial", dea_form_106="Form 106")
        service.report_loss(db, data=data, by=stock.nurse)
    else:
        _correct_last(db, stock, mg if flag else -mg)


def _correct_last(db, stock, mg: Decimal) -> None:
    last = db.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.organization_id == stock.nurse.organization_id)
        .order_by(LedgerEntry.occurred_at.desc())
    ).first()
    if last is not None:
        fix = CorrectionCreate(quantity_mg=mg, reason="recount", **witness_of(stock.witness))
        corrections.correct_entry(db, entry_id=last.id, data=fix, by=stock.nurse)


def _entries(db, org_id) -> int:
    query = select(func.count()).where(LedgerEntry.organization_id == org_id)
    return db.scalar(query)


def _check_balances(db, org_id) -> None:
    balances = db.scalars(select(LotBalance).where(LotBalance.organization_id == org_id))
    for balance in balances:
        assert balance.balance_mg >= 0
        entries = list(
            db.scalars(
                select(LedgerEntry)
                .where(
                    LedgerEntry.organization_id == org_id,
                    LedgerEntry.lot_id == balance.lot_id,
                    LedgerEntry.location_id == balance.location_id,
                )
                .order_by(LedgerEntry.version)
            )
        )
        assert sum((e.quantity_mg for e in entries), Decimal(0)) == balance.balance_mg
        assert [e.version for e in entries] == list(range(1, balance.version + 1))
        running = Decimal(0)
        for entry in entries:
            running += entry.quantity_mg
            assert entry.balance_after_mg == running >= 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=operations)
def test_random_ledger_operations_never_leave_a_negative_or_unexplained_balance(db, sequence):
    org = make_org(db)
    stock = make_stock(db, org)
    patient = make_patient(db, org)
    for operation in sequence:
        before = _entries(db, org.id)
        try:
            _apply(db, stock, patient, operation)
        except OpenKapError:
            assert _entries(db, org.id) == before
    _check_balances(db, org.id)
