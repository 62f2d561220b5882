"""Security headers on every response, Secure cookies unless served on a loopback address, and no
inline script anywhere in the pages (the policy forbids it)."""

import re
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from openkap.core.models import Role
from openkap.web.security_headers import loopback, secure_cookies
from tests.fixtures.factories import PASSWORD, bearer, csrf_from, make_org, make_user


def _assert_protected(response):
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_pages_and_api_answers_carry_the_headers(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    _assert_protected(client.get("/login"))
    _assert_protected(client.get("/api/v1/me", headers=bearer(db, user)))
    _assert_protected(client.get(f"/api/v1/patients/{user.id}", headers=bearer(db, user)))
    _assert_protected(client.get("/api/v1/me"))  # refusals too


def test_static_files_may_be_cached_and_api_docs_get_their_own_policy(client):
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")
    docs = client.get("/api/docs").headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in docs
    assert "frame-ancestors 'none'" in docs


def test_hsts_only_over_tls(app):
    with TestClient(app, base_url="https://testserver") as tls:
        assert tls.get("/login").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(app, base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get("/login").headers


def _request(host: str) -> Request:
    return Request({"type": "http", "headers": [(b"host", host.encode())], "path": "/"})


@pytest.mark.parametrize(
    ("host", "secure"),
    [
        ("127.0.0.1:8000", False),
        ("localhost", False),
        ("[::1]:8000", False),
        ("clinic.example.org", True),
        ("10.1.2.3", True),
    ],
)
def test_cookies_are_secure_unless_served_on_a_loopback_address(host, secure):
    assert secure_cookies(_request(host)) is secure


def test_loopback_names():
    assert loopback("127.0.0.5")
    assert not loopback("")
    assert not loopback("testserver")


def test_the_session_cookie_is_secure_and_http_only(db, client):
    user = make_user(db, make_org(db), Role.nurse)
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    cookie = answer.headers["set-cookie"]
    assert "openkap_session=" in cookie
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def _templates() -> list[Path]:
    root = Path(str(resources.files("openkap")))
    return sorted(root.rglob("*.html"))


def test_no_template_has_an_inline_script_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = [
        str(path)
        for path in _templates()
        if inline.search(path.read_text()) or handler.search(path.read_text())
    ]
    assert len(_templates()) > 50
    assert found == []


def test_a_405_names_every_method_the_path_allows(client):
    refused = client.delete("/api/v1/patients")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, POST"
    assert client.put("/login").headers["allow"] == "GET, POST"
