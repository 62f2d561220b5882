"""Rule 9 at the chair: a stopped administration's undelivered remainder is returned (unopened
devices) or wasted with a witness who authenticates, before the patient may leave."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.models import Role
from openkap.dosing.administration import infusion
from openkap.dosing.chair import leaving
from openkap.dosing.errors import (
    AdministrationRefused,
    DischargeRefused,
    InvalidSessionInput,
)
from openkap.dosing.models import InfusionEventKind
from openkap.dosing.remainder import service as remainder
from openkap.dosing.remainder.schemas import RemainderInput
from openkap.inventory.errors import RemainderNotReturnable, WitnessRequired
from openkap.inventory.models import LedgerEntry, LotBalance
from tests.dosing.builders import as_role
from tests.dosing.builders_administration import (
    administered_session,
    dosable_episode,
    stocked_lot,
)
from tests.fixtures.factories import bearer, web_login
from tests.inventory.builders import witness_of


@pytest.fixture
def witness(db, org):
    return as_role(db, org, Role.prescriber)


def _balance(db, stock) -> Decimal:
    query = select(LotBalance.balance_mg).where(
        LotBalance.lot_id == stock.lot.id, LotBalance.location_id == stock.location.id
    )
    return db.scalars(query.execution_options(populate_existing=True)).one()


def _entries(db, stock) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.lot_id == stock.lot.id)
    return list(db.scalars(query.order_by(LedgerEntry.version)))


def _stopped_esketamine(db, org, nurse):
    """56 mg drawn as two devices (the plan's order); device 1 given, then stopped: 28 mg not
    delivered."""
    stock = stocked_lot(db, org, drug="esketamine", mg="280")
    episode = dosable_episode(db, org, route="intranasal")
    dosing = administered_session(db, episode, nurse, stock=stock)
    infusion.mark_device_given(db, dosing=dosing, number=1, by=nurse)
    infusion.change_infusion(
        db,
        dosing=dosing,
        kind=InfusionEventKind.stop,
        reason="Severe nausea after device 1.",
        rate_ml_per_hour=None,
        by=nurse,
    )
    db.flush()
    return dosing, stock


def _stopped_infusion(db, org, nurse):
    stock = stocked_lot(db, org, mg="1000")
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=stock)
    infusion.change_infusion(
        db,
        dosing=dosing,
        kind=InfusionEventKind.stop,
        reason="Blood pressure rose; stopped.",
        rate_ml_per_hour=None,
        by=nurse,
    )
    return dosing, stock


def test_a_stopped_session_may_not_leave_until_its_remainder_is_settled(db, org, nurse):
    dosing, _ = _stopped_esketamine(db, org, nurse)
    unmet = leaving.unmet_discharge_criteria(db, dosing=dosing)
    assert any("28 mg in devices" in item and "returned to stock" in item for item in unmet)
    with pytest.raises(DischargeRefused, match="stopped early"):
        leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)


def test_unopened_devices_go_back_to_stock_and_the_ledger_keeps_what_was_delivered(db, org, nurse):
    dosing, stock = _stopped_esketamine(db, org, nurse)
    assert _balance(db, stock) == 280 - 56
    given = remainder.reconcile_remainder(
        db, dosing=dosing, data=RemainderInput(disposition="returned"), by=nurse
    )
    assert (given.undelivered_mg, given.undelivered_disposition) == (28, "returned")
    assert _balance(db, stock) == 280 - 28
    dose, back = [e for e in _entries(db, stock) if e.kind != "receipt"]
    assert (back.kind, back.quantity_mg, back.corrects_entry_id) == ("correction", 28, dose.id)
    assert dose.quantity_mg + back.quantity_mg == -28  # what was delivered
    assert not any(
        "stopped early" in u for u in leaving.unmet_discharge_criteria(db, dosing=dosing)
    )


def test_a_wasted_remainder_needs_a_witness_who_authenticates(db, org, nurse, witness):
    dosing, stock = _stopped_esketamine(db, org, nurse)
    before = len(_entries(db, stock))
    with pytest.raises(WitnessRequired):
        remainder.reconcile_remainder(
            db, dosing=dosing, data=RemainderInput(disposition="wasted"), by=nurse
        )
    assert len(_entries(db, stock)) == before
    data = RemainderInput(disposition="wasted", **witness_of(witness))
    remainder.reconcile_remainder(db, dosing=dosing, data=data, by=nurse)
    *_, back, waste = _entries(db, stock)
    assert (back.quantity_mg, waste.kind, waste.quantity_mg) == (28, "waste", -28)
    assert (waste.witness_id, waste.witness_method) == (witness.user.id, "password")
    assert _balance(db, stock) == 280 - 56


def test_an_opened_infusion_is_wasted_not_returned(db, org, nurse, witness):
    dosing, stock = _stopped_infusion(db, org, nurse)
    with pytest.raises(RemainderNotReturnable, match="unopened devices"):
        remainder.reconcile_remainder(
            db,
            dosing=dosing,
            data=RemainderInput(disposition="returned", undelivered_mg=Decimal(10)),
            by=nurse,
        )
    data = RemainderInput(disposition="wasted", undelivered_mg=Decimal(10), **witness_of(witness))
    given = remainder.reconcile_remainder(db, dosing=dosing, data=data, by=nurse)
    assert given.undelivered_mg == 10
    assert _balance(db, stock) == 1000 - 35


def test_an_infusion_remainder_is_stated_and_no_more_than_was_drawn(db, org, nurse, witness):
    dosing, _ = _stopped_infusion(db, org, nurse)
    with pytest.raises(InvalidSessionInput, match="State the mg"):
        remainder.reconcile_remainder(
            db, dosing=dosing, data=RemainderInput(disposition="wasted"), by=nurse
        )
    data = RemainderInput(disposition="wasted", undelivered_mg=Decimal(36), **witness_of(witness))
    with pytest.raises(InvalidSessionInput, match="more than the 35"):
        remainder.reconcile_remainder(db, dosing=dosing, data=data, by=nurse)


def test_a_remainder_is_settled_once(db, org, nurse):
    dosing, _ = _stopped_esketamine(db, org, nurse)
    data = RemainderInput(disposition="returned")
    remainder.reconcile_remainder(db, dosing=dosing, data=data, by=nurse)
    with pytest.raises(AdministrationRefused, match="not yet settled"):
        remainder.reconcile_remainder(db, dosing=dosing, data=data, by=nurse)


def test_api_refuses_discharge_then_reconciles_and_answers_the_remainder(
    db, client, org, nurse, witness
):
    dosing, stock = _stopped_esketamine(db, org, nurse)
    headers = bearer(db, nurse.user)
    base = f"/api/v1/dosing-sessions/{dosing.id}"
    refused = client.post(f"{base}/ready-for-discharge", headers=headers)
    assert refused.status_code == 409
    assert "stopped early" in refused.json()["detail"]
    unwitnessed = client.post(
        f"{base}/administration/remainder", json={"disposition": "wasted"}, headers=headers
    )
    assert unwitnessed.status_code == 422
    assert unwitnessed.json()["error"] == "WitnessRequired"
    assert _balance(db, stock) == 280 - 56
    body = {"disposition": "wasted", **witness_of(witness)}
    done = client.post(f"{base}/administration/remainder", json=body, headers=headers)
    assert done.status_code == 200
    assert (done.json()["undelivered_mg"], done.json()["undelivered_disposition"]) == (
        "28.00",
        "wasted",
    )
    wasted = db.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "waste")
    )
    assert wasted == 1


def _chair_post(client, dosing, csrf, **fields):
    data = {f"remainder-{k}": v for k, v in fields.items()}
    return client.post(
        f"/dosing-sessions/{dosing.id}/remainder",
        data={**data, "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )


def test_chair_page_offers_the_reconciliation_and_shows_refusals_beside_the_field(
    db, client, org, nurse, witness
):
    dosing, stock = _stopped_esketamine(db, org, nurse)
    csrf = web_login(client, nurse.user.email)
    page = client.get(f"/dosing-sessions/{dosing.id}")
    assert 'id="form-remainder"' in page.text
    assert "1 device(s) not given (28 mg)" in page.text
    wrong = _chair_post(
        client,
        dosing,
        csrf,
        disposition="wasted",
        witness_email=witness.user.email,
        witness_password="typo-typo",
    )
    assert wrong.status_code == 422
    assert 'id="e-remainder-witness_password" class="error">The witness could not confirm' in (
        wrong.text
    )
    assert "typo-typo" not in wrong.text
    assert _balance(db, stock) == 280 - 56
    done = _chair_post(client, dosing, csrf, disposition="returned")
    assert done.status_code == 200
    assert 'id="remainder-settled"' in done.text
    assert "28 mg not delivered: returned to stock" in done.text
    assert _balance(db, stock) == 280 - 28
