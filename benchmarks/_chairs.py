"""Parts of the vitals benchmark: a clinic with chairs in dosing, served apps, simulated chairs.

The clinic's sessions are started with the test suite's builders (tests/dosing/builders.py),
which go through the dosing services: when a rule for starting a dose changes, the builders
follow it and so does this benchmark. The chairs' episodes share one protocol template and consent
form, as in one clinic.
"""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the clinic is built with the test suite's builders

STARTUP_TIMEOUT_S = 60.0
NORMAL = {"sbp": 120, "dbp": 80, "hr": 72, "spo2": 98, "rr": 14}
Target = tuple[str, dict[str, str]]  # a chair's URL and its request headers


@dataclass(frozen=True)
class Chair:
    """One chair: its dosing session (in state dosing) and its nurse's bearer token."""

    session_id: uuid.UUID
    token: str


@dataclass(frozen=True)
class Clinic:
    organization_id: uuid.UUID
    recorder_id: uuid.UUID
    chairs: list[Chair]


def _clone(db: Any, row: Any, **changes: object) -> Any:
    """Copy a row with a new id and some columns changed."""
    from sqlalchemy import inspect

    columns = {c.key: getattr(row, c.key) for c in inspect(type(row)).column_attrs}
    columns.pop("id")
    copy = type(row)(**{**columns, **changes})
    db.add(copy)
    db.flush()
    return copy


def _ready_episodes(db: Any, org: Any, count: int) -> list[Any]:
    """Episodes ready to dose, each screened; they share the first one's protocol template and
    consent form."""
    from sqlalchemy import select
    from tests.dosing.builders import ready_episode
    from tests.episodes.builders import screened
    from tests.fixtures.factories import make_episode

    from openkap.plans.models import Consent, TreatmentPlan

    first = ready_episode(db, org)
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == first.id)).one()
    consent = db.scalars(select(Consent).where(Consent.episode_id == first.id)).one()
    episodes = [first]
    for _ in range(count - 1):
        episode = make_episode(db, org, state=first.state)
        screened(db, episode)
        _clone(db, plan, episode_id=episode.id)
        _clone(db, consent, episode_id=episode.id)
        episodes.append(episode)
    return episodes


def seed_clinic(url: str, chairs: int) -> Clinic:
    """Migrate the database and create one clinic with `chairs` sessions in dosing."""
    from tests.dosing.builders import as_role, dosing_started
    from tests.fixtures.factories import make_org

    from openkap.accounts.signin.service import issue_access_token
    from openkap.core.database.migrate import upgrade
    from openkap.core.database.tenancy import all_tenants
    from openkap.core.db import build_engine, session_scope
    from openkap.core.models import Role
    from openkap.models_registry import load_all

    engine = build_engine(url)
    upgrade(engine)
    load_all()
    seated = []
    with session_scope(engine) as db, all_tenants(db):
        org = make_org(db)
        for episode in _ready_episodes(db, org, chairs):
            nurse = as_role(db, org, Role.nurse)
            dosing = dosing_started(db, episode, nurse)
            _, token = issue_access_token(db, user=nurse.user)
            seated.append(Chair(session_id=dosing.id, token=token))
        clinic = Clinic(organization_id=org.id, recorder_id=nurse.user.id, chairs=seated)
    engine.dispose()
    return clinic


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up (the floor has no /healthz)
    except OSError:
        return False


@dataclass(frozen=True)
class Served:
    """A running server: where it answers and its process, for reading its CPU time."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """Return the user and system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def served(app: str, env: dict[str, str]) -> Iterator[Served]:
    """Serve an app in its own process on a free port; stop it afterwards."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    listening.listen(2048)
    url = f"http://127.0.0.1:{listening.getsockname()[1]}"
    command = [sys.executable, str(Path(__file__).with_name("_serve.py")), app]
    process = subprocess.Popen(
        [*command, str(listening.fileno())],
        pass_fds=[listening.fileno()],
        env={**os.environ, **env},
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{app} did not start (exit code {process.poll()})")
            time.sleep(0.1)
        yield Served(url=url, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        listening.close()


@dataclass
class Run:
    """What the load runs of one app measured, added up."""

    seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_seconds * 1000 / len(self.latencies_ms)

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


def _reading(reading_id: str) -> dict[str, object]:
    measured = datetime.now(UTC).isoformat()
    return {"client_reading_id": reading_id, "measured_at": measured, **NORMAL}


async def _chair(
    client: httpx.AsyncClient, path: str, run: Run, *, name: str, until: float, every: float
) -> None:
    sent = 0
    next_at = time.perf_counter()
    while (now := time.perf_counter()) < until:
        sent += 1
        response = await client.post(path, json=_reading(f"{name}-{sent}"))
        elapsed = time.perf_counter() - now
        if response.status_code == 200:
            run.latencies_ms.append(elapsed * 1000)
        else:
            run.failures += 1
        if every:
            next_at += every
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))


async def _staggered(delay: float, chair: Awaitable[None]) -> None:
    await asyncio.sleep(delay)
    await chair


async def _drive(targets: list[Target], run: Run, seconds: float, every: float) -> None:
    limits = httpx.Limits(max_connections=1)
    clients = [httpx.AsyncClient(headers=h, limits=limits, timeout=30) for _, h in targets]
    started = time.perf_counter()
    label = uuid.uuid4().hex[:8]
    # Paced chairs start spread over one period, as real chairs do, not all at the same instant.
    chairs = [
        _staggered(
            every * n / len(targets),
            _chair(client, path, run, name=f"{label}-{n}", until=started + seconds, every=every),
        )
        for n, (client, (path, _)) in enumerate(zip(clients, targets, strict=True))
    ]
    try:
        await asyncio.gather(*chairs)
    finally:
        for client in clients:
            await client.aclose()
    run.seconds += time.perf_counter() - started  # requests in flight at the end count too


def drive(
    server: Served, targets: list[Target], run: Run, seconds: float, every: float = 0.0
) -> None:
    """Run one chair per target for `seconds`, back to back or one reading per `every` seconds.

    Adds what was measured, and the server's CPU time, to `run`.
    """
    cpu_before = server.cpu_seconds()
    asyncio.run(_drive(targets, run, seconds, every))
    run.server_cpu_seconds += server.cpu_seconds() - cpu_before
