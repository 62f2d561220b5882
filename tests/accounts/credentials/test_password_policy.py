"""Password policy: long enough, not common or breached (zxcvbn's lists and patterns), not built
from the account's own e-mail or name, never the demo password; the refusal says why. An
administrator's reset follows the same policy and ends the user's access."""

import pytest
from sqlalchemy import select

from openkap.accounts.administration import access
from openkap.accounts.errors import WeakPassword
from openkap.accounts.service import change_password, create_user
from openkap.core.errors import BadRequest
from openkap.core.models import ApiToken, Role
from openkap.core.principal import Principal
from openkap.core.security import DEMO_PASSWORD, password_problem, verify_password
from tests.fixtures.factories import PASSWORD, bearer, csrf_from, make_org, make_user, web_login

GOOD = "tangerine lighthouse marble violin"
REFUSED = {
    "short": ("lighthouse", "at least 12 characters"),
    "common": ("password1234", "too easy to guess: This is a very common password"),
    "keyboard run": ("qwertyuiop12", "too easy to guess"),
    "demo": (DEMO_PASSWORD, "demo clinic's published password"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_policy_refuses_weak_passwords_saying_why(kind):
    password, why = REFUSED[kind]
    assert why in password_problem(password)


def test_policy_refuses_a_password_built_from_the_accounts_own_words():
    own = ("jordan.lee@clinic.example", "Jordan Lee")
    # Strong by itself, but made of the account's name.
    assert password_problem("Jordan-Lee-Riverside-26") is None
    assert "contains your name or e-mail" in password_problem("Jordan-Lee-Riverside-26", *own)
    assert password_problem(GOOD, *own) is None


@pytest.mark.parametrize("kind", ["common", "demo"])
def test_service_refuses_a_weak_password_on_create_and_change(db, kind):
    org = make_org(db)
    admin = Principal(user=make_user(db, org, Role.admin), client_address="t")
    password, why = REFUSED[kind]
    with pytest.raises(WeakPassword, match=why):
        create_user(
            db,
            organization_id=org.id,
            email="new.nurse@example.org",
            full_name="New Nurse",
            password=password,
            roles=[Role.nurse],
            by=admin,
        )
    with pytest.raises(WeakPassword, match=why):
        change_password(db, principal=admin, current=PASSWORD, new=password)
    assert verify_password(admin.user.password_hash, PASSWORD)


def test_api_refuses_creating_a_user_with_a_common_password(db, client):
    org = make_org(db)
    body = {
        "email": "x.user@example.org",
        "full_name": "X User",
        "password": "password1234",
        "roles": ["nurse"],
    }
    refused = client.post(
        "/api/v1/users", json=body, headers=bearer(db, make_user(db, org, Role.admin))
    )
    assert refused.status_code == 400
    assert "very common password" in refused.json()["detail"]


def test_account_page_refuses_the_demo_password(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    csrf = web_login(client, user.email)
    refused = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": DEMO_PASSWORD, "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert "demo clinic&#39;s published password" in refused.text


def test_an_administrators_reset_follows_the_policy_and_ends_access(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    token = bearer(db, user)
    heads = bearer(db, admin)
    url = f"/api/v1/users/{user.id}/password"
    weak = client.post(url, json={"new_password": "password1234"}, headers=heads)
    assert weak.status_code == 400
    assert client.get("/api/v1/me", headers=token).status_code == 200
    assert client.post(url, json={"new_password": GOOD}, headers=heads).status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 401
    form = {"username": user.email, "password": GOOD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 200
    with pytest.raises(BadRequest, match="for yourself"):
        access.reset_password(
            db, user=admin, new_password=GOOD, by=Principal(user=admin, client_address="t")
        )


def test_the_users_page_sets_a_new_password(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    web_login(client, admin.email)
    page = client.get("/admin/users")
    assert f"New password for {user.full_name}" in page.text
    done = client.post(
        f"/admin/users/{user.id}/password",
        data={"new_password": GOOD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.refresh(user)
    assert verify_password(user.password_hash, GOOD)
    assert not db.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
