"""Throttling beyond one account: failed sign-ins from one network address are bounded over all
accounts, so spraying many accounts stops, and one address cannot lock out others; only the
configured proxy may name the client address."""

import pytest
from sqlalchemy import select

from openkap.accounts.signin import service as sessions
from openkap.accounts.signin import throttle
from openkap.cli import admin as cli_admin
from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.config import Settings
from openkap.core.models import LoginAttempt, Role
from tests.fixtures.factories import PASSWORD, make_org, make_user

pytestmark = pytest.mark.figure("R6")  # session and sign-in controls

LIMIT = 5


@pytest.fixture
def small_address_limit(monkeypatch):
    limits = Settings(login_address_max_failures=LIMIT, login_max_failures=10)
    monkeypatch.setattr(throttle, "get_settings", lambda: limits)


def _spray(db, address, count=LIMIT):
    for n in range(count):
        outcome = sessions.authenticate(
            db, email=f"nobody{n}@example.org", password="guess", client_address=address
        )
        assert outcome.error is not None
        assert outcome.error.status_code == 401


def test_service_stops_a_spray_from_one_address_and_not_others(db, small_address_limit):
    user = make_user(db, make_org(db), Role.nurse)
    _spray(db, "203.0.113.9")
    refused = sessions.authenticate(
        db, email=user.email, password=PASSWORD, client_address="203.0.113.9"
    )
    assert refused.error is not None
    assert refused.error.status_code == 429
    assert "from this network address" in refused.error.message
    throttled = [e for e in db.info[_PENDING_KEY] if e["action"] == "login.throttled"]
    assert throttled[-1]["detail"] == "address"
    elsewhere = sessions.authenticate(
        db, email=user.email, password=PASSWORD, client_address="198.51.100.4"
    )
    assert elsewhere.user == user


def test_one_address_cannot_lock_out_a_victims_account(db, small_address_limit):
    victim = make_user(db, make_org(db), Role.nurse)
    for _ in range(LIMIT + 3):
        sessions.authenticate(
            db, email=victim.email, password="guess", client_address="203.0.113.9"
        )
    # The address was stopped after LIMIT failures, before the account's own limit of 10.
    failures = db.scalars(
        select(LoginAttempt).where(LoginAttempt.account_key == throttle.account_key(victim.email))
    ).all()
    assert len(failures) == LIMIT
    assert not throttle.locked(db, user=victim)
    assert (
        sessions.authenticate(
            db, email=victim.email, password=PASSWORD, client_address="198.51.100.4"
        ).user
        == victim
    )


def test_api_token_endpoint_is_throttled_per_address(db, client, small_address_limit):
    user = make_user(db, make_org(db), Role.nurse)
    for n in range(LIMIT):
        sprayed = client.post(
            "/api/v1/auth/token", data={"username": f"x{n}@example.org", "password": "guess"}
        )
        assert sprayed.status_code == 401
    refused = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert (refused.status_code, refused.json()["error"]) == (429, "LoginThrottled")
    assert "from this network address" in refused.json()["detail"]


def test_the_sign_in_page_is_throttled_per_address(db, client, small_address_limit):
    from tests.fixtures.factories import csrf_from

    for n in range(LIMIT + 1):
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={
                "email": f"y{n}@example.org",
                "password": "guess",
                "csrf_token": csrf_from(page.text),
            },
        )
    assert answer.status_code == 429
    assert "from this network address" in answer.text


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("", {"proxy_headers": False, "forwarded_allow_ips": None}),
        ("10.0.0.5", {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5"}),
    ],
)
def test_only_the_configured_proxy_names_the_client(monkeypatch, trusted, expected):
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(cli_admin, "get_settings", lambda: Settings(trusted_proxy=trusted))
    cli_admin.serve(host="127.0.0.1", port=8000, workers=1)
    assert {key: seen[key] for key in expected} == expected
