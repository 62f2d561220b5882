"""Crash recovery: the server is killed (SIGKILL) again and again while chairs and the ledger write.

The real server runs in its own process (uvicorn, `openkap.asgi:app`, as `openkap serve` runs
it) on a socket this test opens once and keeps, so a restarted server answers on the same port
and no other program can take it. Chairs record vital signs and resend an unanswered reading
with the same client_reading_id, as the tablet does; nurses record witnessed waste and receipts,
which carry no idempotency key and are not resent. After the last kill every acknowledged write
must be stored exactly once, each lot's balance must equal the sum of its entries and never be
negative, and the audit chain must verify. This is a reliability test: it takes 10-20 s per
database.
"""

import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from openkap.accounts.signin.service import issue_access_token
from openkap.core.audit.chain import AuditEvent
from openkap.core.audit.verify import verify_all
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import build_engine, session_scope
from openkap.core.models import Role
from openkap.core.time import clock_set_to
from openkap.dosing.models import SessionAlert, VitalSigns
from openkap.inventory.models import EntryKind, LedgerEntry, LotBalance
from openkap.models_registry import load_all
from openkap.plans.models import Consent, TreatmentPlan
from tests import verification
from tests.dosing.builders import NORMAL, as_role, dosing_started, ready_episode
from tests.episodes.builders import screened
from tests.fixtures.factories import PASSWORD, make_episode, make_org
from tests.inventory.builders import SUPPLIER, make_stock, receive

# SIGKILLs per database: 5 in `make test`, 50 in `make soak` (R1).
KILLS = verification.size(5, 50)
CHAIRS = 4
UP_BEFORE_KILL_S = (0.3, 1.5)
STARTUP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 5.0
RESEND_DEADLINE_S = 30.0
STARTING_STOCK_MG = "300"
# Builds the application once, then serves it from a fresh fork on each "start" line: a restart
# costs milliseconds instead of seconds of imports, and each server starts with no connection
# and no state, as a new process would. The parent kills a server itself (SIGKILL by pid);
# this process reaps it before the next fork, and kills the last one when its input closes.
FORK_SERVER = """
import os, signal, socket, sys
import uvicorn
import openkap.asgi
listening = socket.socket(fileno=int(sys.argv[1]))
child = 0
for command in sys.stdin:
    if child:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    child = os.fork()
    if child == 0:
        os.dup2(2, 1)  # stdout carries only pids to the test
        config = uvicorn.Config(openkap.asgi.app, log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[listening])
        os._exit(0)
    print(child, flush=True)
if child:
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
"""


class Server:
    """The OpenKAP server, restarted as a new process on the socket this test keeps open."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listening.bind(("127.0.0.1", 0))
        self.listening.listen(256)
        self.url = f"http://127.0.0.1:{self.listening.getsockname()[1]}"
        self.log = log
        self.pid: int | None = None
        fd = self.listening.fileno()
        with log.open("ab") as output:
            self.forks = subprocess.Popen(
                [sys.executable, "-c", FORK_SERVER, str(fd)],
                pass_fds=[fd],
                env={**os.environ, "OPENKAP_DATABASE_URL": database_url},
                cwd=log.parent,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=output,
                text=True,
            )

    def _fail(self, what: str) -> None:
        pytest.fail(f"the server {what}; its log:\n{self.log.read_text()[-3000:]}")

    def start(self) -> None:
        self.forks.stdin.write("start\n")
        self.forks.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(self.forks.stdout, selectors.EVENT_READ)
            answered = selector.select(STARTUP_TIMEOUT_S)
        line = self.forks.stdout.readline() if answered else ""
        if not line.strip().isdigit():
            self._fail("did not start")
        self.pid = int(line)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._healthy():
            if time.monotonic() > deadline:
                self._fail(f"did not answer within {STARTUP_TIMEOUT_S:.0f} s")
            time.sleep(0.02)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def kill(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self.pid = None

    def close(self) -> None:
        self.kill()
        self.forks.stdin.close()
        try:
            self.forks.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.forks.kill()
            self.forks.wait()
        self.listening.close()


@dataclass
class Clinic:
    chairs: list[tuple[uuid.UUID, str]]
    ledger_token: str
    witness_email: str
    location_id: uuid.UUID
    lot_ids: list[uuid.UUID]


@dataclass
class Acknowledged:
    """What the server answered 2xx to, and anything it answered that it never should."""

    readings: dict[tuple[str, str], str] = field(default_factory=dict)
    alerts: set[str] = field(default_factory=set)
    entries: dict[str, str] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _clone(db, row, **changes):
    columns = {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}
    copy = type(row)(**{**columns, "id": uuid.uuid4(), **changes})
    db.add(copy)
    db.flush()


def _ready_episodes(db, org, count: int) -> list:
    """Episodes ready to dose in one clinic, sharing the first one's template and consent form."""
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


def _seed(url: str) -> Clinic:
    engine = build_engine(url)
    upgrade(engine)
    load_all()
    with session_scope(engine) as db, all_tenants(db):
        org = make_org(db)
        chairs = []
        for episode in _ready_episodes(db, org, CHAIRS):
            nurse = as_role(db, org, Role.nurse)
            dosing = dosing_started(db, episode, nurse)
            chairs.append((dosing.id, issue_access_token(db, user=nurse.user)[1]))
        stock = make_stock(db, org)
        for lot in (stock.lot, stock.other_lot):
            receive(db, stock, STARTING_STOCK_MG, lot=lot)
        clinic = Clinic(
            chairs=chairs,
            ledger_token=issue_access_token(db, user=stock.nurse.user)[1],
            witness_email=stock.witness.user.email,
            location_id=stock.cabinet.id,
            lot_ids=[stock.lot.id, stock.other_lot.id],
        )
    engine.dispose()
    return clinic


def _reading(reading_id: str, count: int) -> dict[str, object]:
    # Every fifth reading is low on oxygen, so some acknowledged readings carry an alert. The
    # server is another process on the real clock, so the reading is stamped by the real clock too.
    values = {**NORMAL, "spo2": 90} if count % 5 == 0 else NORMAL
    return {"client_reading_id": reading_id, "measured_at": datetime.now(UTC).isoformat(), **values}


def _send(client: httpx.Client, path: str, body: dict, acks: Acknowledged) -> httpx.Response | None:
    try:
        response = client.post(path, json=body)
    except httpx.HTTPError:
        return None  # killed mid-request, or not restarted yet: no answer, nothing acknowledged
    if response.status_code >= 500:
        with acks.lock:
            acks.unexpected.append(f"{path} {response.status_code}: {response.text}")
        return None
    return response


def _until_answered(client: httpx.Client, request: tuple[str, dict], stop: threading.Event, acks):
    """Send a reading and resend it unchanged until the server answers, as the tablet does.

    While the server is being killed and restarted the resending never stops; once the last
    server is up it must answer within RESEND_DEADLINE_S.
    """
    deadline = None
    while (response := _send(client, *request, acks)) is None:
        if stop.is_set():
            deadline = deadline or time.monotonic() + RESEND_DEADLINE_S
            if time.monotonic() > deadline:
                return None
        time.sleep(0.05)
    return response


def _chair(url: str, chair: tuple[uuid.UUID, str], stop: threading.Event, acks: Acknowledged):
    session_id, token = chair
    path = f"/api/v1/dosing-sessions/{session_id}/vitals"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S) as client:
        count = 0
        while not stop.is_set():
            count += 1
            body = _reading(f"crash-{count}", count)
            response = _until_answered(client, (path, body), stop, acks)
            with acks.lock:
                if response is None or response.status_code != 200:
                    answer = response and f"{response.status_code} {response.text}"
                    acks.unexpected.append(f"reading {count} of {session_id}: {answer}")
                    return
                stored = response.json()
                acks.readings[(str(session_id), f"crash-{count}")] = stored["reading"]["id"]
                acks.alerts.update(alert["id"] for alert in stored["alerts"])


def _ledger_request(rng: random.Random, clinic: Clinic, lot_id: uuid.UUID) -> tuple[str, dict]:
    body = {"lot_id": str(lot_id), "location_id": str(clinic.location_id)}
    body["quantity_mg"] = str(rng.randint(5, 40))
    # Waste outpaces receipts, so the balance runs low and some waste is refused (409).
    if rng.random() < 0.6:
        body |= {"witness_email": clinic.witness_email, "witness_password": PASSWORD}
        body["reason"] = "Drawn up, not given"
        return "/api/v1/inventory/waste", body
    body |= {"supplier": "Acme Pharma", "invoice_number": "INV-7", **SUPPLIER}
    return "/api/v1/inventory/receipts", body


def _ledger(url: str, clinic: Clinic, lot_id: uuid.UUID, stop: threading.Event, acks: Acknowledged):
    headers = {"Authorization": f"Bearer {clinic.ledger_token}"}
    rng = random.Random(str(lot_id))
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S) as client:
        while not stop.is_set():
            response = _send(client, *_ledger_request(rng, clinic, lot_id), acks)
            if response is None or response.status_code == 409:
                time.sleep(0.02)  # no answer (not resent: no idempotency key) or refused
                continue
            with acks.lock:
                if response.status_code != 201:
                    acks.unexpected.append(f"ledger {response.status_code}: {response.text}")
                    return
                acks.entries[response.json()["id"]] = response.json()["quantity_mg"]


def _postgres_server() -> str:
    url = os.environ.get("OPENKAP_TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("CI must test on PostgreSQL: run the suite through `make test`")
    pytest.skip("no PostgreSQL server given: run through `make test` (OPENKAP_TEST_DATABASE_URL)")


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """The server under test is another process on the real clock: so is what the test seeds,
    whatever --clock the run was given."""
    with clock_set_to(datetime.now(UTC)):
        yield


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'openkap.sqlite3'}"
        return
    server = make_url(_postgres_server())
    name = f"openkap_crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The server process; killed and its socket closed however the test ends."""
    running = Server(database_url, tmp_path / "server.log")
    try:
        yield running
    finally:
        running.close()


def _kill_and_restart(server: Server, clinic: Clinic) -> Acknowledged:
    """Run the writers while the server is killed KILLS times; return what was acknowledged."""
    acks, stop = Acknowledged(), threading.Event()
    server.start()
    writers = [
        threading.Thread(target=_chair, args=(server.url, chair, stop, acks), daemon=True)
        for chair in clinic.chairs
    ] + [
        threading.Thread(target=_ledger, args=(server.url, clinic, lot, stop, acks), daemon=True)
        for lot in clinic.lot_ids
    ]
    for writer in writers:
        writer.start()
    try:
        for _ in range(KILLS):
            time.sleep(random.uniform(*UP_BEFORE_KILL_S))
            server.kill()
            server.start()
        time.sleep(UP_BEFORE_KILL_S[1])
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=RESEND_DEADLINE_S + REQUEST_TIMEOUT_S)
    server.kill()
    assert not [w for w in writers if w.is_alive()], "a writer did not stop"
    return acks


def _check_vitals(db, acks: Acknowledged) -> None:
    rows = db.execute(select(VitalSigns.session_id, VitalSigns.client_reading_id, VitalSigns.id))
    stored = [((str(session), reading), str(row_id)) for session, reading, row_id in rows]
    copies = Counter(key for key, _ in stored)
    assert [key for key, n in copies.items() if n > 1] == [], "a reading was stored twice"
    stored_ids = dict(stored)
    lost = [key for key in acks.readings if key not in stored_ids]
    assert lost == [], f"{len(lost)} of {len(acks.readings)} acknowledged readings were lost"
    assert {key: stored_ids[key] for key in acks.readings} == acks.readings
    alerts = {str(i) for i in db.scalars(select(SessionAlert.id))}
    assert acks.alerts - alerts == set(), "acknowledged alerts were lost"


def _check_ledger(db, acks: Acknowledged) -> None:
    stored = {str(e.id): e.quantity_mg for e in db.scalars(select(LedgerEntry))}
    lost = [entry for entry in acks.entries if entry not in stored]
    assert lost == [], f"{len(lost)} of {len(acks.entries)} acknowledged entries were lost"
    assert {e: Decimal(q) for e, q in acks.entries.items()} == {e: stored[e] for e in acks.entries}
    for balance in db.scalars(select(LotBalance)):
        entries = db.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.lot_id == balance.lot_id, LedgerEntry.location_id == balance.location_id
            )
            .order_by(LedgerEntry.version)
        ).all()
        assert [e.version for e in entries] == list(range(1, len(entries) + 1))
        running = Decimal(0)
        for entry in entries:
            running += entry.quantity_mg
            assert entry.balance_after_mg == running >= 0
        assert balance.balance_mg == running >= 0


def _check_audit(db) -> None:
    reports = verify_all(db)
    assert reports, "no audit chain was written"
    assert [r.problem for r in reports if not r.ok] == []
    events = Counter(db.scalars(select(AuditEvent.action)))
    # Each write and its audit event are one transaction: a kill keeps both or neither.
    assert events["dosing_session.record_vitals"] == db.scalar(select(func.count(VitalSigns.id)))
    ledger_events = sum(events[f"inventory.{kind.value}"] for kind in EntryKind)
    assert ledger_events == db.scalar(select(func.count(LedgerEntry.id)))


def test_acknowledged_writes_survive_repeated_sigkill_of_the_server(database_url, server, figures):
    clinic = _seed(database_url)
    acks = _kill_and_restart(server, clinic)
    assert acks.unexpected == []
    assert len(acks.readings) > KILLS, "too few readings were acknowledged to mean anything"
    assert len(acks.entries) > KILLS, "too few ledger entries were acknowledged to mean anything"
    engine = build_engine(database_url)
    try:
        with session_scope(engine) as db, all_tenants(db):
            _check_vitals(db, acks)
            _check_ledger(db, acks)
            _check_audit(db)
    finally:
        engine.dispose()
    # Both databases: the target is KILLS on each.
    verification.add(figures, "R1", measured=KILLS, target=2 * KILLS)
