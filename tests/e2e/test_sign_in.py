"""Browser tests of signing in and out, and of two-step sign-in (MFA)."""

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import Page, expect

from openkap.accounts.demo import demo_email
from openkap.core.security import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(
    page: Page, submit_login: Callable[..., None]
) -> None:
    submit_login(page, "researcher", password="not-the-password")

    expect(page.get_by_role("alert")).to_have_text("E-mail or password is incorrect.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in to OpenKAP")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value(demo_email("researcher"))
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def test_sign_in_leads_to_the_patient_list(page: Page, submit_login: Callable[..., None]) -> None:
    submit_login(page, "therapist")

    expect(page).to_have_url(re.compile(r"/patients$"))
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Dana Whitfield, LMFT")


def test_protected_page_redirects_to_login_and_back_after_signing_in(
    page: Page,
) -> None:
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)account$"))

    page.get_by_label("E-mail").fill(demo_email("nurse2"))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()


def test_sign_out_returns_to_login_and_protected_pages_then_redirect_there(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("prescriber", fresh=True)

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in to OpenKAP")).to_be_visible()

    page.goto("/patients")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)patients$"))
    expect(page.get_by_role("heading", name="Sign in to OpenKAP")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def _next_step_code(totp: pyotp.TOTP) -> str:
    # A code is accepted once: the sign-in uses the next time step (within the allowed drift)
    # instead of waiting up to 30 s for the one used to turn MFA on to expire.
    return totp.at(time.time() + totp.interval)


def _wrong_code(totp: pyotp.TOTP) -> str:
    now = time.time()
    near = {totp.at(now + shift * totp.interval) for shift in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def test_mfa_set_up_then_sign_in_asks_for_the_one_time_code(
    signed_in: Callable[..., Page],
    submit_login: Callable[..., None],
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
) -> None:
    # No other test signs in as therapist2: MFA stays on for this account.
    page = signed_in("therapist2", "/account", fresh=True)
    page.get_by_role("link", name="Set up MFA").click()
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().strip())
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Turn on MFA").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    mfa = page.get_by_role("region", name="Two-step sign-in (MFA)")
    expect(mfa).to_contain_text("You enter a code from your authenticator app")

    page.get_by_role("button", name="Sign out", exact=True).click()
    submit_login(page, "therapist2")
    expect(page).to_have_url(re.compile(r"/login/mfa"))
    expect(page.get_by_role("heading", name="Enter your one-time code")).to_be_visible()
    assert unlabelled_fields(page) == (1, [])

    page.goto("/patients")
    expect(page).to_have_url(re.compile(r"/login/mfa"))
    page.get_by_label("Code").fill(_wrong_code(totp))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That one-time code is not valid. Enter the current code from your authenticator app."
    )

    page.get_by_label("Code").fill(_next_step_code(totp))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
