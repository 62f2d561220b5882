"""The biennial inventory: a physical count of its day, never the book balance (21 CFR 1304.11)."""

import csv
import io
import re
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest

from openkap.accounts import service as accounts
from openkap.core.errors import BadRequest
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.inventory.counts import biennial
from openkap.inventory.counts import service as counts
from openkap.inventory.counts.pdf import biennial_inventory_pdf
from openkap.inventory.errors import BiennialNeedsPhysicalCount, EstimateNotAllowed
from openkap.inventory.models import Product
from openkap.inventory.schemas import CountComplete, CountedLot, LocationCreate, WasteCreate
from openkap.inventory.stock import catalog, service
from tests.fixtures.factories import bearer, make_org, make_user, web_login
from tests.inventory.builders import count_matching, make_stock, receive, witness_of

BASE = "/api/v1/inventory"


@pytest.fixture
def stock(db):
    return make_stock(db, make_org(db))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _csv(db, stock) -> list[dict[str, str]]:
    return _rows(biennial.biennial_inventory_csv(db, by=stock.nurse, as_of=utcnow().date()))


def _waste(db, stock, mg: str) -> None:
    data = WasteCreate(
        lot_id=stock.lot.id,
        location_id=stock.cabinet.id,
        quantity_mg=Decimal(mg),
        reason="Drawn up, not given",
        **witness_of(stock.witness),
    )
    service.record_waste(db, data=data, by=stock.nurse)


def test_biennial_inventory_is_the_counted_quantity_not_the_book_balance(db, stock):
    receive(db, stock, "100")
    count_matching(db, stock)
    _waste(db, stock, "5")  # the books now say 95; the inventory is what was counted
    rows = _csv(db, stock)
    assert [
        (r["lot_number"], r["location"], r["balance_mg"], r["balance_units"], r["count"])
        for r in rows
    ] == [("LOT-A", "Cabinet", "100.000", "2.000", "exact")]
    assert rows[0]["ndc"] == "0409-2051-05"


def test_biennial_inventory_without_a_completed_count_is_refused(db, stock):
    receive(db, stock, "100")
    counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)  # open: not a count
    with pytest.raises(BiennialNeedsPhysicalCount, match="Main · Cabinet"):
        biennial.biennial_inventory(db, by=stock.nurse, as_of=utcnow().date())


def test_every_location_holding_stock_needs_its_count(db, stock):
    receive(db, stock, "100")
    receive(db, stock, "30", location=stock.safe)
    count_matching(db, stock)
    with pytest.raises(BiennialNeedsPhysicalCount, match="Main · Safe") as refused:
        biennial.biennial_inventory(db, by=stock.nurse, as_of=utcnow().date())
    assert "Cabinet" not in refused.value.message


def test_a_count_of_another_day_is_not_the_days_inventory(db, stock):
    receive(db, stock, "100")
    count_matching(db, stock)
    with pytest.raises(BiennialNeedsPhysicalCount, match="no count completed on"):
        biennial.biennial_inventory(db, by=stock.nurse, as_of=utcnow().date() - timedelta(days=1))


def test_biennial_inventory_cannot_be_dated_in_the_future(db, stock):
    with pytest.raises(BadRequest):
        biennial.biennial_inventory_csv(
            db, by=stock.nurse, as_of=utcnow().date() + timedelta(days=2)
        )


def _estimate(db, stock, container: str | None, count=None):
    if count is None:
        receive(db, stock, "100")
        count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    line = CountedLot(
        lot_id=stock.lot.id,
        counted_mg=Decimal(98),
        estimated=True,
        container_units=None if container is None else Decimal(container),
    )
    data = CountComplete(lines=[line], explanation="Opened vial, read by eye")
    return counts.complete_count(db, count_id=count.id, data=data, by=stock.nurse)


def test_an_opened_container_of_up_to_1000_units_may_be_estimated_and_is_marked(db, stock):
    count = _estimate(db, stock, "20")
    counts.sign_count(db, count_id=count.id, by=stock.witness)
    [row] = _csv(db, stock)
    assert (row["balance_mg"], row["count"]) == ("98.000", "estimated")


@pytest.mark.parametrize("container", ["1000.001", None])
def test_an_estimate_of_a_larger_or_unsized_container_is_refused(db, stock, container):
    receive(db, stock, "100")
    count = counts.start_count(db, location_id=stock.cabinet.id, by=stock.nurse)
    with pytest.raises(EstimateNotAllowed, match=r"1304\.11\(e\)\(3\)"), db.begin_nested():
        _estimate(db, stock, container, count)
    assert count.status == "open"
    assert [line.counted_mg for line in counts.count_lines(db, count=count)] == [None]


def test_estimate_over_the_api_is_refused_with_the_rule_and_the_values(db, client, stock):
    receive(db, stock, "100")
    nurse = bearer(db, stock.nurse.user)
    count = client.post(
        f"{BASE}/counts", json={"location_id": str(stock.cabinet.id)}, headers=nurse
    )
    line = {"lot_id": str(stock.lot.id), "counted_mg": "98", "estimated": True}
    body = {"lines": [{**line, "container_units": "5000"}], "explanation": "Opened"}
    response = client.post(f"{BASE}/counts/{count.json()['id']}/complete", json=body, headers=nurse)
    assert response.status_code == 422
    assert response.json()["error"] == "EstimateNotAllowed"
    assert "5000" in response.json()["detail"]
    assert "1000" in response.json()["detail"]


def _pdf_text(pdf: bytes) -> list[str]:
    """Return the strings a PDF draws, in order, from its content streams."""
    drawn: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            content = stream.decode("latin-1")  # an uncompressed stream
        for text in re.findall(r"\((.*?)(?<!\\)\) Tj", content):
            drawn.append(re.sub(r"\\([()\\])", r"\1", text))
    return drawn


def test_biennial_pdf_shows_every_figure_of_the_csv_and_the_totals(db, stock):
    receive(db, stock, "100")
    receive(db, stock, "37.5", location=stock.safe)
    receive(db, stock, "12.25", lot=stock.other_lot)
    count_matching(db, stock)
    count_matching(db, stock, stock.safe)
    today = utcnow().date()
    rows = _csv(db, stock)
    drawn = _pdf_text(biennial_inventory_pdf(db, by=stock.nurse, as_of=today))
    assert len(rows) == 3
    for row in rows:
        cells = [
            row["product"], row["form"], row["strength"], row["ndc"], row["lot_number"],
            row["expiry"], row["site"], row["location"], row["count"], row["balance_mg"],
            f"{row['balance_units']} {row['unit']}",
        ]  # fmt: skip
        # The row's cells stand together in the drawn text (a single figure may recur elsewhere).
        assert any(drawn[at : at + len(cells)] == cells for at in range(len(drawn))), cells
    total = drawn.index("Totals per product")
    assert drawn[total + 5 : total + 9] == [
        "Ketamine HCl 50 mg/mL vial", "50 mg/mL", "149.750", "2.995 mL",
    ]  # fmt: skip


def test_ledger_reports_print_each_sites_address_and_dea_registration(db, stock):
    org = stock.nurse.user.organization
    accounts.create_site(
        db,
        organization=org,
        name="Main",
        address="9 Elm St, Salem, OR",
        dea_registration="FR1234563",
    )
    receive(db, stock, "100")
    count_matching(db, stock)
    [row] = _csv(db, stock)
    assert (row["site_address"], row["site_dea_registration"]) == (
        "9 Elm St, Salem, OR",
        "FR1234563",
    )
    drawn = _pdf_text(biennial_inventory_pdf(db, by=stock.nurse, as_of=utcnow().date()))
    assert drawn[drawn.index("Registrant (clinic):") + 1] == org.name
    assert drawn[drawn.index("Site: Main:") + 1] == "9 Elm St, Salem, OR"
    assert drawn[drawn.index("  DEA registration number:") + 1] == "FR1234563"


def test_a_site_with_a_mistyped_dea_registration_is_refused(db, stock):
    with pytest.raises(BadRequest, match="check digit"):
        accounts.create_site(
            db, organization=stock.nurse.user.organization, name="X", dea_registration="FR1234567"
        )


def test_biennial_pdf_names_the_time_and_has_signature_lines(db, stock):
    count_matching(db, stock)  # nothing held: a nil inventory, still counted
    today = utcnow().date()
    pdf = biennial_inventory_pdf(
        db, by=stock.nurse, as_of=today, taken_at=biennial.InventoryTime.opening
    )
    assert pdf.startswith(b"%PDF-")
    drawn = _pdf_text(pdf)
    assert drawn[drawn.index("DEA registration number:") + 1] == "_" * 60
    assert f"{today.isoformat()}, at opening of business" in drawn
    assert "No stock on hand." in drawn
    assert sum(text.startswith("Inventory taken by: name ___") for text in drawn) == 1
    assert any(text.startswith("Generated by OpenKAP") for text in drawn)


def test_a_product_name_outside_latin_1_still_prints(db, stock):
    product = db.get(Product, (stock.lot.organization_id, stock.lot.product_id))
    product.name = "Kétamine ✓ 50"
    receive(db, stock, "100")
    count_matching(db, stock)
    drawn = _pdf_text(biennial_inventory_pdf(db, by=stock.nurse, as_of=utcnow().date()))
    assert "Kétamine ? 50" in drawn


def test_biennial_over_the_api_needs_the_count_and_then_serves_readers(db, client, stock):
    receive(db, stock, "100")
    headers = bearer(db, stock.nurse.user)
    refused = client.get(f"{BASE}/reports/biennial.pdf?taken_at=close", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"] == "BiennialNeedsPhysicalCount"
    assert "Main · Cabinet" in refused.json()["detail"]
    count_matching(db, stock)
    response = client.get(f"{BASE}/reports/biennial.pdf?taken_at=close", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "LOT-A" in _pdf_text(response.content)
    therapist = make_user(db, stock.nurse.user.organization, Role.therapist)
    denied = client.get(f"{BASE}/reports/biennial.pdf", headers=bearer(db, therapist))
    assert denied.status_code == 403


def test_one_sites_inventory_needs_only_that_sites_counts(db, stock):
    receive(db, stock, "100")
    other = catalog.create_location(
        db, data=LocationCreate(name="Annex safe", site="Annex"), by=stock.nurse
    )
    receive(db, stock, "30", location=other)
    count_matching(db, stock)
    today = utcnow().date()
    with pytest.raises(BiennialNeedsPhysicalCount, match="Annex · Annex safe"):
        biennial.biennial_inventory(db, by=stock.nurse, as_of=today)
    main = biennial.biennial_inventory(db, by=stock.nurse, as_of=today, site="Main")
    assert [(line.location, line.balance_mg) for line in main.lines] == [("Cabinet", 100)]
    with pytest.raises(BiennialNeedsPhysicalCount):
        biennial.biennial_inventory(db, by=stock.nurse, as_of=today, site="Annex")


def test_biennial_page_shows_the_refusal_until_the_day_is_counted(db, client, stock):
    receive(db, stock, "100")
    web_login(client, stock.nurse.user.email)
    refused = client.get("/inventory/reports/biennial")
    assert refused.status_code == 409
    assert "is a physical count, not the book balance" in refused.text
    count_matching(db, stock)
    shown = client.get("/inventory/reports/biennial?site=Main")
    assert shown.status_code == 200
    assert "from the physical counts completed that day" in shown.text
