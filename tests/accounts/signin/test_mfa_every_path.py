"""MFA holds on every path: a wrong code is a failed sign-in the throttle counts, and a clinic that
requires MFA issues and accepts no token of a staff user who has not set it up."""

import pyotp
import pytest
from sqlalchemy import func, select

from openkap.accounts.credentials import revocation
from openkap.accounts.service import set_mfa_requirement
from openkap.accounts.signin import service as sessions
from openkap.core.audit.chain import _PENDING_KEY, AuditEvent
from openkap.core.config import get_settings
from openkap.core.models import ApiToken, LoginAttempt, Role, User
from openkap.core.principal import Principal
from openkap.core.security import new_totp_secret
from tests.fixtures.factories import PASSWORD, bearer, csrf_from, make_org, make_user

pytestmark = pytest.mark.figure("R6")  # session and sign-in controls

TOKEN = "/api/v1/auth/token"


def _enrolled(db, org=None, *roles) -> tuple[User, str]:
    user = make_user(db, org or make_org(db), *(roles or (Role.nurse,)))
    user.totp_secret = new_totp_secret()
    db.flush()
    return user, user.totp_secret


def _actions(db, user):
    db.flush()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.user_id == user.id, AuditEvent.action.like("login.%"))
            .order_by(AuditEvent.seq)
        )
    )


def test_service_counts_nothing_until_the_code_decides(db):
    user, secret = _enrolled(db)
    outcome = sessions.authenticate(db, email=user.email, password=PASSWORD, client_address="t")
    assert (outcome.user, outcome.second_factor_due) == (user, True)
    assert db.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    assert sessions.pass_second_factor(db, user=user, code="000000", client_address="t")
    assert (
        sessions.pass_second_factor(
            db, user=user, code=pyotp.TOTP(secret).now(), client_address="t"
        )
        is None
    )
    attempts = db.scalars(select(LoginAttempt.succeeded).order_by(LoginAttempt.attempted_at))
    assert list(attempts) == [False, True]


def test_api_throttles_wrong_codes_behind_a_right_password(db, client):
    user, secret = _enrolled(db)
    form = {"username": user.email, "password": PASSWORD, "totp_code": "000000"}
    for _ in range(get_settings().login_max_failures):
        wrong = client.post(TOKEN, data=form)
        assert (wrong.status_code, wrong.json()["error"]) == (401, "InvalidMfaCode")
    right = client.post(TOKEN, data={**form, "totp_code": pyotp.TOTP(secret).now()})
    assert (right.status_code, right.json()["error"]) == (429, "LoginThrottled")
    assert "login.succeeded" not in _actions(db, user)
    assert _actions(db, user).count("login.failed") == get_settings().login_max_failures


def test_api_counts_a_missing_code_as_a_failed_sign_in(db, client):
    user, _ = _enrolled(db)
    refused = client.post(TOKEN, data={"username": user.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert (
        "send the current code of your authenticator app as totp_code" in refused.json()["detail"]
    )
    assert _actions(db, user) == ["login.failed"]


def test_pages_throttle_wrong_codes_behind_a_right_password(db, client):
    user, secret = _enrolled(db)
    for _ in range(get_settings().login_max_failures):
        page = client.get("/login")
        client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        )
        mfa = client.get("/login/mfa")
        wrong = client.post(
            "/login/mfa", data={"code": "000000", "csrf_token": csrf_from(mfa.text)}
        )
        assert wrong.status_code == 401
    mfa = client.get("/login/mfa")
    code = pyotp.TOTP(secret).now()
    right = client.post("/login/mfa", data={"code": code, "csrf_token": csrf_from(mfa.text)})
    assert right.status_code == 429
    assert "login.succeeded" not in _actions(db, user)


@pytest.fixture
def mfa_clinic(db):
    return make_org(db, require_mfa=True)


def test_api_issues_no_token_to_an_unenrolled_user_of_a_clinic_requiring_mfa(
    db, client, mfa_clinic
):
    user = make_user(db, mfa_clinic, Role.nurse)
    refused = client.post(TOKEN, data={"username": user.email, "password": PASSWORD})
    assert (refused.status_code, refused.json()["error"]) == (403, "MfaEnrolmentRequired")
    assert "/account/mfa" in refused.json()["detail"]
    assert db.scalar(select(func.count()).where(ApiToken.user_id == user.id)) == 0


def test_api_accepts_no_token_of_an_unenrolled_user_until_enrolment(db, client, mfa_clinic):
    user = make_user(db, mfa_clinic, Role.nurse)
    _, personal = sessions.create_personal_token(
        db, user=user, name="script", expires_in_days=30, client_address="t"
    )
    headers = {"Authorization": f"Bearer {personal}"}
    refused = client.get("/api/v1/me", headers=headers)
    assert (refused.status_code, refused.json()["error"]) == (403, "MfaEnrolmentRequired")
    assert client.post("/api/v1/tokens", json={"name": "x"}, headers=headers).status_code == 403
    user.totp_secret = new_totp_secret()
    db.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_requiring_mfa_revokes_the_tokens_of_unenrolled_staff_only(db, client):
    org = make_org(db)
    admin, _ = _enrolled(db, org, Role.admin)
    unenrolled = make_user(db, org, Role.therapist)
    enrolled, _ = _enrolled(db, org)
    patient = make_user(db, org, Role.patient)
    held = {u.id: bearer(db, u) for u in (unenrolled, enrolled, patient)}
    set_mfa_requirement(db, principal=Principal(user=admin, client_address="t"), required=True)
    queued = {event["action"] for event in db.info[_PENDING_KEY]}
    assert "organization.unenrolled_tokens_revoked" in queued
    db.flush()
    revoked = set(db.scalars(select(ApiToken.user_id).where(ApiToken.revoked_at.is_not(None))))
    assert revoked == {unenrolled.id}
    assert client.get("/api/v1/me", headers=held[unenrolled.id]).status_code == 401
    assert client.get("/api/v1/me", headers=held[enrolled.id]).status_code == 200


def test_patients_sign_in_by_the_portals_rules_not_the_staff_mfa_policy(db, mfa_clinic):
    patient = make_user(db, mfa_clinic, Role.patient)
    nurse = make_user(db, mfa_clinic, Role.nurse)
    assert revocation.mfa_enrolment_due(patient) is False
    assert revocation.mfa_enrolment_due(nurse) is True
