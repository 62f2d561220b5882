"""The start page sends each role where its work is."""

import pytest

from openkap.core.models import Role
from tests.fixtures.factories import make_org, make_user, web_login


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.admin, "/patients"),
        (Role.front_desk, "/patients"),
        (Role.nurse, "/patients"),
        (Role.patient, "/portal"),
    ],
    ids=lambda v: getattr(v, "value", v),
)
def test_home_sends_staff_to_their_first_page(db, client, role, landing):
    user = make_user(db, make_org(db), role)
    web_login(client, user.email)
    assert client.get("/", follow_redirects=False).headers["location"] == landing


@pytest.mark.parametrize("role", [Role.researcher], ids=lambda r: r.value)
def test_home_tells_roles_without_clinic_pages_so(db, client, role):
    user = make_user(db, make_org(db), role)
    web_login(client, user.email)
    page = client.get("/")
    assert page.status_code == 200
    assert "has no clinic pages to open yet" in page.text
