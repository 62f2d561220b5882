"""Browser test of therapy notes: a therapist writes an integration note linked to the dosing
session it follows, signs it, sees it locked (the editor refuses it), and adds an addendum."""

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from openkap.core.time import utcnow
from openkap.dosing.sessions import service as dosing_service
from tests.e2e.conftest import DemoClinic
from tests.e2e.test_chair_iv import ready_course

pytestmark = pytest.mark.e2e

THERAPIST = "Dana Whitfield, LMFT"


def course_with_a_dosing_session(clinic: DemoClinic) -> tuple[uuid.UUID, uuid.UUID]:
    """A new patient's course, ready, with one dosing session scheduled for now."""
    episode = ready_course(clinic, template_key="iv_racemic")
    with clinic.as_staff("nurse") as (session, nurse):
        session.add(episode)
        dosing = dosing_service.schedule_session(
            session, episode=episode, scheduled_for=utcnow(), by=nurse
        )
        return episode.id, dosing.id


def test_a_therapist_signs_an_integration_note_sees_it_locked_and_adds_an_addendum(
    demo_clinic: DemoClinic,
    signed_in: Callable[..., Page],
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
) -> None:
    episode_id, dosing_id = course_with_a_dosing_session(demo_clinic)
    page = signed_in("therapist", f"/episodes/{episode_id}/notes")
    expect(page.locator("#no-notes")).to_be_visible()

    page.get_by_label("Type").select_option("integration")
    page.get_by_label("Dosing session").select_option(str(dosing_id))
    page.get_by_role("button", name="Start draft").click()
    expect(page.get_by_role("heading", name=re.compile("Integration note"))).to_be_visible()
    checked, unlabelled = unlabelled_fields(page)
    assert checked >= 10
    assert unlabelled == []

    page.get_by_label("Data").fill("Revisited the lake image from Tuesday's session.")
    page.get_by_label("Themes that emerged").fill("grief\nbelonging")
    page.get_by_label("Assessment").fill("Integrating well; insight growing.")
    page.get_by_label(re.compile(r"^Plan\b")).fill("Next integration session in one week.")
    page.get_by_label("Suicidal ideation").select_option("none")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#dosing-session a")).to_be_visible()
    expect(page.locator("#content")).to_contain_text("belonging")
    page.get_by_label("I attest this note is accurate and complete.").check()
    page.get_by_role("button", name="Sign note").click()

    expect(page.locator("#locked")).to_have_text("Locked")
    signatures = page.locator("#signatures")
    expect(signatures).to_contain_text(f"Signed by {THERAPIST}")
    expect(signatures).to_contain_text("I attest this note is accurate and complete.")
    expect(page.locator("#verified")).to_be_visible()
    expect(page.locator("#edit-link")).to_have_count(0)
    note_url = page.url

    editor = page.request.get(f"{note_url}/edit")
    assert editor.status == 409

    page.get_by_label("Addendum").fill("Patient called on Friday: sleeping better.")
    page.get_by_role("button", name="Add signed addendum").click()
    addenda = page.locator("#addenda .addendum")
    expect(addenda).to_have_count(1)
    expect(addenda).to_contain_text("sleeping better")
    expect(addenda).to_contain_text(f"Signed by {THERAPIST}")
    expect(page.locator("#content")).to_contain_text("Revisited the lake image")
