"""Stock movements: each entry kind, and the refusals that keep the ledger sound."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.accounts.errors import WitnessNotConfirmed
from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.errors import Forbidden, InvalidState
from openkap.core.models import Role
from openkap.inventory.errors import InsufficientStock, InvalidWitness, WitnessRequired
from openkap.inventory.models import LedgerEntry, LotBalance
from openkap.inventory.schemas import (
    AdministrationCreate,
    CorrectionCreate,
    DestructionCreate,
    LossCreate,
    ReturnCreate,
    TransferCreate,
    WasteCreate,
)
from openkap.inventory.stock import corrections, service
from tests.fixtures.factories import make_org, make_patient, make_user
from tests.inventory.builders import as_principal, make_stock, past, receive, witness_of


def _balance(db, lot, location) -> Decimal:
    return db.scalars(
        select(LotBalance.balance_mg).where(
            LotBalance.lot_id == lot.id, LotBalance.location_id == location.id
        )
    ).one()


def _entry_count(db) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry))


def _administer(stock, patient, dose, waste="0", witness=None):
    return AdministrationCreate(
        lot_id=stock.lot.id,
        location_id=stock.cabinet.id,
        patient_id=patient.id,
        dose_mg=Decimal(dose),
        waste_mg=Decimal(waste),
        **witness_of(witness),
    )


@pytest.fixture
def stock(db):
    return make_stock(db, make_org(db))


def test_receipt_adds_stock_and_keeps_supplier_and_invoice(db, stock):
    entry = receive(db, stock, "500")
    assert (entry.kind, entry.quantity_mg, entry.balance_after_mg) == ("receipt", 500, 500)
    assert (entry.supplier, entry.invoice_number) == ("Acme Pharma", "INV-1")
    assert _balance(db, stock.lot, stock.cabinet) == 500
    audited = [
        e["resource_id"] for e in db.info[_PENDING_KEY] if e["action"] == "inventory.receipt"
    ]
    assert audited == [str(entry.id)]


def test_administration_draws_dose_and_witnessed_waste_and_audits_the_patient(db, stock):
    receive(db, stock, "500")
    patient = make_patient(db, stock.nurse.user.organization)
    data = _administer(stock, patient, "35", "15", witness=stock.witness)
    dose, waste = service.draw_for_administration(db, data=data, by=stock.nurse)
    assert (dose.kind, dose.quantity_mg, dose.patient_id) == ("administration", -35, patient.id)
    assert (waste.kind, waste.quantity_mg, waste.related_entry_id) == ("waste", -15, dose.id)
    assert _balance(db, stock.lot, stock.cabinet) == 450
    audited = [e for e in db.info[_PENDING_KEY] if e["action"] == "inventory.administration"]
    assert audited[0]["patient_id"] == patient.id


def test_drawing_more_than_the_balance_is_refused_naming_the_balance(db, stock):
    receive(db, stock, "20")
    patient = make_patient(db, stock.nurse.user.organization)
    before = _entry_count(db)
    with pytest.raises(InsufficientStock, match=r"holds 20\.000 mg"):
        service.draw_for_administration(db, data=_administer(stock, patient, "25"), by=stock.nurse)
    assert _entry_count(db) == before
    assert _balance(db, stock.lot, stock.cabinet) == 20


def test_administration_with_waste_needs_a_witness(db, stock):
    receive(db, stock, "100")
    patient = make_patient(db, stock.nurse.user.organization)
    with pytest.raises(WitnessRequired):
        service.draw_for_administration(
            db, data=_administer(stock, patient, "35", "15"), by=stock.nurse
        )


def test_expired_lot_cannot_be_administered(db, stock):
    receive(db, stock, "100")
    stock.lot.expiry = past(1)
    patient = make_patient(db, stock.nurse.user.organization)
    with pytest.raises(InvalidState, match="expired"):
        service.draw_for_administration(db, data=_administer(stock, patient, "35"), by=stock.nurse)


def _waste(stock, witness):
    return WasteCreate(
        lot_id=stock.lot.id,
        location_id=stock.cabinet.id,
        quantity_mg=Decimal(5),
        **witness_of(witness),
        reason="Drawn up, not given",
    )


def test_waste_without_a_witness_is_refused(db, stock):
    receive(db, stock, "100")
    with pytest.raises(WitnessRequired):
        service.record_waste(db, data=_waste(stock, None), by=stock.nurse)


def test_the_recorder_cannot_witness_their_own_waste(db, stock):
    receive(db, stock, "100")
    with pytest.raises(InvalidWitness, match="someone other"):
        service.record_waste(db, data=_waste(stock, stock.nurse), by=stock.nurse)


# Another clinic's nurse is not found at all: the witness's e-mail is looked up in this clinic.
@pytest.mark.parametrize(
    ("where", "refusal"),
    [("other clinic", WitnessNotConfirmed), ("front desk", InvalidWitness)],
)
def test_witness_must_be_a_nurse_or_prescriber_of_the_clinic(db, stock, where, refusal):
    org = make_org(db) if where == "other clinic" else stock.nurse.user.organization
    role = Role.nurse if where == "other clinic" else Role.front_desk
    receive(db, stock, "100")
    with pytest.raises(refusal):
        service.record_waste(db, data=_waste(stock, make_user(db, org, role)), by=stock.nurse)


def test_witnessed_waste_is_recorded_with_its_witness(db, stock):
    receive(db, stock, "100")
    entry = service.record_waste(db, data=_waste(stock, stock.witness), by=stock.nurse)
    assert (entry.kind, entry.witness_id, entry.balance_after_mg) == (
        "waste",
        stock.witness.user.id,
        95,
    )


def test_transfer_moves_stock_between_locations_as_linked_entries(db, stock):
    receive(db, stock, "100")
    data = TransferCreate(
        lot_id=stock.lot.id,
        from_location_id=stock.cabinet.id,
        to_location_id=stock.safe.id,
        quantity_mg=Decimal(40),
    )
    out, into = service.transfer(db, data=data, by=stock.nurse)
    assert (into.kind, into.related_entry_id) == ("transfer_in", out.id)
    assert _balance(db, stock.lot, stock.cabinet) == 60
    assert _balance(db, stock.lot, stock.safe) == 40


def test_transfer_beyond_the_balance_leaves_no_entry(db, stock):
    receive(db, stock, "10")
    before = _entry_count(db)
    data = TransferCreate(
        lot_id=stock.lot.id,
        from_location_id=stock.cabinet.id,
        to_location_id=stock.safe.id,
        quantity_mg=Decimal(40),
    )
    with pytest.raises(InsufficientStock):
        service.transfer(db, data=data, by=stock.nurse)
    assert _entry_count(db) == before


def test_return_destruction_and_loss_take_stock_and_keep_their_records(db, stock):
    receive(db, stock, "100")
    target = {"lot_id": stock.lot.id, "location_id": stock.cabinet.id, "quantity_mg": 10}
    returned = service.record_return(
        db, data=ReturnCreate(**target, supplier="Acme", reason="Recall"), by=stock.nurse
    )
    destroyed = service.record_destruction(
        db,
        data=DestructionCreate(
            **target, **witness_of(stock.witness), reason="Expired", dea_form_41="Form 41 #7"
        ),
        by=stock.nurse,
    )
    lost = service.report_loss(
        db,
        data=LossCreate(**target, reason="Vial broken", dea_form_106="Form 106 #3"),
        by=stock.nurse,
    )
    assert [e.kind for e in (returned, destroyed, lost)] == ["return", "destruction", "loss"]
    assert (destroyed.dea_form, lost.dea_form) == ("Form 41 #7", "Form 106 #3")
    assert _balance(db, stock.lot, stock.cabinet) == 70


def test_destruction_without_a_witness_is_refused(db, stock):
    receive(db, stock, "100")
    data = DestructionCreate(
        lot_id=stock.lot.id,
        location_id=stock.cabinet.id,
        quantity_mg=Decimal(5),
        reason="Expired",
        dea_form_41="Form 41",
    )
    with pytest.raises(WitnessRequired):
        service.record_destruction(db, data=data, by=stock.nurse)


def test_correction_is_a_new_entry_referencing_the_unchanged_original(db, stock):
    original = receive(db, stock, "100")
    fix = CorrectionCreate(
        quantity_mg=Decimal(-10), reason="Invoice said 90 mg", **witness_of(stock.witness)
    )
    correction = corrections.correct_entry(db, entry_id=original.id, data=fix, by=stock.nurse)
    db.refresh(original)
    assert (original.quantity_mg, original.balance_after_mg) == (100, 100)
    assert (correction.kind, correction.corrects_entry_id) == ("correction", original.id)
    assert correction.balance_after_mg == 90


def test_correction_below_zero_is_refused(db, stock):
    original = receive(db, stock, "100")
    waste = service.record_waste(db, data=_waste(stock, stock.witness), by=stock.nurse)
    fix = CorrectionCreate(quantity_mg=Decimal(-98), reason="Wrong", **witness_of(stock.witness))
    with pytest.raises(InsufficientStock, match=r"holds 95\.000 mg"):
        corrections.correct_entry(db, entry_id=original.id, data=fix, by=stock.nurse)
    assert waste.balance_after_mg == 95


@pytest.mark.parametrize("role", [Role.admin, Role.front_desk, Role.therapist, Role.researcher])
def test_only_nurses_and_prescribers_record(db, stock, role):
    receive(db, stock, "10")
    outsider = as_principal(make_user(db, stock.nurse.user.organization, role))
    with pytest.raises(Forbidden):
        service.record_waste(db, data=_waste(stock, stock.witness), by=outsider)


def test_dose_plus_waste_beyond_the_balance_leaves_no_entry(db, stock):
    receive(db, stock, "40")
    patient = make_patient(db, stock.nurse.user.organization)
    before = _entry_count(db)
    data = _administer(stock, patient, "35", "15", witness=stock.witness)
    with pytest.raises(InsufficientStock, match=r"holds 40\.000 mg"):
        service.draw_for_administration(db, data=data, by=stock.nurse)
    assert _entry_count(db) == before
