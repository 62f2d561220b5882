"""Browser test of a patient's progress page: a therapist opens it, reads the chart and its
badges, and switches the PHQ-9 chart to its data table.

The test builds its own course in the demo clinic (as the demo nurse): three discharged doses
and the worked PHQ-9 example of the outcome tests, so the badges are known by hand.
"""

import uuid

import pytest
from playwright.sync_api import expect

from openkap.core.models import Organization
from tests.dosing.builders_administration import dosable_episode
from tests.e2e.conftest import DemoClinic
from tests.outcomes.builders import add_doses, day, patient_of, scored

pytestmark = pytest.mark.e2e

EXAMPLE = [(day(-1), 20), (day(1), 12), (day(4), 9), (day(8), 4), (day(40), 13)]


def _course(demo_clinic: DemoClinic) -> uuid.UUID:
    with demo_clinic.as_staff("nurse") as (session, nurse):
        org = session.get(Organization, nurse.organization_id)
        episode = dosable_episode(session, org)
        add_doses(session, episode, [day(0), day(3), day(7)])
        scored(session, patient_of(session, episode), episode, nurse, "phq9", EXAMPLE)
        return episode.patient_id


def test_a_therapist_reads_the_chart_and_badges_and_switches_to_the_table(
    demo_clinic, signed_in, unlabelled_fields
):
    patient_id = _course(demo_clinic)
    page = signed_in("therapist", f"/patients/{patient_id}/progress")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress:")
    chart = page.get_by_role("img", name="PHQ-9: 5 scores")
    expect(chart).to_be_visible()
    expect(page.locator("#dose-count")).to_have_text("3 discharged")
    first = page.locator('[data-badge="first_response"]')
    expect(first).to_contain_text("4 days after the first dose, after 2 doses")
    expect(page.locator('[data-badge="durability"]')).to_contain_text("36 days")
    expect(page.locator('[data-badge="status"]')).to_contain_text("No response (latest 13")

    table = page.get_by_role("table", name="PHQ-9 scores, newest first")
    expect(table).to_be_hidden()
    page.get_by_text("Show PHQ-9 as a table").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(6)  # the header and five scores
    expect(table.get_by_role("row").nth(1)).to_contain_text("13")
    assert unlabelled_fields(page) == (0, [])

    href = page.get_by_role("link", name="Progress report (PDF)").get_attribute("href")
    report = page.request.get(href)
    assert report.ok
    assert report.headers["content-type"] == "application/pdf"
