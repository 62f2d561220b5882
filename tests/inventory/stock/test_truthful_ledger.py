"""Rule 9, the ledger tells the truth: bounded corrections, witnesses who authenticate, larger
decreases as theft or loss, receipts with the supplier's DEA registration."""

from decimal import Decimal
from uuid import uuid4

import pyotp
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from openkap.accounts.errors import WitnessNotConfirmed
from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.db import write_kept
from openkap.core.models import LoginAttempt
from openkap.core.security import new_totp_secret
from openkap.inventory.counts import service as counts
from openkap.inventory.errors import (
    CorrectionExceedsEntry,
    DecreaseNeedsLossReport,
    WitnessRequired,
)
from openkap.inventory.models import LedgerEntry, LotBalance
from openkap.inventory.schemas import (
    AdministrationCreate,
    CorrectionCreate,
    CountComplete,
    CountedLot,
    ReceiptCreate,
    WasteCreate,
)
from openkap.inventory.stock import corrections, service
from tests.fixtures.factories import PASSWORD, bearer, make_org, make_patient, web_login
from tests.inventory.builders import SUPPLIER, make_stock, receive, witness_of

BASE = "/api/v1/inventory"


@pytest.fixture
def stock(db):
    return make_stock(db, make_org(db))


def _entries(db) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry))


def _balance(db, stock) -> Decimal:
    query = select(LotBalance.balance_mg).where(
        LotBalance.lot_id == stock.lot.id, LotBalance.location_id == stock.cabinet.id
    )
    return db.scalars(query.execution_options(populate_existing=True)).one()


def _fix(mg: str, witness=None) -> CorrectionCreate:
    return CorrectionCreate(quantity_mg=Decimal(mg), reason="Keyed wrong", **witness_of(witness))


def _waste(stock, mg="5", **witness) -> WasteCreate:
    return WasteCreate(
        lot_id=stock.lot.id,
        location_id=stock.cabinet.id,
        quantity_mg=Decimal(mg),
        reason="Drawn up, not given",
        **witness,
    )


def _witnessed_waste(db, stock, mg: str) -> LedgerEntry:
    data = _waste(stock, mg, **witness_of(stock.witness))
    return service.record_waste(db, data=data, by=stock.nurse)


def _correct(db, stock, entry, mg: str) -> LedgerEntry:
    data = _fix(mg, stock.witness)
    return corrections.correct_entry(db, entry_id=entry.id, data=data, by=stock.nurse)


# A correction reverses at most the entry it corrects


def test_a_correction_may_not_reverse_more_than_its_entry(db, stock):
    receive(db, stock, "200")
    waste = service.record_waste(
        db, data=_waste(stock, "30", **witness_of(stock.witness)), by=stock.nurse
    )
    before = _entries(db)
    with pytest.raises(CorrectionExceedsEntry, match=r"moved -30(\.000)? mg.*; 40 mg would"):
        corrections.correct_entry(db, entry_id=waste.id, data=_fix("40"), by=stock.nurse)
    assert (_entries(db), _balance(db, stock)) == (before, 170)


def test_earlier_corrections_count_against_what_is_left_to_reverse(db, stock):
    receipt = receive(db, stock, "100")
    corrections.correct_entry(
        db, entry_id=receipt.id, data=_fix("-60", stock.witness), by=stock.nurse
    )
    with pytest.raises(CorrectionExceedsEntry, match=r"40(\.000)? mg of it is left"):
        corrections.correct_entry(
            db, entry_id=receipt.id, data=_fix("-50", stock.witness), by=stock.nurse
        )
    fixed = corrections.correct_entry(
        db, entry_id=receipt.id, data=_fix("-40", stock.witness), by=stock.nurse
    )
    assert fixed.balance_after_mg == 0


def test_a_correction_may_not_add_stock_beyond_a_receipt(db, stock):
    receipt = receive(db, stock, "100")
    with pytest.raises(CorrectionExceedsEntry, match="record a receipt"):
        corrections.correct_entry(db, entry_id=receipt.id, data=_fix("1"), by=stock.nurse)


def test_corrections_are_not_themselves_corrected(db, stock):
    receipt = receive(db, stock, "100")
    fix = corrections.correct_entry(
        db, entry_id=receipt.id, data=_fix("-10", stock.witness), by=stock.nurse
    )
    with pytest.raises(CorrectionExceedsEntry, match="correct the entry it adjusts"):
        corrections.correct_entry(db, entry_id=fix.id, data=_fix("10"), by=stock.nurse)


# A stock decrease needs a witness who authenticates; larger ones are theft or loss


def test_a_correction_that_lowers_stock_needs_a_witness(db, stock):
    receipt = receive(db, stock, "100")
    with pytest.raises(WitnessRequired):
        corrections.correct_entry(db, entry_id=receipt.id, data=_fix("-10"), by=stock.nurse)
    fixed = corrections.correct_entry(
        db, entry_id=receipt.id, data=_fix("-10", stock.witness), by=stock.nurse
    )
    assert (fixed.witness_id, fixed.witness_method) == (stock.witness.user.id, "password")


def test_a_correction_that_gives_stock_back_needs_no_witness(db, stock):
    receive(db, stock, "100")
    waste = service.record_waste(
        db, data=_waste(stock, **witness_of(stock.witness)), by=stock.nurse
    )
    fixed = corrections.correct_entry(db, entry_id=waste.id, data=_fix("5"), by=stock.nurse)
    assert (fixed.balance_after_mg, fixed.witness_id) == (100, None)


def test_a_small_extra_decrease_is_a_witnessed_correction_a_larger_one_a_loss_report(db, stock):
    receive(db, stock, "200")
    waste = service.record_waste(
        db, data=_waste(stock, "5", **witness_of(stock.witness)), by=stock.nurse
    )
    corrections.correct_entry(
        db, entry_id=waste.id, data=_fix("-10", stock.witness), by=stock.nurse
    )
    before = _entries(db)
    with pytest.raises(DecreaseNeedsLossReport, match="DEA Form 106") as refused:
        corrections.correct_entry(
            db, entry_id=waste.id, data=_fix("-0.5", stock.witness), by=stock.nurse
        )
    assert "at most 10 mg" in refused.value.message
    assert _entries(db) == before


def test_a_count_short_by_more_than_the_limit_is_sent_to_theft_or_loss(db, stock):
    receive(db, stock, "100")
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    short = CountComplete(
        lines=[CountedLot(lot_id=stock.lot.id, counted_mg=Decimal(80))], explanation="Missing"
    )
    with pytest.raises(DecreaseNeedsLossReport, match=r"by 20\.000 mg"):
        counts.complete_count(db, count_id=count.id, data=short, by=stock.nurse)


def test_a_witness_id_or_typed_name_is_not_a_witness():
    with pytest.raises(ValidationError, match="witness_id"):
        WasteCreate.model_validate(
            {"lot_id": str(uuid4()), "location_id": str(uuid4()), "quantity_mg": "5",
             "reason": "x", "witness_id": str(uuid4())}
        )  # fmt: skip


def test_a_wrong_witness_password_is_refused_and_counts_against_the_throttle(db, stock):
    receive(db, stock, "100")
    credentials = {"witness_email": stock.witness.user.email, "witness_password": "not it"}
    with pytest.raises(WitnessNotConfirmed, match="e-mail or password is incorrect"):
        service.record_waste(db, data=_waste(stock, **credentials), by=stock.nurse)
    db.info.pop(_PENDING_KEY, None)  # what the refused request queued is rolled back
    write_kept(db)  # the commit point writes the failure anyway
    failures = db.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    )
    assert failures == 1
    assert _balance(db, stock) == 100


def test_a_witness_with_mfa_also_gives_their_current_code(db, stock):
    receive(db, stock, "100")
    stock.witness.user.totp_secret = new_totp_secret()
    db.flush()
    with pytest.raises(WitnessNotConfirmed, match="authenticator"):
        _witnessed_waste(db, stock, "5")
    code = pyotp.TOTP(stock.witness.user.totp_secret).now()
    data = _waste(stock, **witness_of(stock.witness), witness_totp=code)
    entry = service.record_waste(db, data=data, by=stock.nurse)
    assert entry.witness_method == "password+totp"


def test_the_witness_is_recorded_and_audited_with_how_they_authenticated(db, stock):
    receive(db, stock, "100")
    _witnessed_waste(db, stock, "5")
    queued = db.info[_PENDING_KEY]
    confirmed = [e for e in queued if e["action"] == "witness.confirmed"]
    [waste] = [e for e in queued if e["action"] == "inventory.waste"]
    assert confirmed[0]["user_id"] == stock.witness.user.id
    assert waste["detail"] == f"witness {stock.witness.user.id} (password)"


def test_waste_of_a_dose_needs_an_authenticated_witness(db, stock):
    receive(db, stock, "100")
    patient = make_patient(db, stock.nurse.user.organization)
    data = {"lot_id": stock.lot.id, "location_id": stock.cabinet.id, "patient_id": patient.id}
    bad = AdministrationCreate(**data, dose_mg=Decimal(35), waste_mg=Decimal(15))
    with pytest.raises(WitnessRequired):
        service.draw_for_administration(db, data=bad, by=stock.nurse)
    assert _entries(db) == 1


# Receipts record the supplier's address and DEA registration


def _receipt(stock, **changes) -> dict[str, object]:
    target = {"lot_id": str(stock.lot.id), "location_id": str(stock.cabinet.id)}
    return {**target, "quantity_mg": "100", **SUPPLIER, "invoice_number": "I-1", **changes}


def test_a_receipt_keeps_the_suppliers_address_and_dea_registration(db, stock):
    entry = service.record_receipt(db, data=ReceiptCreate(**_receipt(stock)), by=stock.nurse)
    assert (entry.supplier_address, entry.supplier_dea_registration) == (
        SUPPLIER["supplier_address"],
        "AB1234563",
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"supplier_dea_registration": "AB1234567"}, "check digit"),
        ({"supplier_dea_registration": "12345"}, "not a DEA registration"),
        ({"supplier_address": ""}, "at least 5"),
    ],
)
def test_a_receipt_without_a_valid_supplier_dea_registration_is_refused(stock, change, problem):
    with pytest.raises(ValidationError, match=problem):
        ReceiptCreate(**_receipt(stock, **change))


# The same rules over the API and on the pages


def test_api_refuses_a_correction_beyond_its_entry_naming_the_values(db, client, stock):
    receipt = receive(db, stock, "100")
    body = {"quantity_mg": "-150", "reason": "Keyed wrong", **witness_of(stock.witness)}
    response = client.post(
        f"{BASE}/entries/{receipt.id}/corrections", json=body, headers=bearer(db, stock.nurse.user)
    )
    assert response.status_code == 422
    assert response.json()["error"] == "CorrectionExceedsEntry"
    assert "100.000 mg" in response.json()["detail"]
    assert "-150" in response.json()["detail"]
    assert _balance(db, stock) == 100


def test_api_sends_a_large_decrease_to_the_loss_report(db, client, stock):
    receive(db, stock, "100")
    waste = service.record_waste(
        db, data=_waste(stock, **witness_of(stock.witness)), by=stock.nurse
    )
    body = {"quantity_mg": "-11", "reason": "More was drawn", **witness_of(stock.witness)}
    response = client.post(
        f"{BASE}/entries/{waste.id}/corrections", json=body, headers=bearer(db, stock.nurse.user)
    )
    assert response.status_code == 422
    assert response.json()["error"] == "DecreaseNeedsLossReport"
    assert "/api/v1/inventory/losses" in response.json()["detail"]
    assert _balance(db, stock) == 95


def test_api_witness_failures_are_refused_then_throttled_though_nothing_is_written(
    db, client, stock
):
    receive(db, stock, "100")
    nurse = bearer(db, stock.nurse.user)
    body = {**_waste(stock).model_dump(mode="json"), "witness_email": stock.witness.user.email}
    for _ in range(10):
        wrong = client.post(f"{BASE}/waste", json={**body, "witness_password": "x"}, headers=nurse)
        assert wrong.status_code == 422
        assert wrong.json()["error"] == "WitnessNotConfirmed"
    right = client.post(f"{BASE}/waste", json={**body, "witness_password": PASSWORD}, headers=nurse)
    assert right.status_code == 429
    assert right.json()["error"] == "WitnessThrottled"
    assert (_entries(db), _balance(db, stock)) == (1, 100)


def test_api_refuses_a_witness_named_by_id(db, client, stock):
    receive(db, stock, "100")
    body = {**_waste(stock).model_dump(mode="json"), "witness_id": str(stock.witness.user.id)}
    response = client.post(f"{BASE}/waste", json=body, headers=bearer(db, stock.nurse.user))
    assert response.status_code == 422
    assert _entries(db) == 1


def test_api_refuses_a_receipt_without_the_suppliers_dea_registration(db, client, stock):
    body = _receipt(stock)
    del body["supplier_dea_registration"]
    response = client.post(f"{BASE}/receipts", json=body, headers=bearer(db, stock.nurse.user))
    assert response.status_code == 422
    assert [f["name"] for f in response.json()["fields"]] == ["supplier_dea_registration"]


def test_page_shows_a_wrong_witness_password_beside_it_and_never_echoes_it(db, client, stock):
    receive(db, stock, "100")
    csrf = web_login(client, stock.nurse.user.email)
    fields = {
        "location_id": stock.cabinet.id, "quantity_mg": "5", "reason": "Dropped",
        "witness_email": stock.witness.user.email, "witness_password": "secret-typo",
    }  # fmt: skip
    response = client.post(
        f"/inventory/lots/{stock.lot.id}/waste",
        data={**{f"waste-{k}": v for k, v in fields.items()}, "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="e-waste-witness_password" class="error">The witness could not confirm' in (
        response.text
    )
    assert "secret-typo" not in response.text
    assert (_entries(db), _balance(db, stock)) == (1, 100)
    failures = select(func.count()).select_from(LoginAttempt)
    assert db.scalar(failures.where(LoginAttempt.succeeded.is_(False))) == 1


def test_page_refuses_a_correction_beyond_its_entry_beside_the_quantity(db, client, stock):
    receipt = receive(db, stock, "100")
    csrf = web_login(client, stock.nurse.user.email)
    fields = {
        "entry_id": receipt.id, "quantity_mg": "-101", "reason": "Keyed wrong",
        **witness_of(stock.witness),
    }  # fmt: skip
    response = client.post(
        f"/inventory/lots/{stock.lot.id}/correction",
        data={**{f"correction-{k}": v for k, v in fields.items()}, "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="e-correction-quantity_mg" class="error">A correction can reverse at most' in (
        response.text
    )
    assert (_entries(db), _balance(db, stock)) == (1, 100)


def test_count_page_records_an_estimate_of_an_opened_container(db, client, stock):
    receive(db, stock, "100")
    csrf = web_login(client, stock.nurse.user.email)
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    db.flush()
    lot = stock.lot.id
    base = {f"counted-{lot}": "99", "explanation": "Opened vial, by eye", "csrf_token": csrf}
    big = client.post(
        f"/inventory/counts/{count.id}/complete",
        data={**base, f"estimated-{lot}": "1", f"container-{lot}": "1500"},
    )
    assert big.status_code == 422
    assert "1304.11(e)(3)" in big.text
    done = client.post(
        f"/inventory/counts/{count.id}/complete",
        data={**base, f"estimated-{lot}": "1", f"container-{lot}": "20"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    [line] = counts.count_lines(db, count=count)
    db.refresh(line)
    assert (line.counted_mg, line.estimated, line.container_units) == (99, True, 20)
