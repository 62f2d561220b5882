"""Browser test: under the Content-Security-Policy (no inline script), the pages a nurse, an
administrator and a patient open raise no policy violation and their scripts still run."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoClinic
from tests.e2e.test_portal_phq9 import booked_course, invitation_link, open_link_on_phone

pytestmark = pytest.mark.e2e


def _violations(page: Page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


@pytest.mark.parametrize(
    ("handle", "paths"),
    [
        ("nurse", ["/patients", "/account", "/inventory"]),
        ("admin", ["/admin/users", "/admin/audit"]),
    ],
)
def test_staff_pages_run_without_policy_violations(
    signed_in: Callable[..., Page], handle: str, paths: list[str]
) -> None:
    page = signed_in(handle, paths[0])
    seen = _violations(page)
    for path in paths:
        page.goto(path)
        expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    # htmx loaded from its own file and ran.
    assert page.evaluate("typeof window.htmx") == "object"
    assert seen == []


def test_the_patient_portal_converts_times_with_its_script(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page], new_page: Callable[..., Page]
) -> None:
    episode = booked_course(demo_clinic)
    phone = open_link_on_phone(new_page, invitation_link(signed_in, episode))
    seen = _violations(phone)

    phone.goto("/portal/sessions")

    booked = phone.locator("time[data-local]:not([data-date-only])").first
    expect(booked).to_be_visible()
    # The script replaced the UTC text the server wrote with the phone's own time.
    expect(booked).not_to_have_text(re.compile("UTC"))
    assert seen == []
