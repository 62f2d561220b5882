"""Browser test of the controlled-substance ledger pages, from an empty catalogue to the report.

The demo clinic may hold no stock, so the test adds its own product, location and lot (with
unique names) through the pages themselves.
"""

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from openkap.accounts.demo import demo_email
from openkap.core.security import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def _add_product_and_location(nurse: Page, tag: str) -> None:
    nurse.goto("/inventory/catalogue")
    product = nurse.get_by_role("form", name="Add a product")
    product.get_by_label("Name").fill(f"Ketamine 50 mg/mL {tag}")
    product.get_by_label("Drug").select_option("racemic_ketamine")
    product.get_by_label("Form").fill("injection")
    product.get_by_label("Strength").fill("50 mg/mL")
    product.get_by_label(re.compile(r"^Unit")).fill("mL")
    product.get_by_label("mg per unit").fill("50")
    product.get_by_role("button", name="Add product").click()
    expect(nurse.get_by_role("table")).to_contain_text(f"Ketamine 50 mg/mL {tag}")
    location = nurse.get_by_role("form", name="Add a location")
    location.get_by_label("Site").fill(f"Site {tag}")
    location.get_by_label("Name").fill(f"Cabinet {tag}")
    location.get_by_role("button", name="Add location").click()
    expect(nurse.get_by_text(f"Site {tag} · Cabinet {tag}")).to_be_visible()


def _receive(nurse: Page, tag: str) -> None:
    nurse.get_by_role("link", name="Receive stock").click()
    receipt = nurse.get_by_role("form", name="From the invoice")
    receipt.locator("#f-supplier").fill("Hikma Pharmaceuticals")
    receipt.get_by_label("Supplier's address").fill("200 Connell Dr, Berkeley Heights, NJ 07922")
    receipt.get_by_label("Supplier's DEA registration").fill("AB1234563")
    receipt.get_by_label("Invoice number").fill(f"INV-{tag}")
    receipt.get_by_label("Product and strength").select_option(
        label=f"Ketamine 50 mg/mL {tag} · 50 mg/mL · 50 mg per mL"
    )
    receipt.get_by_label("Lot number").fill(f"LOT-{tag}")
    receipt.get_by_label("Expiry").fill("2031-06-30")
    receipt.get_by_label("Stored at").select_option(label=f"Site {tag} · Cabinet {tag}")
    receipt.get_by_label("Quantity received (mg)").fill("500")
    receipt.get_by_role("button", name="Record receipt").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text(f"Lot LOT-{tag}")
    expect(nurse.get_by_role("row").filter(has_text="receipt")).to_contain_text("500.000")


def _waste_with_witness(nurse: Page, tag: str) -> None:
    nurse.locator("summary", has_text="Record waste").click()
    waste = nurse.get_by_role("form", name="Record waste")
    waste.get_by_label("From").select_option(label=f"Cabinet {tag} (500.000 mg on hand)")
    waste.get_by_label("Quantity (mg)").fill("25")
    waste.get_by_label("Reason").fill("Drawn up, not given")
    waste.get_by_role("button", name="Record waste").click()
    refused = nurse.get_by_role("form", name="Record waste")
    expect(refused.locator("#e-waste-witness_email")).to_contain_text("needs a witness")
    expect(nurse.get_by_role("row").filter(has_text="Drawn up")).to_have_count(0)

    refused.get_by_label("Witness e-mail").fill(demo_email("prescriber"))
    refused.get_by_label("Witness password").fill(DEMO_PASSWORD)
    refused.get_by_role("button", name="Record waste").click()
    row = nurse.get_by_role("row").filter(has_text="Drawn up, not given")
    expect(row).to_contain_text("Dr. Priya Raman")
    expect(row).to_contain_text("confirmed by password")
    expect(row).to_contain_text("-25.000")
    expect(row).to_contain_text("475.000")


def _count_with_two_signers(nurse: Page, signed_in: Callable[..., Page], tag: str) -> None:
    nurse.get_by_role("link", name="Counts").click()
    start = nurse.get_by_role("form", name="Start a count")
    start.get_by_label("Location").select_option(label=f"Site {tag} · Cabinet {tag}")
    start.get_by_role("button", name="Start count").click()
    nurse.get_by_label(f"Counted mg of lot LOT-{tag}").fill("470")
    nurse.get_by_label("Explanation of any discrepancy").fill("5 mg spilled while drawing up")
    nurse.get_by_role("button", name="Complete count and sign").click()
    expect(nurse.get_by_role("heading", level=2, name="Status")).to_have_text(
        "Status: awaiting second signature"
    )
    count_page = urlparse(nurse.url).path
    nurse.get_by_role("button", name="Sign as second signer").click()
    expect(nurse.locator("#e-sign")).to_have_text(
        "The second signature must come from someone else."
    )

    prescriber = signed_in("prescriber", count_page)
    prescriber.get_by_role("button", name="Sign as second signer").click()
    expect(prescriber.get_by_role("heading", level=2, name="Status")).to_have_text(
        "Status: completed"
    )
    expect(prescriber.get_by_text("Dr. Priya Raman, ")).to_be_visible()
    prescriber.get_by_role("link", name=f"LOT-{tag}").click()
    adjustment = prescriber.get_by_role("row").filter(has_text="count adjustment")
    expect(adjustment).to_contain_text("-5.000")
    expect(adjustment).to_contain_text("470.000")


def _download_biennial_pdf(nurse: Page, tag: str) -> None:
    nurse.get_by_role("link", name="Biennial inventory").click()
    # Other tests' cabinets hold stock too: this inventory is of the test's own site.
    nurse.get_by_label("Site (registrant)").select_option(f"Site {tag}")
    total = nurse.get_by_role("row").filter(has_text=f"Total Ketamine 50 mg/mL {tag}")
    expect(total).to_contain_text("470.000")
    expect(total).to_contain_text("9.400 mL")
    with nurse.expect_download() as download:
        nurse.get_by_role("button", name="Download PDF").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith("-close.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    nurse.get_by_label("Taken at").select_option("opening")
    expect(nurse.locator("#preview")).to_contain_text("at opening of business")


def test_stock_is_received_wasted_counted_by_two_signers_and_reported(
    signed_in: Callable[..., Page],
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    nurse = signed_in("nurse", "/inventory")
    expect(nurse.get_by_role("heading", name="Controlled-substance stock")).to_be_visible()
    _add_product_and_location(nurse, tag)
    _receive(nurse, tag)
    lot_page = urlparse(nurse.url).path
    _waste_with_witness(nurse, tag)
    _count_with_two_signers(nurse, signed_in, tag)
    _download_biennial_pdf(nurse, tag)

    nurse.goto(lot_page)
    checked, unlabelled = unlabelled_fields(nurse)
    assert checked >= 20
    assert unlabelled == []
