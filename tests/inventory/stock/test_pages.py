"""Ledger pages: stock, a lot's ledger and its movement forms, receipts, counts, reports.

Every refusal is shown beside its field and leaves the ledger as it was.
"""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.inventory.counts import service as counts
from openkap.inventory.models import (
    InventoryCount,
    InventoryCountLine,
    LedgerEntry,
    Lot,
    LotBalance,
    Product,
    StockLocation,
)
from openkap.inventory.schemas import AdministrationCreate, LotCreate
from openkap.inventory.stock import catalog, service
from tests.fixtures.factories import make_org, make_patient, make_user, web_login
from tests.inventory.builders import (
    SUPPLIER,
    as_principal,
    count_matching,
    make_stock,
    past,
    receive,
    witness_of,
)


@pytest.fixture
def stock(db):
    return make_stock(db, make_org(db))


@pytest.fixture
def nurse_csrf(client, stock):
    return web_login(client, stock.nurse.user.email)


def _entries(db, **where) -> list[LedgerEntry]:
    query = select(LedgerEntry).filter_by(**where).order_by(LedgerEntry.version)
    return list(db.scalars(query.execution_options(populate_existing=True)))


def _balance(db, stock, location=None) -> Decimal:
    query = select(LotBalance.balance_mg).where(
        LotBalance.lot_id == stock.lot.id,
        LotBalance.location_id == (location or stock.cabinet).id,
    )
    return db.scalars(query).one()


def _lot_action(client, stock, csrf, action, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(
        f"/inventory/lots/{stock.lot.id}/{action}",
        data={**data, "csrf_token": csrf},
        follow_redirects=False,
    )


def _lot_with_expiry(db, stock, number, expiry):
    product_id = stock.lot.product_id
    data = LotCreate(product_id=product_id, lot_number=number, expiry=expiry, supplier="Acme")
    return catalog.create_lot(db, data=data, by=stock.nurse)


def _row(html: str, text: str) -> str:
    rows = [row for row in re.findall(r"<tr.*?</tr>", html, re.S) if text in row]
    assert len(rows) == 1, (text, rows)
    return rows[0]


# Stock


def test_stock_page_flags_expired_and_soon_expiring_lots_and_links_each_ledger(
    db, client, stock, nurse_csrf
):
    receive(db, stock, "100")
    expired = _lot_with_expiry(db, stock, "OLD-1", past(3))
    soon = _lot_with_expiry(db, stock, "SOON-1", utcnow().date() + timedelta(days=45))
    receive(db, stock, "20", lot=expired)
    receive(db, stock, "30", lot=soon, location=stock.safe)
    page = client.get("/inventory")
    assert page.status_code == 200
    assert "expired" in _row(page.text, "OLD-1")
    assert "expires soon" in _row(page.text, "SOON-1")
    fresh = _row(page.text, "LOT-A")
    assert "badge" not in fresh
    assert f'href="/inventory/lots/{stock.lot.id}"' in fresh
    assert "100.000" in fresh
    assert "2.000 mL" in fresh
    assert "Safe" in _row(page.text, "SOON-1")


def test_administrator_reads_stock_but_gets_no_forms_and_cannot_record(db, client, stock):
    receive(db, stock, "100")
    admin = make_user(db, stock.nurse.user.organization, Role.admin)
    csrf = web_login(client, admin.email)
    page = client.get(f"/inventory/lots/{stock.lot.id}")
    assert page.status_code == 200
    assert "Record waste" not in page.text
    refused = _lot_action(client, stock, csrf, "loss", location_id=stock.cabinet.id)
    assert refused.status_code == 403
    assert client.get("/inventory/receipts/new").status_code == 403


def test_a_form_without_its_csrf_token_is_refused(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    response = client.post(
        f"/inventory/lots/{stock.lot.id}/loss",
        data={"loss-location_id": str(stock.cabinet.id), "loss-quantity_mg": "5"},
    )
    assert response.status_code == 403
    assert len(_entries(db, kind="loss")) == 0


# Catalogue and receipts


def test_products_and_locations_are_added_from_the_catalogue_page(db, client, stock, nurse_csrf):
    product = {
        "product-name": "Spravato 28 mg",
        "product-drug": "esketamine",
        "product-form": "nasal spray",
        "product-strength": "28 mg/device",
        "product-unit": "device",
        "product-mg_per_unit": "28",
        "product-ndc": "",
    }
    added = client.post(
        "/inventory/catalogue/products",
        data={**product, "csrf_token": nurse_csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303
    saved = db.scalars(select(Product).where(Product.name == "Spravato 28 mg")).one()
    assert (saved.mg_per_unit, saved.ndc) == (28, None)
    location = {"location-site": "East", "location-name": "Safe 3", "csrf_token": nurse_csrf}
    assert client.post("/inventory/catalogue/locations", data=location).status_code == 200
    page = client.get("/inventory/catalogue").text
    assert "Spravato 28 mg" in page
    assert "East · Safe 3" in page


def test_a_product_without_its_mg_per_unit_is_refused_beside_the_field(
    db, client, stock, nurse_csrf
):
    response = client.post(
        "/inventory/catalogue/products",
        data={
            "product-name": "Ketamine 10 mg/mL",
            "product-drug": "racemic_ketamine",
            "product-form": "injection",
            "product-strength": "10 mg/mL",
            "product-unit": "mL",
            "product-mg_per_unit": "0",
            "csrf_token": nurse_csrf,
        },
    )
    assert response.status_code == 422
    assert 'id="e-product-mg_per_unit"' in response.text
    assert 'value="Ketamine 10 mg/mL"' in response.text
    assert db.scalars(select(Product).where(Product.name == "Ketamine 10 mg/mL")).first() is None


def test_a_second_location_of_the_same_name_is_refused_on_the_page(db, client, stock, nurse_csrf):
    response = client.post(
        "/inventory/catalogue/locations",
        data={"location-site": "Main", "location-name": "Cabinet", "csrf_token": nurse_csrf},
    )
    assert response.status_code == 409
    assert "Main already has a location named Cabinet." in response.text
    assert db.scalar(select(func.count()).select_from(StockLocation)) == 2


def _receipt(stock, csrf, **changes):
    return {
        **SUPPLIER,
        "invoice_number": "INV-42",
        "product_id": str(stock.lot.product_id),
        "lot_number": "NEW-7",
        "expiry": (utcnow().date() + timedelta(days=400)).isoformat(),
        "location_id": str(stock.safe.id),
        "quantity_mg": "2500",
        "csrf_token": csrf,
        **changes,
    }


def test_receipt_registers_a_new_lot_and_adds_its_stock(db, client, stock, nurse_csrf):
    response = client.post(
        "/inventory/receipts", data=_receipt(stock, nurse_csrf), follow_redirects=False
    )
    assert response.status_code == 303
    lot = db.scalars(select(Lot).where(Lot.lot_number == "NEW-7")).one()
    assert response.headers["location"] == f"/inventory/lots/{lot.id}"
    [entry] = _entries(db, lot_id=lot.id)
    assert (entry.kind, entry.quantity_mg, entry.location_id) == ("receipt", 2500, stock.safe.id)
    assert (entry.supplier, entry.invoice_number) == ("Acme Pharma", "INV-42")


def test_receipt_of_a_registered_lot_adds_to_it(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    expiry = stock.lot.expiry.isoformat()
    data = _receipt(
        stock, nurse_csrf, lot_number="LOT-A", expiry=expiry, location_id=str(stock.cabinet.id)
    )
    assert client.post("/inventory/receipts", data=data).status_code == 200
    assert _balance(db, stock) == 2600
    assert db.scalar(select(func.count()).select_from(Lot)) == 2


def test_receipt_naming_a_known_lot_with_another_expiry_is_refused(db, client, stock, nurse_csrf):
    data = _receipt(stock, nurse_csrf, lot_number="LOT-A")
    response = client.post("/inventory/receipts", data=data)
    assert response.status_code == 422
    assert 'id="e-expiry"' in response.text
    assert f"Lot LOT-A is registered with expiry {stock.lot.expiry}" in response.text
    assert _entries(db, lot_id=stock.lot.id) == []


def test_receipt_with_missing_fields_shows_each_error_and_writes_nothing(
    db, client, stock, nurse_csrf
):
    data = _receipt(stock, nurse_csrf, invoice_number="", quantity_mg="many")
    response = client.post("/inventory/receipts", data=data)
    assert response.status_code == 422
    assert re.search(r'id="e-invoice_number" class="error">This field is required', response.text)
    assert 'id="e-quantity_mg"' in response.text
    assert 'value="NEW-7"' in response.text
    assert db.scalars(select(Lot).where(Lot.lot_number == "NEW-7")).first() is None
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_receipt_at_an_unknown_location_registers_no_lot(db, client, stock, nurse_csrf):
    data = _receipt(stock, nurse_csrf, location_id=str(uuid.uuid4()))
    response = client.post("/inventory/receipts", data=data)
    assert response.status_code == 404
    assert 'id="e-location_id" class="error">No such stock location.' in response.text
    assert db.scalars(select(Lot).where(Lot.lot_number == "NEW-7")).first() is None
    created = select(AuditEvent).where(AuditEvent.action == "inventory.lot.create")
    assert db.scalars(created).first() is None


# A lot's ledger and its movements


def test_witnessed_waste_is_recorded_and_listed_with_witness_and_running_balance(
    db, client, stock, nurse_csrf
):
    receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "waste",
        location_id=stock.cabinet.id,
        quantity_mg="12.5",
        **witness_of(stock.witness),
        reason="Drawn up, not given",
    )
    assert response.status_code == 303
    [_, waste] = _entries(db, lot_id=stock.lot.id)
    assert (waste.kind, waste.quantity_mg) == ("waste", Decimal("-12.5"))
    assert waste.witness_id == stock.witness.user.id
    row = _row(client.get(f"/inventory/lots/{stock.lot.id}").text, "Drawn up, not given")
    assert "-12.500" in row
    assert "87.500" in row
    assert stock.witness.user.full_name in row
    assert "confirmed by password" in row
    assert stock.nurse.user.full_name in row


def test_waste_without_a_witness_is_refused_beside_the_witness_and_writes_nothing(
    db, client, stock, nurse_csrf
):
    receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "waste",
        location_id=stock.cabinet.id,
        quantity_mg="10",
        witness_email="",
        reason="Dropped",
    )
    assert response.status_code == 422
    assert 'id="e-waste-witness_email" class="error">This entry needs a witness' in response.text
    assert re.search(r'<details class="card" id="waste" open>', response.text)
    assert 'value="10"' in response.text
    assert len(_entries(db, lot_id=stock.lot.id)) == 1
    assert _balance(db, stock) == 100


def test_recorder_cannot_witness_their_own_waste(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "waste",
        location_id=stock.cabinet.id,
        quantity_mg="10",
        **witness_of(stock.nurse),
        reason="Dropped",
    )
    assert response.status_code == 422
    assert "The witness must be someone other than the recorder." in response.text
    assert len(_entries(db, lot_id=stock.lot.id)) == 1


def test_a_loss_larger_than_the_balance_is_refused_naming_the_balance(
    db, client, stock, nurse_csrf
):
    receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "loss",
        location_id=stock.cabinet.id,
        quantity_mg="150",
        reason="Vials missing",
        dea_form_106="Theft reported to police",
    )
    assert response.status_code == 409
    assert 'id="e-loss-quantity_mg"' in response.text
    assert "holds 100.000 mg" in response.text
    assert len(_entries(db, lot_id=stock.lot.id)) == 1
    assert _balance(db, stock) == 100


def test_transfer_moves_stock_between_locations(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "transfer",
        from_location_id=stock.cabinet.id,
        to_location_id=stock.safe.id,
        quantity_mg="40",
        reason="",
    )
    assert response.status_code == 303
    out, incoming = _entries(db, kind="transfer_out") + _entries(db, kind="transfer_in")
    assert incoming.related_entry_id == out.id
    assert incoming.reason is None
    assert (_balance(db, stock), _balance(db, stock, stock.safe)) == (60, 40)


def test_transfer_to_the_same_location_is_refused(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "transfer",
        from_location_id=stock.cabinet.id,
        to_location_id=stock.cabinet.id,
        quantity_mg="40",
    )
    assert response.status_code == 422
    assert 'id="e-transfer-to_location_id"' in response.text
    assert _entries(db, kind="transfer_out") == []


def test_return_destruction_and_loss_keep_their_dea_data(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    at = {"location_id": stock.cabinet.id, "quantity_mg": "10"}
    returned = _lot_action(
        client, stock, nurse_csrf, "return", **at, supplier="Acme Pharma", reason="Recall"
    )
    destroyed = _lot_action(
        client,
        stock,
        nurse_csrf,
        "destruction",
        **at,
        **witness_of(stock.witness),
        reason="Expired",
        dea_form_41="Reverse distributor R-1",
    )
    lost = _lot_action(
        client, stock, nurse_csrf, "loss", **at, reason="Broken vial", dea_form_106="DEA 106 #9"
    )
    assert [r.status_code for r in (returned, destroyed, lost)] == [303, 303, 303]
    kinds = [(e.kind, e.dea_form) for e in _entries(db, lot_id=stock.lot.id)]
    assert kinds[1:] == [
        ("return", None),
        ("destruction", "Reverse distributor R-1"),
        ("loss", "DEA 106 #9"),
    ]
    page = client.get(f"/inventory/lots/{stock.lot.id}").text
    assert "DEA form 41: Reverse distributor R-1" in page
    assert "DEA form 106: DEA 106 #9" in page
    assert _balance(db, stock) == 70


def test_correction_references_the_entry_and_leaves_it_unchanged(db, client, stock, nurse_csrf):
    receipt = receive(db, stock, "100")
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "correction",
        entry_id=receipt.id,
        quantity_mg="-10",
        reason="Invoice said 90 mg",
        **witness_of(stock.witness),
    )
    assert response.status_code == 303
    original, correction = _entries(db, lot_id=stock.lot.id)
    assert (original.quantity_mg, correction.corrects_entry_id) == (100, original.id)
    row = _row(client.get(f"/inventory/lots/{stock.lot.id}").text, "Invoice said 90 mg")
    assert f'Corrects entry <a href="#entry-{receipt.id}">' in row


def test_correction_of_another_lots_entry_is_refused(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    other = receive(db, stock, "50", lot=stock.other_lot)
    response = _lot_action(
        client,
        stock,
        nurse_csrf,
        "correction",
        entry_id=other.id,
        quantity_mg="-10",
        reason="Wrong",
    )
    assert response.status_code == 422
    assert 'id="e-correction-entry_id"' in response.text
    assert _entries(db, kind="correction") == []


def test_administrations_show_the_patient_mrn_only_and_the_read_is_audited(
    db, client, stock, nurse_csrf
):
    receive(db, stock, "100")
    patient = make_patient(db, stock.nurse.user.organization)
    data = AdministrationCreate(
        lot_id=stock.lot.id,
        location_id=stock.cabinet.id,
        patient_id=patient.id,
        dose_mg=Decimal(35),
    )
    service.draw_for_administration(db, data=data, by=stock.nurse)
    page = client.get(f"/inventory/lots/{stock.lot.id}").text
    assert f"Patient MRN {patient.mrn}" in _row(page, "administration")
    assert patient.family_name not in page
    reads = select(AuditEvent).where(
        AuditEvent.action == "inventory.entry.read", AuditEvent.patient_id == patient.id
    )
    assert db.scalars(reads).first() is not None


def test_the_ledger_is_paginated_newest_first(db, client, stock, nurse_csrf):
    for n in range(26):
        receive(db, stock, str(n + 1))
    first = client.get(f"/inventory/lots/{stock.lot.id}").text
    assert first.count('<tr id="entry-') == 25
    assert "351.000" in first  # the newest balance: 1 + 2 + ... + 26
    assert f"/inventory/lots/{stock.lot.id}?page=2" in first
    second = client.get(f"/inventory/lots/{stock.lot.id}?page=2").text
    assert second.count('<tr id="entry-') == 1
    assert "Older entries" not in second


# Counts


def _start_count(client, stock, csrf):
    response = client.post(
        "/inventory/counts",
        data={"location_id": str(stock.cabinet.id), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return _count_id_of(response)


def _count_id_of(response) -> uuid.UUID:
    return uuid.UUID(response.headers["location"].rsplit("/", 1)[1])


def _complete(client, stock, csrf, count_id, counted, explanation=""):
    return client.post(
        f"/inventory/counts/{count_id}/complete",
        data={f"counted-{stock.lot.id}": counted, "explanation": explanation, "csrf_token": csrf},
        follow_redirects=False,
    )


def _count(db, count_id) -> InventoryCount:
    query = select(InventoryCount).where(InventoryCount.id == count_id)
    return db.scalars(query.execution_options(populate_existing=True)).one()


def test_a_discrepancy_without_an_explanation_is_refused_beside_it(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    count_id = _start_count(client, stock, nurse_csrf)
    page = client.get(f"/inventory/counts/{count_id}").text
    assert "Counted mg of lot LOT-A" in page
    response = _complete(client, stock, nurse_csrf, count_id, "95")
    assert response.status_code == 422
    assert 'id="e-explanation"' in response.text
    assert 'value="95"' in response.text
    assert _count(db, count_id).status == "open"
    line = db.scalars(
        select(InventoryCountLine)
        .where(InventoryCountLine.count_id == count_id)
        .execution_options(populate_existing=True)
    ).one()
    assert line.counted_mg is None


def test_a_blank_counted_quantity_is_refused_beside_its_lot(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    count_id = _start_count(client, stock, nurse_csrf)
    response = _complete(client, stock, nurse_csrf, count_id, "")
    assert response.status_code == 422
    assert f'id="e-counted-{stock.lot.id}" class="error">This field is required' in response.text


def test_a_discrepant_count_needs_a_second_signature_from_someone_else(
    db, client, stock, nurse_csrf
):
    receive(db, stock, "100")
    count_id = _start_count(client, stock, nurse_csrf)
    done = _complete(client, stock, nurse_csrf, count_id, "95", "Spilled 5 mg, see incident 12")
    assert done.status_code == 303
    assert _count(db, count_id).status == "awaiting_second_signature"
    page = client.get(f"/inventory/counts/{count_id}").text
    assert "-5.000" in page
    assert "Sign as second signer" in page

    again = client.post(f"/inventory/counts/{count_id}/sign", data={"csrf_token": nurse_csrf})
    assert again.status_code == 409
    refusal = 'id="e-sign" class="error" role="alert">The second signature must come from someone'
    assert refusal in again.text
    assert _count(db, count_id).status == "awaiting_second_signature"
    assert _entries(db, kind="count_adjustment") == []

    client.cookies.clear()
    witness_csrf = web_login(client, stock.witness.user.email)
    signed = client.post(
        f"/inventory/counts/{count_id}/sign",
        data={"csrf_token": witness_csrf},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    count = _count(db, count_id)
    assert (count.status, count.second_signer_id) == ("completed", stock.witness.user.id)
    [adjustment] = _entries(db, kind="count_adjustment")
    assert (adjustment.quantity_mg, adjustment.balance_after_mg) == (-5, 95)
    listed = _row(client.get("/inventory/counts").text, "completed")
    assert stock.nurse.user.full_name in listed
    assert stock.witness.user.full_name in listed


def test_a_count_that_matches_is_complete_with_one_signature(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    count_id = _start_count(client, stock, nurse_csrf)
    assert _complete(client, stock, nurse_csrf, count_id, "100").status_code == 303
    assert _count(db, count_id).status == "completed"
    assert "Sign as second signer" not in client.get(f"/inventory/counts/{count_id}").text


def test_a_count_is_refused_when_stock_moved_after_it_started(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    count_id = _start_count(client, stock, nurse_csrf)
    receive(db, stock, "5")
    response = _complete(client, stock, nurse_csrf, count_id, "105")
    assert response.status_code == 409
    assert "start a new count" in response.text
    assert _count(db, count_id).status == "open"


def test_the_count_page_of_a_started_count_is_read_only_for_administrators(db, client, stock):
    receive(db, stock, "100")
    started = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    admin = as_principal(make_user(db, stock.nurse.user.organization, Role.admin))
    web_login(client, admin.user.email)
    page = client.get(f"/inventory/counts/{started.id}").text
    assert "100.000" in page
    assert "Complete count and sign" not in page


# Biennial inventory


def test_biennial_page_shows_each_lot_and_the_product_total(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    receive(db, stock, "50", lot=stock.other_lot, location=stock.safe)
    count_matching(db, stock)
    count_matching(db, stock, stock.safe)
    page = client.get("/inventory/reports/biennial")
    assert page.status_code == 200
    assert "Download PDF" in page.text
    total = _row(page.text, "Total Ketamine HCl 50 mg/mL vial")
    assert "150.000" in total
    assert "3.000 mL" in total


def test_biennial_preview_updates_by_htmx_for_the_opening_of_business(
    db, client, stock, nurse_csrf
):
    count_matching(db, stock)
    today = utcnow().date().isoformat()
    partial = client.get(
        f"/inventory/reports/biennial?as_of={today}&taken_at=opening",
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200
    assert "<h1>" not in partial.text
    assert "at opening of business" in partial.text
    assert "No stock on hand at that time." in partial.text


def test_a_future_inventory_date_is_refused_beside_the_date(db, client, stock, nurse_csrf):
    tomorrow = (utcnow().date() + timedelta(days=2)).isoformat()
    page = client.get(f"/inventory/reports/biennial?as_of={tomorrow}")
    assert page.status_code == 422
    assert 'id="e-as_of" class="error">The inventory date may not be in the future.' in page.text


def test_biennial_downloads_are_a_csv_and_a_pdf(db, client, stock, nurse_csrf):
    receive(db, stock, "100")
    count_matching(db, stock)
    csv_file = client.get("/inventory/reports/biennial.csv")
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert "LOT-A" in csv_file.text
    pdf = client.get("/inventory/reports/biennial.pdf?taken_at=opening")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "-opening.pdf" in pdf.headers["content-disposition"]
