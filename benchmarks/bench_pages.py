"""Server time of every page on the demo clinic, beside the stack's floor (/healthz).

Runs the real application in-process on a fresh SQLite demo clinic (200 patients, with courses of
care at every step), signs in as the role that sees the most of each page, and times each page
over repeated requests. The floor is
the health endpoint: the same stack with one trivial query and no page to render. Target: no page
over 200 ms.
"""

import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 30
TARGET_MS = 200.0


def _prepare(database: Path) -> None:
    os.environ["OPENKAP_DATABASE_URL"] = f"sqlite:///{database}"
    from typer.testing import CliRunner

    from openkap.cli.main import app

    runner = CliRunner()
    for args in (["db", "upgrade"], ["demo", "--patients", "200", "--seed", "42"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output


def _login(client, email: str) -> None:
    from openkap.core.security import DEMO_PASSWORD

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _time(client, path: str) -> list[float]:
    client.get(path)  # warm templates and caches
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def _an_episode(client, patients_html: str) -> tuple[str, str]:
    """Return a patient id and an episode id from the patient list, for the step-1 pages."""
    for patient_id in re.findall(r'href="/patients/([0-9a-f-]{36})"', patients_html):
        panel = client.get(f"/patients/{patient_id}/episodes").text
        found = re.search(r'href="/episodes/([0-9a-f-]{36})"', panel)
        if found:
            return patient_id, found.group(1)
    raise SystemExit("the demo clinic has no episode on the first page of patients")


def main() -> int:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as folder:
        _prepare(Path(folder) / "bench.sqlite3")
        from openkap.app import create_app

        client = TestClient(create_app(), base_url="https://testserver")
        _login(client, "admin@demo.openkap.org")
        patients = client.get("/patients").text
        patient_id = re.search(r'href="/patients/([0-9a-f-]{36})"', patients).group(1)
        floor = statistics.median(_time(client, "/healthz"))
        pages = {
            "/patients": "admin",
            "/patients?q=an": "admin",
            "/patients/new": "admin",
            f"/patients/{patient_id}/edit": "admin",
            "/admin/users": "admin",
            "/admin/audit": "admin",
            f"/admin/audit?patient_id={patient_id}": "admin",
            "/account": "admin",
        }
        results = {path: _time(client, path) for path in pages}
        client.cookies.clear()
        _login(client, "nurse@demo.openkap.org")
        results[f"/patients/{patient_id} (nurse)"] = _time(client, f"/patients/{patient_id}")
        client.cookies.clear()
        _login(client, "prescriber@demo.openkap.org")
        episode = _an_episode(client, patients)
        results["/patients/{id}/episodes panel (prescriber)"] = _time(
            client, f"/patients/{episode[0]}/episodes"
        )
        for page in ("", "/intake", "/screening", "/plan", "/preparation"):
            results[f"/episodes/{{id}}{page} (prescriber)"] = _time(
                client, f"/episodes/{episode[1]}{page}"
            )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"floor /healthz median {floor:.1f} ms; {REPEATS} requests per page, SQLite demo clinic")
    print(f"{'page':58} {'median ms':>10} {'p95 ms':>8} {'x floor':>8}  target")
    worst = 0.0
    for path, samples in results.items():
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[18]
        worst = max(worst, p95)
        verdict = "PASS" if p95 < TARGET_MS else "MISS"
        print(f"{path[:58]:58} {median:10.1f} {p95:8.1f} {median / floor:8.1f}  {verdict}")
    print(f"slowest p95: {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
