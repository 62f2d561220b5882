"""Browser tests of the account page: password change and personal API tokens."""

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_account_page_shows_who_is_signed_in(signed_in: Callable[..., Page]) -> None:
    page = signed_in("nurse2")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()

    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Maria Alvarez, RN")
    expect(facts).to_contain_text("nurse2@demo.openkap.org")
    expect(facts).to_contain_text("Riverside KAP Clinic")


def test_password_change_with_a_wrong_current_password_is_refused(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("nurse2", "/account")
    form = page.get_by_role("region", name="Change password")

    form.get_by_label("Current password").fill("not my password at all")
    form.get_by_label("New password (12 characters or more)").fill("a brand new passphrase")
    form.get_by_role("button", name="Change password").click()

    expect(page.get_by_role("region", name="Change password").get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(0)


def test_personal_api_token_is_shown_once_and_can_be_revoked(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("nurse2", "/account")
    name = f"laptop {uuid.uuid4().hex[:6]}"
    tokens = page.get_by_role("region", name="Personal API tokens")

    tokens.get_by_label("Token name").fill(name)
    tokens.get_by_label("Expires after (days)").fill("30")
    tokens.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("status")).to_contain_text(f"Token “{name}” created")
    expect(page.locator("#new-token")).to_have_text(re.compile(r"\S{20,}"))
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("active")

    row.get_by_role("button", name="Revoke").click()

    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    expect(page.locator("#new-token")).to_have_count(0)
