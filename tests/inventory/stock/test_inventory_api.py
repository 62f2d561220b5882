"""The controlled-substance ledger through the JSON API."""

import pytest

from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_org, make_patient, make_user
from tests.inventory.builders import SUPPLIER, count_matching, make_stock, receive

BASE = "/api/v1/inventory"


@pytest.fixture
def stock(db):
    return make_stock(db, make_org(db))


@pytest.fixture
def nurse(db, stock):
    return bearer(db, stock.nurse.user)


def _at(stock, mg="10"):
    return {"lot_id": str(stock.lot.id), "location_id": str(stock.cabinet.id), "quantity_mg": mg}


def test_receipt_then_administration_updates_balances(db, client, stock, nurse):
    receipt = {**_at(stock, "500"), **SUPPLIER, "invoice_number": "INV-7"}
    assert client.post(f"{BASE}/receipts", json=receipt, headers=nurse).status_code == 201
    patient = make_patient(db, stock.nurse.user.organization)
    dose = {
        "lot_id": str(stock.lot.id),
        "location_id": str(stock.cabinet.id),
        "patient_id": str(patient.id),
        "dose_mg": "35",
    }
    response = client.post(f"{BASE}/administrations", json=dose, headers=nurse)
    assert response.status_code == 201
    assert [e["balance_after_mg"] for e in response.json()] == ["465.000"]
    [balance] = client.get(f"{BASE}/balances", headers=nurse).json()
    assert balance["balance_mg"] == "465.000"


def test_overdraw_gets_409_naming_the_current_balance(db, client, stock, nurse):
    receive(db, stock, "20")
    body = {**_at(stock, "25"), "reason": "Broken", "dea_form_106": "Form 106"}
    response = client.post(f"{BASE}/losses", json=body, headers=nurse)
    assert response.status_code == 409
    assert "holds 20.000 mg" in response.json()["detail"]


def test_waste_without_witness_gets_422_naming_the_field(db, client, stock, nurse):
    receive(db, stock, "20")
    response = client.post(f"{BASE}/waste", json={**_at(stock), "reason": "x"}, headers=nurse)
    assert response.status_code == 422
    assert [f["name"] for f in response.json()["fields"]] == ["witness_email"]


@pytest.mark.parametrize(
    "change",
    [
        {"quantity_mg": "-5"},
        {"quantity_mg": "1.0001"},
        {"quantity_mg": "abc"},
        {"quantity_mg": "NaN"},
        {"quantity_mg": "Infinity"},
        {"quantity_mg": "1e400"},
        {"lot_id": "x"},
    ],
)
def test_malformed_quantities_and_ids_get_422(client, stock, nurse, change):
    body = {**_at(stock), **SUPPLIER, "invoice_number": "I", **change}
    response = client.post(f"{BASE}/receipts", json=body, headers=nurse)
    assert response.status_code == 422
    assert response.json()["fields"]


def test_another_clinics_lot_is_not_found(db, client, stock):
    outsider = bearer(db, make_user(db, make_org(db), Role.nurse))
    body = {**_at(stock), **SUPPLIER, "invoice_number": "I"}
    assert client.post(f"{BASE}/receipts", json=body, headers=outsider).status_code == 404


def test_entries_page_is_limited_to_100_and_offers_the_next_offset(db, client, stock, nurse):
    for _ in range(3):
        receive(db, stock, "1")
    assert client.get(f"{BASE}/entries?limit=101", headers=nurse).status_code == 422
    page = client.get(f"{BASE}/entries?limit=2", headers=nurse).json()
    assert (len(page["items"]), page["next_offset"]) == (2, 2)
    rest = client.get(f"{BASE}/entries?limit=2&offset=2", headers=nurse).json()
    assert (len(rest["items"]), rest["next_offset"]) == (1, None)


def test_count_with_discrepancy_needs_a_second_signer_over_the_api(db, client, stock, nurse):
    receive(db, stock, "100")
    count = client.post(
        f"{BASE}/counts", json={"location_id": str(stock.cabinet.id)}, headers=nurse
    ).json()
    lines = {"lines": [{"lot_id": str(stock.lot.id), "counted_mg": "98"}]}
    path = f"{BASE}/counts/{count['id']}"
    assert client.post(f"{path}/complete", json=lines, headers=nurse).status_code == 422
    explained = {**lines, "explanation": "Spill"}
    assert client.post(f"{path}/complete", json=explained, headers=nurse).status_code == 200
    assert client.post(f"{path}/sign", headers=nurse).status_code == 409
    signed = client.post(f"{path}/sign", headers=bearer(db, stock.witness.user))
    assert signed.json()["status"] == "completed"
    assert signed.json()["lines"][0]["adjustment_entry_id"] is not None


def test_biennial_report_is_csv_for_administrators(db, client, stock):
    receive(db, stock, "100")
    count_matching(db, stock)
    admin = bearer(db, make_user(db, stock.nurse.user.organization, Role.admin))
    response = client.get(f"{BASE}/reports/biennial.csv", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "LOT-A" in response.text
    assert client.get(f"{BASE}/reports/biennial.csv?as_of=nope", headers=admin).status_code == 422


def test_therapists_see_nothing_of_the_ledger(db, client, stock):
    therapist = bearer(db, make_user(db, stock.nurse.user.organization, Role.therapist))
    assert client.get(f"{BASE}/balances", headers=therapist).status_code == 403
