"""Password sign-in, throttling, session timeouts and sign-out."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.config import get_settings
from openkap.core.models import Role, UserSession
from openkap.core.time import utcnow
from tests.fixtures.factories import PASSWORD, csrf_from, make_org, make_user, web_login

pytestmark = pytest.mark.figure("R6")  # session and sign-in controls


def _attempt(client, email, password):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def _actions(db, user_id=None):
    db.flush()
    query = select(AuditEvent.action).order_by(AuditEvent.seq)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    return list(db.scalars(query))


def test_correct_password_signs_in_and_opens_patient_list(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.get("/patients").status_code == 200


def test_session_cookie_is_httponly_and_samesite(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    cookie = _attempt(client, user.email, PASSWORD).headers["set-cookie"]
    assert "openkap_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    response = _attempt(client, user.email, "not the password")
    assert response.status_code == 401
    assert "E-mail or password is incorrect." in response.text
    unknown = _attempt(client, "nobody@example.org", "not the password")
    assert unknown.status_code == 401
    assert "E-mail or password is incorrect." in unknown.text


def test_login_without_csrf_token_is_refused(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_login_events_are_audited(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    _attempt(client, user.email, "wrong password!")
    _attempt(client, user.email, PASSWORD)
    assert _actions(db, user.id) == ["login.failed", "login.succeeded"]


def test_eleventh_attempt_after_ten_failures_is_throttled_even_with_right_password(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    for _ in range(get_settings().login_max_failures):
        assert _attempt(client, user.email, "wrong password!").status_code == 401
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert _actions(db, user.id)[-1] == "login.throttled"
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_throttle_is_per_account(db, client):
    org = make_org(db)
    victim, other = make_user(db, org, Role.nurse), make_user(db, org, Role.nurse)
    for _ in range(get_settings().login_max_failures):
        _attempt(client, victim.email, "wrong password!")
    assert _attempt(client, other.email, PASSWORD).status_code == 303


def test_failures_older_than_the_window_do_not_count(db, client):
    from openkap.core.models import LoginAttempt

    user = make_user(db, make_org(db), Role.nurse)
    for _ in range(get_settings().login_max_failures):
        _attempt(client, user.email, "wrong password!")
    window = timedelta(minutes=get_settings().login_window_minutes + 1)
    for attempt in db.scalars(select(LoginAttempt)):
        attempt.attempted_at = attempt.attempted_at - window
    db.flush()
    assert _attempt(client, user.email, PASSWORD).status_code == 303


def test_api_token_endpoint_is_throttled_too(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    for _ in range(get_settings().login_max_failures):
        wrong = {"username": user.email, "password": "wrong password!"}
        assert client.post("/api/v1/auth/token", data=wrong).status_code == 401
    response = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.json()["error"] == "LoginThrottled"


def test_idle_session_expires_after_fifteen_minutes(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    web_login(client, user.email)
    record = db.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    record.last_seen_at = utcnow() - timedelta(minutes=16)
    db.flush()
    response = client.get("/patients", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_activity_within_the_idle_limit_keeps_the_session(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    web_login(client, user.email)
    record = db.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    record.last_seen_at = utcnow() - timedelta(minutes=14)
    db.flush()
    assert client.get("/patients").status_code == 200


def test_session_ends_at_absolute_timeout_despite_activity(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    web_login(client, user.email)
    record = db.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    record.created_at = utcnow() - timedelta(hours=get_settings().session_absolute_hours, minutes=1)
    db.flush()
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    csrf = web_login(client, user.email)
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_deactivated_user_cannot_sign_in(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    user.is_active = False
    db.flush()
    assert _attempt(client, user.email, PASSWORD).status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(db, client, target):
    user = make_user(db, make_org(db), Role.nurse)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": target,
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_state_changing_page_request_without_csrf_token_is_refused(db, client):
    user = make_user(db, make_org(db), Role.front_desk)
    web_login(client, user.email)
    response = client.post(
        "/patients/new",
        data={
            "family_name": "X",
            "given_name": "Y",
            "birth_date": "1990-01-01",
            "sex_at_birth": "female",
        },
    )
    assert response.status_code == 403
