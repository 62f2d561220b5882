"""Browser tests of the patient portal on a phone (375 x 667): the front desk makes an invitation
link on the staff page; the patient opens it on their phone, answers a PHQ-9 one question per
screen, sends it, and sees the confirmation and their chart. A second run answers item 9 with
"Several days" and is shown the clinic's crisis message straight away.

The course's next dosing session (tomorrow) is what makes the PHQ-9 due: the follow-up schedule's
"before each session" questionnaire.
"""

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from openkap.core.time import utcnow
from openkap.dosing.sessions import service as dosing_service
from openkap.episodes.models import Episode
from tests.e2e.conftest import DemoClinic
from tests.e2e.test_chair_iv import ready_course

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 375, "height": 667}, "has_touch": True, "is_mobile": True}
PAGE_WIDTH_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Every visible button, link styled as a button and answer choice: its rendered height.
TARGET_HEIGHTS_JS = """() => [
  ...document.querySelectorAll('main button, main .button, main .choice')]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])"""
ANSWERS = [
    "Several days",
    "More than half the days",
    "Several days",
    "Not at all",
    "Several days",
    "More than half the days",
    "Several days",
    "Not at all",
    "Not at all",
]


def booked_course(clinic: DemoClinic) -> Episode:
    """A ready IV course of a new patient with a dosing session booked for tomorrow."""
    episode = ready_course(clinic, template_key="iv_racemic")
    with clinic.as_staff("frontdesk") as (session, front_desk):
        session.add(episode)
        dosing_service.schedule_session(
            session,
            episode=episode,
            scheduled_for=utcnow() + timedelta(days=1),
            by=front_desk,
        )
    return episode


def invitation_link(signed_in: Callable[..., Page], episode: Episode) -> str:
    """Make an invitation on the staff page as the front desk; return the link shown once."""
    staff = signed_in("frontdesk", f"/patients/{episode.patient_id}/portal")
    expect(staff.get_by_role("heading", name=re.compile("Portal access"))).to_be_visible()
    staff.get_by_label("Sign-in e-mail (optional)").fill(f"noor-{uuid.uuid4().hex[:8]}@example.org")
    staff.get_by_role("button", name="Create invitation link").click()
    expect(staff.get_by_text("it is shown only this once")).to_be_visible()
    return staff.locator("#invitation-url").inner_text().strip()


def fits_the_phone(page: Page) -> None:
    """No sideways scrolling, and every touch target at least 44 px high."""
    scroll_width, window_width = page.evaluate(PAGE_WIDTH_JS)
    assert scroll_width <= window_width, page.url
    small = [(text, h) for text, h in page.evaluate(TARGET_HEIGHTS_JS) if h < 44]
    assert small == [], (page.url, small)


def phone_at_link(new_page: Callable[..., Page], link: str) -> Page:
    phone = new_page(**PHONE)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Welcome to your patient portal")).to_be_visible()
    fits_the_phone(phone)
    return phone


def open_link_on_phone(new_page: Callable[..., Page], link: str) -> Page:
    return press_open(phone_at_link(new_page, link))


def press_open(phone: Page) -> Page:
    phone.get_by_role("button", name="Open my questionnaires").click()
    expect(phone.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()
    fits_the_phone(phone)
    return phone


def answer_question(phone: Page, number: int, label: str, *, with_keyboard: bool = False) -> None:
    expect(phone.get_by_text(f"Question {number} of 10")).to_be_visible()
    # One question per screen: a single group of answers.
    expect(phone.get_by_role("group")).to_have_count(1)
    fits_the_phone(phone)
    choice = phone.get_by_role("radio", name=label, exact=True)
    if with_keyboard:
        choice.focus()
        phone.keyboard.press("Space")
        expect(choice).to_be_checked()
        phone.keyboard.press("Enter")
    else:
        choice.check()
        phone.get_by_role("button", name=re.compile("^(Next|Save and review)$")).click()


def test_a_patient_completes_a_phq9_on_a_phone_and_sees_the_result_and_chart(
    demo_clinic: DemoClinic,
    signed_in: Callable[..., Page],
    new_page: Callable[..., Page],
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
) -> None:
    episode = booked_course(demo_clinic)
    phone = phone_at_link(new_page, invitation_link(signed_in, episode))
    checked, unlabelled = unlabelled_fields(phone)
    assert checked == 2
    assert unlabelled == []
    press_open(phone)
    expect(phone.get_by_role("heading", name="Your next session")).to_be_visible()
    phone.get_by_role("link", name="Sessions", exact=True).click()
    expect(phone.get_by_role("heading", name="How to prepare")).to_be_visible()
    expect(phone.get_by_text("Do not drive")).to_be_visible()
    fits_the_phone(phone)
    phone.get_by_role("link", name="My plan", exact=True).click()
    expect(phone.get_by_role("heading", name="Your integration plan")).to_be_visible()
    fits_the_phone(phone)
    phone.get_by_role("link", name="Home", exact=True).click()
    phone.get_by_role("button", name="Start PHQ-9").click()
    expect(phone.get_by_text("Question 1 of 10")).to_be_visible()
    checked, unlabelled = unlabelled_fields(phone)
    assert checked == 4
    assert unlabelled == []
    for number, label in enumerate(ANSWERS, start=1):
        answer_question(phone, number, label, with_keyboard=number == 2)
    expect(phone.get_by_text("Question 10 of 10")).to_be_visible()
    phone.get_by_role("button", name="Leave blank").click()
    expect(phone.get_by_role("heading", name="Check your answers")).to_be_visible()
    fits_the_phone(phone)
    expect(phone.locator(".review-list li")).to_have_count(10)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(phone.get_by_role("status")).to_contain_text("PHQ-9 answers were sent")
    expect(phone.get_by_text("8 out of 27")).to_be_visible()
    fits_the_phone(phone)
    phone.get_by_role("link", name="See your scores over time").click()
    chart = phone.get_by_role("img", name="PHQ-9 scores")
    expect(chart).to_be_visible()
    fits_the_phone(phone)
    phone.get_by_text("PHQ-9 scores as a table").click()
    expect(phone.get_by_role("cell", name="8", exact=True)).to_be_visible()


def test_answering_item_9_shows_the_crisis_message_first(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page], new_page: Callable[..., Page]
) -> None:
    episode = booked_course(demo_clinic)
    phone = open_link_on_phone(new_page, invitation_link(signed_in, episode))
    phone.get_by_role("button", name="Start PHQ-9").click()
    for number, label in enumerate([*ANSWERS[:8], "Several days"], start=1):
        answer_question(phone, number, label)
    expect(phone.get_by_role("heading", name="Your safety matters")).to_be_visible()
    crisis = phone.get_by_role("alert")
    expect(crisis).to_contain_text("call or text 988")
    fits_the_phone(phone)
    phone.goto("/portal")
    expect(phone.get_by_role("heading", name="Your safety matters")).to_be_visible()
    phone.get_by_role("button", name="Continue the questionnaire").click()
    expect(phone.get_by_text("Question 10 of 10")).to_be_visible()
