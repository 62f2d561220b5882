"""Request limits: a body past its size is refused while it is read (so a 300 MB body leaves the
server's memory flat), a JSON body nested too deep or with too long an array is refused before
any route parses it, and a body that takes too long to arrive is answered with 408."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from openkap.web import limits

MB = 1024 * 1024


def test_a_declared_body_past_the_limit_is_refused_unread(client):
    refused = client.post(
        "/api/v1/auth/token",
        content=b"x" * (2 * MB + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert (refused.status_code, refused.json()["error"]) == (413, "RequestTooLarge")
    assert "2 MB" in refused.json()["detail"]


def test_a_streamed_body_is_cut_off_at_the_limit(client):
    def chunks():
        for _ in range(3):
            yield b"y" * MB

    refused = client.post("/api/v1/patients", content=chunks())
    assert refused.status_code == 413


def test_a_page_gets_the_refusal_in_words(client):
    refused = client.post("/login", content=b"z" * (2 * MB + 1))
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/plain")
    assert "larger than this address accepts" in refused.text


def test_only_the_named_upload_routes_take_more():
    assert limits.body_limit("/episodes/5/preparation/consents") == 6 * MB
    assert limits.body_limit("/api/v1/episodes/5/consents") == 8 * MB
    assert limits.body_limit("/api/v1/episodes/5/consents/extra") == 2 * MB
    assert limits.body_limit("/api/v1/patients") == 2 * MB


@pytest.mark.parametrize("depth", [33, 100_000])
def test_json_nested_too_deep_is_refused_naming_the_bound(client, depth):
    body = "[" * depth + "]" * depth
    refused = client.post(
        "/api/v1/patients", content=body, headers={"content-type": "application/json"}
    )
    assert (refused.status_code, refused.json()["error"]) == (422, "JsonTooDeep")
    assert f"nested {depth} levels deep; at most 32" in refused.json()["detail"]


def test_brackets_inside_strings_do_not_count():
    assert limits.json_problem(json.dumps({"note": "[" * 500}).encode()) is None


def test_a_json_array_past_the_bound_is_refused_and_one_within_reaches_the_route(client):
    headers = {"content-type": "application/json"}
    long = client.post("/api/v1/patients", content=json.dumps({"x": [0] * 1001}), headers=headers)
    assert (long.status_code, long.json()["error"]) == (422, "JsonArrayTooLong")
    assert "array of 1001 items; at most 1000" in long.json()["detail"]
    within = client.post("/api/v1/patients", content=json.dumps({"x": [0] * 1000}), headers=headers)
    assert within.status_code == 401  # the route's own answer: no bearer token


def test_a_body_that_takes_too_long_is_answered_408(monkeypatch):
    monkeypatch.setattr(limits, "BODY_SECONDS", 0.05)
    sent: list[dict] = []

    async def never():
        await asyncio.sleep(10)

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        raise AssertionError("the route must not run")

    scope = {"type": "http", "path": "/api/v1/patients", "headers": []}
    asyncio.run(limits.RequestLimits(app)(scope, never, send))
    assert sent[0]["status"] == 408


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


@pytest.fixture
def live_server(tmp_path):
    if not Path("/proc/self/status").exists():
        pytest.skip("reading a process's memory needs /proc (Linux)")
    env = {**os.environ, "OPENKAP_DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}"}
    openkap = Path(sys.executable).with_name("openkap")
    subprocess.run([str(openkap), "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "openkap.asgi:app", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the server did not start")
            time.sleep(0.2)
    yield url, server.pid
    server.kill()
    server.wait()


def test_a_300_mb_body_leaves_the_servers_memory_flat(live_server):
    url, pid = live_server
    before = _rss_kb(pid)

    def three_hundred_mb():
        for _ in range(300):
            yield b"\0" * MB

    for headers in ({}, {"content-length": str(300 * MB)}):
        try:
            answer = httpx.post(
                f"{url}/api/v1/auth/token", content=three_hundred_mb(), headers=headers, timeout=60
            )
            assert answer.status_code == 413
        except httpx.TransportError:
            pass  # the server answered 413 and closed while the client was still sending
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    grown_mb = (_rss_kb(pid) - before) / 1024
    assert grown_mb < 20, f"the server grew by {grown_mb:.0f} MB"
