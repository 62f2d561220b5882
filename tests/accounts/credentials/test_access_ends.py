"""Credentials change, sessions end: password change, deactivation, MFA reset and "sign out
everywhere" end a user's other sessions and tokens; administrators end sessions and unlock
sign-ins; personal tokens always expire, within the clinic's limit."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from openkap.accounts.administration import access
from openkap.accounts.signin import service as sessions
from openkap.accounts.signin import throttle
from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.config import get_settings
from openkap.core.deps import SESSION_COOKIE
from openkap.core.errors import BadRequest
from openkap.core.models import ApiToken, Role, UserSession
from openkap.core.principal import Principal
from openkap.core.security import new_totp_secret
from openkap.core.time import utcnow
from tests.fixtures.factories import PASSWORD, bearer, make_org, make_user, web_login

pytestmark = pytest.mark.figure("R6")  # session and sign-in controls

NEW_PASSWORD = "a much longer passphrase"


def _elsewhere(db, user):
    """Another browser's session cookie and a token of the user."""
    _, cookie = sessions.start_web_session(db, user=user, client_address="t", mfa_passed=True)
    db.flush()
    return cookie, bearer(db, user)


def _open(client, cookie):
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client.get("/account", follow_redirects=False)


def _live(db, user):
    db.flush()
    db.expire_all()
    open_sessions = db.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    tokens = db.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    return len(open_sessions), len(tokens)


def test_a_password_change_ends_every_other_session_and_token(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    other_cookie, other_token = _elsewhere(db, user)
    csrf = web_login(client, user.email)
    changed = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf_token": csrf},
    )
    assert "Your password was changed." in changed.text
    assert client.get("/account").status_code == 200  # this browser stays signed in
    client.cookies.clear()
    assert _open(client, other_cookie).status_code == 303
    assert client.get("/api/v1/me", headers=other_token).status_code == 401
    assert _live(db, user) == (1, 0)


def test_deactivation_ends_every_session_and_token(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    cookie, token = _elsewhere(db, user)
    body = {"roles": ["nurse"], "is_active": False}
    assert client.put(f"/api/v1/users/{user.id}", json=body, headers=bearer(db, admin)).is_success
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert _live(db, user) == (0, 0)
    assert _open(client, cookie).status_code == 303


def test_an_mfa_reset_removes_the_authenticator_and_ends_all_access(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    user.totp_secret = new_totp_secret()
    _, token = _elsewhere(db, user)
    reset = client.post(f"/api/v1/users/{user.id}/reset-mfa", headers=bearer(db, admin))
    assert (reset.status_code, reset.json()["mfa_enabled"]) == (200, False)
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert _live(db, user) == (0, 0)


def test_sign_out_everywhere_from_the_account_page_ends_this_browser_too(db, client):
    user = make_user(db, make_org(db), Role.therapist)
    other_cookie, token = _elsewhere(db, user)
    csrf = web_login(client, user.email)
    out = client.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert _open(client, other_cookie).status_code == 303
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_sign_out_everywhere_on_the_api_revokes_the_calling_token_too(db, client):
    user = make_user(db, make_org(db), Role.therapist)
    _, other = _elsewhere(db, user)
    mine = bearer(db, user)
    out = client.post("/api/v1/me/sign-out-everywhere", headers=mine)
    assert (out.status_code, out.json()["ended"]) == (200, 3)
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 401


def test_an_administrator_ends_a_users_sessions_but_not_their_own(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    _, token = _elsewhere(db, user)
    heads = bearer(db, admin)
    ended = client.post(f"/api/v1/users/{user.id}/end-sessions", headers=heads)
    assert (ended.status_code, ended.json()["ended"]) == (200, 2)
    assert client.get("/api/v1/me", headers=token).status_code == 401
    own = client.post(f"/api/v1/users/{admin.id}/end-sessions", headers=heads)
    assert own.status_code == 400
    assert "use your account page" in own.json()["detail"]
    with pytest.raises(BadRequest):
        access.end_sessions(db, user=admin, by=Principal(user=admin, client_address="t"))


def test_ending_access_is_audited_with_the_counts(db):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    _elsewhere(db, user)
    access.end_sessions(db, user=user, by=Principal(user=admin, client_address="t"))
    [event] = [e for e in db.info[_PENDING_KEY] if e["action"] == "user.access_ended"]
    assert event["detail"] == "ended by an administrator: 1 session(s) ended, 1 token(s) revoked"


def _fail_until_locked(client, email):
    form = {"username": email, "password": "wrong password"}
    for _ in range(get_settings().login_max_failures):
        assert client.post("/api/v1/auth/token", data=form).status_code == 401
    return client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})


def test_an_administrator_unlocks_a_throttled_sign_in(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    assert _fail_until_locked(client, user.email).status_code == 429
    assert throttle.locked(db, user=user)
    unlocked = client.post(f"/api/v1/users/{user.id}/unlock", headers=bearer(db, admin))
    assert unlocked.status_code == 200
    assert not throttle.locked(db, user=user)
    form = {"username": user.email, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 200


def test_the_users_page_shows_a_locked_sign_in_and_unlocks_it(db, client):
    org = make_org(db)
    user, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    _fail_until_locked(client, user.email)
    csrf = web_login(client, admin.email)
    page = client.get("/admin/users").text
    assert "sign-in locked" in page
    assert f"/admin/users/{user.id}/access/unlock" in page
    done = client.post(
        f"/admin/users/{user.id}/access/unlock", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "sign-in locked" not in client.get("/admin/users").text


def test_personal_tokens_expire_within_the_clinics_limit(db, client):
    org = make_org(db)
    user = make_user(db, org, Role.nurse)
    heads = bearer(db, user)
    default = client.post("/api/v1/tokens", json={"name": "default"}, headers=heads)
    assert default.status_code == 201
    lifetime = datetime.fromisoformat(default.json()["expires_at"]) - utcnow()
    assert timedelta(days=90) - timedelta(minutes=1) < lifetime <= timedelta(days=90)
    org.personal_token_max_days = 30
    db.flush()
    too_long = client.post(
        "/api/v1/tokens", json={"name": "long", "expires_in_days": 31}, headers=heads
    )
    assert (too_long.status_code, too_long.json()["error"]) == (422, "TokenLifetimeTooLong")
    assert "expire within 1-30 days" in too_long.json()["detail"]


def test_a_personal_token_defaults_to_the_clinic_limit(db):
    user = make_user(db, make_org(db), Role.nurse)
    user.organization.personal_token_max_days = 14
    record, _ = sessions.create_personal_token(
        db, user=user, name="ci", expires_in_days=None, client_address="t"
    )
    lifetime = record.expires_at - record.created_at
    assert timedelta(days=14) - timedelta(seconds=5) < lifetime <= timedelta(days=14)


def test_a_token_without_an_expiry_is_refused(db):
    user = make_user(db, make_org(db), Role.nurse)
    record, token = sessions.create_personal_token(
        db, user=user, name="old", expires_in_days=10, client_address="t"
    )
    record.expires_at = None
    assert sessions.resolve_bearer(db, token=token) is None


def test_the_sign_in_policy_sets_the_token_limit_within_bounds(db, client):
    org = make_org(db)
    admin = make_user(db, org, Role.admin)
    heads = bearer(db, admin)
    policy = {"require_mfa": False, "personal_token_max_days": 30}
    assert client.put("/api/v1/sign-in-policy", json=policy, headers=heads).status_code == 200
    db.refresh(org)
    assert org.personal_token_max_days == 30
    bad = client.put(
        "/api/v1/sign-in-policy", json={**policy, "personal_token_max_days": 400}, headers=heads
    )
    assert bad.status_code == 422
    assert "365" in bad.text


def test_the_account_page_shows_each_tokens_last_use(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    record, token = sessions.create_personal_token(
        db, user=user, name="reports", expires_in_days=10, client_address="t"
    )
    web_login(client, user.email)
    assert "<td>never</td>" in client.get("/account").text
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    db.refresh(record)
    page = client.get("/account").text
    assert "Last used" in page
    assert record.last_used_at.strftime("%Y-%m-%d %H:%M UTC") in page
