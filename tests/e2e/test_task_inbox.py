"""Browser test of the task inbox: a prescriber opens it, finds an overdue questionnaire of their
patient and an urgent alert, and acknowledges the alert with the action they took.

The course's dosing session is written 30 hours in the past, so the questionnaires due 24 hours
after the first dose are overdue (their window closes at 36 hours); the urgent alert is raised
through the follow-up service as the portal raises it for a suicide-risk answer.
"""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.followup.alerts.service import raise_urgent_alert
from openkap.patients.models import Patient
from tests.e2e.conftest import DemoClinic
from tests.e2e.test_chair_iv import ready_course
from tests.followup.builders import session_at

pytestmark = pytest.mark.e2e

ACTION = "Phoned the patient; safe at home with partner; safety plan reviewed."


def dosed_course_with_alert(clinic: DemoClinic) -> tuple[Episode, str]:
    """A new patient's course (prescriber: the demo prescriber) dosed 30 hours ago, with an
    urgent alert raised on it; returns the course and the patient's name as tasks show it."""
    episode = ready_course(clinic, template_key="iv_racemic")
    with clinic.as_staff("nurse") as (session, nurse):
        session.add(episode)
        session_at(session, episode, utcnow() - timedelta(hours=30))
        alert = raise_urgent_alert(
            session,
            patient_id=episode.patient_id,
            episode_id=episode.id,
            kind="suicide_risk",
            message="PHQ-9 item 9 answered 'several days' in the portal.",
            evidence={"instrument": "phq9", "item": 9, "answer": 1},
            by=nurse,
        )
        patient = session.get(Patient, (episode.organization_id, episode.patient_id))
        assert patient is not None
        name = f"{patient.family_name}, {patient.given_name}"
        assignee = alert.assignee_id
    assert assignee == clinic.user_id("prescriber")
    return episode, name


def test_a_prescriber_acknowledges_an_urgent_alert_from_the_inbox(
    demo_clinic: DemoClinic,
    signed_in: Callable[..., Page],
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
) -> None:
    _, name = dosed_course_with_alert(demo_clinic)
    page = signed_in("prescriber", "/tasks")
    expect(page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mine")).to_have_attribute("aria-current", "page")

    questionnaires = page.get_by_role("link", name=re.compile("^Questionnaires due"))
    questionnaires.click()
    rows = page.locator("#tasks tbody tr", has_text=name)
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="PHQ-9: 24 hours after the first dose")).to_contain_text("overdue")

    page.get_by_role("link", name=re.compile("^Urgent alerts")).click()
    alert_row = page.locator("#tasks tbody tr", has_text=name)
    expect(alert_row).to_contain_text("PHQ-9 item 9 answered")
    alert_row.get_by_role("link", name=re.compile("^Open")).click()

    expect(page.get_by_role("heading", name=re.compile("^Urgent alert"))).to_be_visible()
    expect(page.locator("#alert-status")).to_have_text("open")
    expect(page.locator("#urgent-alert-banner")).to_contain_text("PHQ-9 item 9 answered")
    checked, unlabelled = unlabelled_fields(page)
    assert checked == 3
    assert unlabelled == []
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#e-action_taken")).to_contain_text("at least 10 characters")
    page.get_by_role("textbox", name="Action taken").fill(ACTION)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#e-risk_level")).to_contain_text("risk assessment")
    page.get_by_label("Risk assessment: suicide risk now").select_option("low")
    page.get_by_label("Safety plan reviewed with the patient").select_option("yes")
    page.get_by_role("button", name="Acknowledge").click()

    expect(page.get_by_role("status")).to_contain_text("Acknowledged")
    expect(page.locator("#alert-status")).to_have_text("acknowledged")
    expect(page.locator("#acknowledgement")).to_contain_text(ACTION)
    expect(page.locator("#acknowledgement")).to_contain_text("Dr. Priya Raman")

    page.goto("/tasks?category=urgent_alerts")
    expect(page.locator("#tasks tbody tr", has_text=name)).to_have_count(0)
