"""TOTP enrolment and sign-in, organisation MFA policy, API tokens, password change."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from openkap.accounts.signin import service as sessions
from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role, User
from openkap.core.security import new_totp_secret
from openkap.core.time import clock_set_to, utcnow
from tests.fixtures.factories import PASSWORD, bearer, csrf_from, make_org, make_user, web_login

pytestmark = pytest.mark.figure("R6")  # session and sign-in controls


def _enrol(client, db, user: User) -> str:
    page = client.get("/account/mfa")
    db.refresh(user)
    secret = user.totp_pending_secret
    assert secret
    assert secret in page.text
    response = client.post(
        "/account/mfa",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return secret


def _with_mfa(db, user: User) -> str:
    user.totp_secret = new_totp_secret()
    db.flush()
    return user.totp_secret


def test_user_enrols_in_mfa_with_a_code_from_the_app(db, client):
    user = make_user(db, make_org(db), Role.therapist)
    web_login(client, user.email)
    secret = _enrol(client, db, user)
    db.refresh(user)
    assert user.totp_secret == secret
    assert user.totp_pending_secret is None
    assert "mfa.enabled" in list(db.scalars(select(AuditEvent.action)))


def test_wrong_enrolment_code_leaves_mfa_off(db, client):
    user = make_user(db, make_org(db), Role.therapist)
    web_login(client, user.email)
    page = client.get("/account/mfa")
    response = client.post(
        "/account/mfa", data={"code": "000000", "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 422
    db.refresh(user)
    assert user.totp_secret is None


def test_sign_in_with_mfa_needs_the_one_time_code(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    secret = _with_mfa(db, user)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith("/login/mfa")
    blocked = client.get("/patients", follow_redirects=False)
    assert blocked.headers["location"] == "/login/mfa"
    mfa_page = client.get("/login/mfa")
    bad = client.post("/login/mfa", data={"code": "123456", "csrf_token": csrf_from(mfa_page.text)})
    assert bad.status_code == 401
    good = client.post(
        "/login/mfa",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(mfa_page.text)},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert client.get("/patients").status_code == 200


def test_a_one_time_code_cannot_be_used_twice(db, client):
    from openkap.accounts.service import check_mfa_code

    user = make_user(db, make_org(db), Role.nurse)
    secret = _with_mfa(db, user)
    code = pyotp.TOTP(secret).now()
    assert check_mfa_code(db, user=user, code=code) is True
    assert check_mfa_code(db, user=user, code=code) is False


def test_organisation_requiring_mfa_sends_unenrolled_users_to_set_up(db, client):
    user = make_user(db, make_org(db, require_mfa=True), Role.nurse)
    web_login(client, user.email)
    response = client.get("/patients", follow_redirects=False)
    assert response.headers["location"] == "/account/mfa"
    _enrol(client, db, user)
    assert client.get("/patients").status_code == 200


def test_admin_can_require_mfa_for_the_clinic(db, client):
    org = make_org(db)
    admin = make_user(db, org, Role.admin)
    csrf = web_login(client, admin.email)
    client.post("/admin/mfa-policy", data={"require_mfa": "on", "csrf_token": csrf})
    db.refresh(org)
    assert org.require_mfa is True


def test_api_token_for_mfa_user_needs_totp_code(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    secret = _with_mfa(db, user)
    form = {"username": user.email, "password": PASSWORD}
    refused = client.post("/api/v1/auth/token", data=form)
    assert refused.status_code == 401
    accepted = client.post(
        "/api/v1/auth/token", data={**form, "totp_code": pyotp.TOTP(secret).now()}
    )
    assert accepted.status_code == 200
    token = accepted.json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == user.email


def test_personal_token_works_until_revoked(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    created = client.post(
        "/api/v1/tokens", json={"name": "scripts", "expires_in_days": 30}, headers=bearer(db, user)
    )
    assert created.status_code == 201
    token = {"Authorization": f"Bearer {created.json()['token']}"}
    assert client.get("/api/v1/me", headers=token).status_code == 200
    revoked = client.post(f"/api/v1/tokens/{created.json()['id']}/revoke", headers=token)
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_token_list_never_shows_the_secret(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    created = client.post("/api/v1/tokens", json={"name": "ci"}, headers=bearer(db, user))
    listed = client.get("/api/v1/tokens", headers=bearer(db, user)).text
    assert created.json()["token"] not in listed
    assert created.json()["prefix"] in listed


def test_user_cannot_revoke_another_users_token(db, client):
    org = make_org(db)
    owner, other = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    created = client.post("/api/v1/tokens", json={"name": "mine"}, headers=bearer(db, owner))
    response = client.post(
        f"/api/v1/tokens/{created.json()['id']}/revoke", headers=bearer(db, other)
    )
    assert response.status_code == 404


def test_password_change_needs_current_password_and_policy(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    csrf = web_login(client, user.email)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "a much longer passphrase",
            "csrf_token": csrf,
        },
    )
    assert wrong.status_code == 422
    short = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "short", "csrf_token": csrf},
    )
    assert "at least 12 characters" in short.text
    ok = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a much longer passphrase",
            "csrf_token": csrf,
        },
    )
    assert "Your password was changed." in ok.text
    client.cookies.clear()
    web_login(client, user.email, "a much longer passphrase")


def test_a_token_records_its_last_use_to_the_minute(db):
    user = make_user(db, make_org(db), Role.nurse)
    record, token = sessions.issue_access_token(db, user=user)
    start = utcnow()
    with clock_set_to(start):
        assert sessions.resolve_bearer(db, token=token) == user
    first = record.last_used_at
    with clock_set_to(start + timedelta(seconds=30)):
        sessions.resolve_bearer(db, token=token)
    assert record.last_used_at == first
    with clock_set_to(start + timedelta(seconds=61)):
        sessions.resolve_bearer(db, token=token)
    assert record.last_used_at > first + timedelta(seconds=60)


def test_a_token_of_a_deactivated_user_is_refused(db):
    user = make_user(db, make_org(db), Role.nurse)
    _, token = sessions.issue_access_token(db, user=user)
    user.is_active = False
    db.flush()
    assert sessions.resolve_bearer(db, token=token) is None
