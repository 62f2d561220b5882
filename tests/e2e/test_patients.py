"""Browser tests of the patient registry: create, find, open, edit, weights."""

import re
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from openkap.core.time import utcnow
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

# Each test works on its own demo patient so the tests can run in any order.
FRONT_DESK_PATIENT, WEIGHT_PATIENT, BAD_WEIGHT_PATIENT, EDIT_PATIENT, POUNDS_PATIENT = 1, 2, 3, 4, 8
WRONG_PATIENT = 7


def unique_family_name() -> str:
    return f"Okoye{uuid.uuid4().hex[:8]}"


def test_new_patient_can_be_found_by_search_and_opened(signed_in: Callable[..., Page]) -> None:
    page = signed_in("frontdesk")
    family = unique_family_name()

    page.get_by_role("link", name="New patient").click()
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Given name").fill("Imani")
    page.get_by_label("Date of birth").fill("1987-03-14")
    page.get_by_label("Sex assigned at birth").select_option("female")
    page.locator("#f-phone").fill("(503) 555-0199")
    page.get_by_role("button", name="Create patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{family}, Imani")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_label("Name or MRN").fill(family.lower())
    results = page.locator("#results")
    expect(results.get_by_role("row")).to_have_count(2)  # header and the one match
    expect(page).to_have_url(re.compile(rf"/patients\?q={family.lower()}&"))  # htmx pushed it
    results.get_by_role("link", name=f"{family}, Imani").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{family}, Imani")
    demographics = page.get_by_role("region", name="Demographics")
    expect(demographics).to_contain_text("1987-03-14")
    expect(demographics).to_contain_text("(503) 555-0199")
    expect(page.locator("#mrn")).to_have_text(re.compile(r"\S"))


def test_search_by_name_and_date_of_birth_lists_only_matches(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("frontdesk", "/patients")
    first_row = page.locator("#results tbody tr").first
    name = first_row.get_by_role("link").inner_text()
    birth_date = first_row.locator("td").nth(2).inner_text()

    page.get_by_label("Date of birth").fill(birth_date)
    page.get_by_role("button", name="Search").click()

    rows = page.locator("#results tbody tr")
    expect(rows.first).to_contain_text(birth_date)
    expect(rows.filter(has_not_text=birth_date)).to_have_count(0)
    expect(rows.get_by_role("link", name=name)).to_be_visible()


def test_new_patient_without_required_fields_shows_each_error(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("frontdesk", "/patients/new")

    page.get_by_role("button", name="Create patient").click()

    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    for label in ("Family name", "Given name", "Date of birth", "Sex assigned at birth"):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This field is required.")).to_have_count(4)


def test_front_desk_sees_demographics_but_no_weights(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    page = signed_in("frontdesk", live_server.patient_url(FRONT_DESK_PATIENT))

    expect(page.get_by_role("heading", name="Demographics")).to_be_visible()
    expect(page.get_by_role("region", name="Demographics")).to_contain_text("Date of birth")
    expect(page.get_by_role("heading", name="Weight")).to_have_count(0)
    expect(page.get_by_role("button", name="Record weight")).to_have_count(0)


def test_nurse_records_a_weight_and_sees_it_in_the_table(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    page = signed_in("nurse", live_server.patient_url(WEIGHT_PATIENT))
    weights = page.get_by_role("region", name="Weight")
    rows = weights.locator("tbody tr")
    expect(weights.get_by_role("heading", name="Weight")).to_be_visible()
    before = rows.count()
    last = Decimal(rows.first.locator("td").nth(1).inner_text())
    weight = str(last + Decimal("0.5"))  # within 10 % of the last weight: no question asked

    weights.get_by_label("Weight (kg)").fill(weight)
    weights.get_by_label("Measured on").fill(utcnow().date().isoformat())
    weights.get_by_role("button", name="Record weight").click()

    expect(rows).to_have_count(before + 1)
    expect(rows.first.get_by_role("cell")).to_have_text(
        [utcnow().date().isoformat(), weight, re.compile(r"^\d+\.\d$"), "recorded"]
    )
    expect(weights.locator("#bmi")).to_contain_text("kg/m²")


def test_weight_typed_in_pounds_is_refused_naming_the_change_then_confirmed(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    page = signed_in("nurse", live_server.patient_url(POUNDS_PATIENT))
    weights = page.get_by_role("region", name="Weight")
    before = weights.locator("tbody tr").count()
    last = weights.locator("tbody tr").first.locator("td").nth(1).inner_text()
    pounds = str((Decimal(last) * Decimal("2.2")).quantize(Decimal("0.1")))

    weights.get_by_label("Weight (kg)").fill(pounds)
    weights.get_by_role("button", name="Record weight").click()

    refusal = page.locator("#weight-refusal")
    expect(refusal).to_contain_text("pounds_typed_as_kilograms")
    expect(refusal).to_contain_text(f"previous weight of {last} kg")
    weights = page.get_by_role("region", name="Weight")
    expect(weights.locator("tbody tr")).to_have_count(before)
    expect(weights.get_by_label("Weight (kg)")).to_have_value(pounds)

    weights.get_by_label("The change is right (checked scale and unit)").check()
    weights.get_by_label("Reason for the change").fill("Weighed twice; the scale reads kilograms.")
    weights.get_by_role("button", name="Record weight").click()

    rows = page.get_by_role("region", name="Weight").locator("tbody tr")
    expect(rows).to_have_count(before + 1)
    expect(rows.first).to_contain_text("change confirmed: Weighed twice")


def test_weight_out_of_range_shows_an_inline_error_naming_the_bound(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    page = signed_in("prescriber", live_server.patient_url(BAD_WEIGHT_PATIENT))
    weights = page.get_by_role("region", name="Weight")
    before = weights.locator("tbody tr").count()

    weights.get_by_label("Weight (kg)").fill("900")
    weights.get_by_role("button", name="Record weight").click()

    field = page.get_by_role("region", name="Weight").get_by_label("Weight (kg)")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("900")
    expect(page.locator("#e-weight_kg")).to_contain_text("400")
    expect(page.get_by_role("region", name="Weight").locator("tbody tr")).to_have_count(before)


def test_editing_a_patient_phone_saves_and_shows_the_new_number(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    page = signed_in("frontdesk", live_server.patient_url(EDIT_PATIENT))
    phone = f"(971) 555-{uuid.uuid4().int % 10_000:04d}"

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit patient")).to_be_visible()
    page.locator("#f-phone").fill(phone)
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(live_server.patient_url(EDIT_PATIENT))
    demographics = page.get_by_role("region", name="Demographics")
    expect(demographics.locator("dt:text-is('Phone') + dd")).to_have_text(phone)


def test_record_marked_entered_in_error_shows_the_reason_and_leaves_the_list(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    page = signed_in("prescriber", live_server.patient_url(WRONG_PATIENT))
    mrn = page.locator("#mrn").inner_text()
    reason = f"Duplicate of another record ({uuid.uuid4().hex[:6]})"

    page.get_by_text("Mark this record entered in error").click()
    page.get_by_label("Why this record is wrong").fill(reason)
    page.get_by_role("button", name="Mark entered in error").click()

    expect(page.get_by_role("alert")).to_have_text(f"Entered in error. {reason}")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Record weight")).to_have_count(0)
    page.goto(f"/patients?q={mrn}")
    expect(page.locator("#results")).to_contain_text("No patients match this search.")
