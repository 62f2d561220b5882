"""Browser test of the esketamine REMS pages: the due list, building a form, a refused and an
accepted submission, the PDF link, and the form page's labels at tablet size.

The test builds its own discharged esketamine session in the demo clinic, as the demo nurse.
"""

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from openkap.core.models import Organization
from openkap.core.time import utcnow
from tests.dosing.matrix_rems import esketamine_episode, finished_session
from tests.e2e.conftest import DemoClinic

pytestmark = pytest.mark.e2e

TABLET = {"width": 820, "height": 1180}
MAX_PAGES = 20


def _discharged_session(demo_clinic: DemoClinic) -> tuple[uuid.UUID, str, str]:
    """Return the id of a session discharged 150 minutes after its first device, its patient's
    listed name and its treatment date."""
    patient = demo_clinic.new_patient()
    with demo_clinic.as_staff("nurse") as (session, nurse):
        org = session.get(Organization, nurse.organization_id)
        session.add(patient)
        dosing = finished_session(session, esketamine_episode(session, org, patient), nurse)
        day = dosing.first_device_at.date().isoformat()
        return dosing.id, f"{patient.family_name}, {patient.given_name}", day


def _find_on_dashboard(page: Page, name: str) -> None:
    for _ in range(MAX_PAGES):
        if page.get_by_role("link", name=name).count():
            return
        page.get_by_role("link", name="Next page").click()
    pytest.fail(f"{name} is not on the REMS dashboard")


def test_a_nurse_builds_and_submits_a_rems_form_from_the_dashboard(
    signed_in: Callable[..., Page],
    demo_clinic: DemoClinic,
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
) -> None:
    session_id, name, day = _discharged_session(demo_clinic)
    page = signed_in("nurse", "/rems-forms", viewport=TABLET)
    expect(page.get_by_role("heading", name="Esketamine REMS monitoring forms")).to_be_visible()
    _find_on_dashboard(page, name)
    row = page.locator(f'tr[data-session="{session_id}"]')
    # Begun 150 minutes ago, the session may be yesterday's when the test runs after midnight.
    days_left = 7 - (utcnow().date() - date.fromisoformat(day)).days
    expect(row).to_contain_text(f"due in {days_left} days")
    expect(row).to_contain_text("not built yet")

    row.get_by_role("link", name=name).click()
    page.get_by_role("button", name="Build the form").click()
    expect(page.get_by_role("status")).to_contain_text("filled from the session's records")
    expect(page.locator("#v-patient_name")).to_have_text(name)
    expect(page.locator("#v-total_minutes")).to_contain_text("150 minutes")
    expect(page.locator("#v-first_treatment")).to_have_text("Yes")
    expect(page.locator("#v-rems_enrolled")).to_contain_text("REMS-123")
    expect(page.locator("#form-status")).to_have_text("not submitted")
    checked, unlabelled = unlabelled_fields(page)
    assert checked >= 2
    assert unlabelled == []

    pdf_href = page.get_by_role("link", name="Download PDF").get_attribute("href")
    pdf = page.request.get(pdf_href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    page.get_by_label("Submitted to the REMS on").fill("2020-01-01")
    page.get_by_role("button", name="Record the submission").click()
    date_field = page.get_by_label("Submitted to the REMS on")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-submitted_on")).to_contain_text("before the treatment date")

    date_field.fill(day)
    page.get_by_label("REMS confirmation number (if given)").fill("RMS-0042")
    page.get_by_role("button", name="Record the submission").click()
    expect(page.locator("#submission")).to_have_text(
        f"Submitted on {day}, confirmation number RMS-0042"
    )
    expect(page.locator("#form-status")).to_have_text("submitted")
    expect(page.get_by_role("button", name="Record the submission")).to_have_count(0)

    page.goto("/rems-forms")
    expect(page.locator(f'tr[data-session="{session_id}"]')).to_have_count(0)
