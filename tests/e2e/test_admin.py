"""Browser tests of the administration pages: users and roles, and the audit log."""

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

AUDITED_PATIENT = 5  # viewed by a nurse in one test only


def test_admin_adds_a_user_with_a_role_and_sees_them_listed(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    users = page.get_by_role("table")
    expect(users).to_contain_text("Jordan Lee, RN")
    expect(users).to_contain_text("nurse@demo.openkap.org")
    name = f"Sam Quarry {uuid.uuid4().hex[:6]}"
    email = f"sam.{uuid.uuid4().hex[:8]}@demo.openkap.org"

    new_user = page.get_by_role("region", name="Add a user")
    new_user.get_by_label("Full name").fill(name)
    new_user.get_by_label("E-mail").fill(email)
    new_user.get_by_label("Initial password (12+ characters)").fill("a long enough password")
    new_user.get_by_role("group", name="Roles").get_by_label("therapist", exact=True).check()
    new_user.get_by_role("button", name="Add user").click()

    expect(page).to_have_url(re.compile(r"/admin/users$"))
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text(name)
    roles = page.get_by_role("form", name=f"Roles of {name}")
    expect(roles.get_by_label("therapist", exact=True)).to_be_checked()
    expect(roles.get_by_label("nurse", exact=True)).not_to_be_checked()
    expect(roles.get_by_label("active", exact=True)).to_be_checked()


def test_adding_a_user_without_a_role_is_refused_with_an_error(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("admin", "/admin/users")
    email = f"norole.{uuid.uuid4().hex[:8]}@demo.openkap.org"

    new_user = page.get_by_role("region", name="Add a user")
    new_user.get_by_label("Full name").fill("No Role Person")
    new_user.get_by_label("E-mail").fill(email)
    new_user.get_by_label("Initial password (12+ characters)").fill("a long enough password")
    new_user.get_by_role("button", name="Add user").click()

    expect(page.get_by_role("group", name="Roles")).to_contain_text("Choose at least one role.")
    expect(page.get_by_role("table")).not_to_contain_text(email)


def test_admin_sees_who_viewed_a_patient_record(
    signed_in: Callable[..., Page], live_server: LiveServer
) -> None:
    nurse = signed_in("nurse", live_server.patient_url(AUDITED_PATIENT))
    expect(nurse.get_by_role("heading", name="Demographics")).to_be_visible()

    admin = signed_in("admin", live_server.patient_url(AUDITED_PATIENT))
    admin.get_by_role("link", name="Who viewed this record").click()

    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Audit log: who accessed this patient's record"
    )
    nurse_reads = admin.get_by_role("row").filter(has_text="Jordan Lee, RN")
    expect(nurse_reads.filter(has_text="patient.read")).not_to_have_count(0)
    expect(nurse_reads.filter(has_text="patient.read").first).to_contain_text("nurse")
    expect(admin.get_by_role("row").filter(has_text="Alex Morgan").first).to_be_visible()


def test_staff_without_the_admin_role_cannot_open_the_user_list(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("nurse")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Patients", "Tasks", "REMS forms", "Controlled substances", "Account"]
    )

    response = page.goto("/admin/users")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", name="Users and roles")).to_have_count(0)
