"""Browser tests of ending access: signing out everywhere, and an administrator ending a user's
sessions and unlocking a throttled sign-in."""

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from openkap.accounts.service import create_user
from openkap.core.config import get_settings
from openkap.core.models import Role
from tests.e2e.conftest import DemoClinic

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


def _new_staff(demo_clinic: DemoClinic) -> tuple[str, str]:
    """A therapist of the demo clinic, made by its administrator; returns name and e-mail."""
    name, email = f"Ren Okafor {uuid.uuid4().hex[:6]}", f"ren.{uuid.uuid4().hex[:8]}@example.org"
    with demo_clinic.as_staff("admin") as (session, admin):
        create_user(
            session,
            organization_id=admin.organization_id,
            email=email,
            full_name=name,
            password=PASSWORD,
            roles=[Role.therapist],
            by=admin,
        )
    return name, email


def _sign_in(new_page: Callable[..., Page], email: str, password: str = PASSWORD) -> Page:
    page = new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_signing_out_everywhere_ends_the_other_browser_too(
    new_page: Callable[..., Page], demo_clinic: DemoClinic
) -> None:
    _, email = _new_staff(demo_clinic)
    laptop, tablet = _sign_in(new_page, email), _sign_in(new_page, email)
    for page in (laptop, tablet):
        expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    laptop.goto("/account")
    region = laptop.get_by_role("region", name="Sign out everywhere")
    region.get_by_role("button", name="Sign out everywhere").click()

    expect(laptop).to_have_url(re.compile(r"/login"))
    tablet.reload()
    expect(tablet).to_have_url(re.compile(r"/login"))


def test_an_administrator_ends_a_users_sessions_and_unlocks_their_sign_in(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], demo_clinic: DemoClinic
) -> None:
    name, email = _new_staff(demo_clinic)
    user = _sign_in(new_page, email)
    expect(user.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    admin = signed_in("admin", "/admin/users")

    admin.get_by_role("button", name=f"End the sessions of {name}").click()

    expect(admin).to_have_url(re.compile(r"/admin/users$"))
    user.reload()
    expect(user).to_have_url(re.compile(r"/login"))
    for _ in range(get_settings().login_max_failures):
        user.get_by_label("E-mail").fill(email)
        user.get_by_label("Password").fill("not the password")
        user.get_by_role("button", name="Sign in").click()
    user.get_by_label("E-mail").fill(email)
    user.get_by_label("Password").fill(PASSWORD)
    user.get_by_role("button", name="Sign in").click()
    expect(user.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")

    admin.reload()
    row = admin.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("sign-in locked")
    row.get_by_role("button", name=f"Unlock the sign-in of {name}").click()
    expect(admin.get_by_role("row").filter(has_text=email)).not_to_contain_text("sign-in locked")

    user.get_by_label("E-mail").fill(email)
    user.get_by_label("Password").fill(PASSWORD)
    user.get_by_role("button", name="Sign in").click()
    expect(user.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
