"""Server time of a patient's progress chart page and PDF report for a very long history.

One patient with 1,000 discharged dosing sessions and 5,000 questionnaires (1,000 each of PHQ-9,
QIDS-SR16, MADRS, GAD-7 and PCL-5, over about ten years of twice-weekly then maintenance care).
The history is written straight into the tables through the models, not through the services:
going through the chair-side and assessment services would take many minutes, and the progress
page reads only what the models hold (session state and first-device time; response totals and
times). The patient's intake baselines and the intake's end are recorded as the services would.

The page (/patients/{id}/progress), the PDF (/patients/{id}/progress.pdf) and the JSON API are
requested in-process through a TestClient signed in as a prescriber; the time is server time,
taken by an ASGI wrapper around the app from the request's arrival to its last byte sent
(authentication, the page's work, the audit event's commit); "cpu" is this process's CPU time
per request, which the machine's other load does not inflate (on PostgreSQL it leaves out the
database server's own work). The floor
is the same page's SELECT statements alone, captured from one page request and replayed on the
same connection pool: what the database costs before any Python work. Targets (issue 6): page
< 300 ms, PDF < 2 s. Runs on SQLite, and on PostgreSQL in a throwaway database when
OPENKAP_BENCH_POSTGRES_URL's server (default 127.0.0.1:5432) answers.
"""

import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

PAGE_REPEATS = 40
PDF_REPEATS = 12
TARGETS_MS = {"page": 300.0, "pdf": 2000.0, "api": 300.0}
SESSIONS = 1000
PER_INSTRUMENT = 1000
INSTRUMENTS = {"phq9": 27, "qids_sr16": 27, "madrs": 60, "gad7": 21, "pcl5": 80}
BASELINES = {"phq9": 21, "qids_sr16": 19, "madrs": 34, "gad7": 16, "pcl5": 52}
PASSWORD = "bench-progress-password"
POSTGRES_SERVER = os.environ.get(
    "OPENKAP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
FIRST_DOSE = datetime(2016, 1, 4, 9, 0, tzinfo=UTC)


def _dose_times() -> list[datetime]:
    """Twice weekly for 8 weeks, weekly for a year, then every 3 days: 1,000 sessions."""
    times, moment = [], FIRST_DOSE
    for number in range(SESSIONS):
        times.append(moment)
        step = 3.5 if number < 16 else 7 if number < 68 else 3
        moment += timedelta(days=step)
    return times


def _score(rng: random.Random, instrument: str, step: int) -> int:
    """Fast response, a relapse in year three, then remission with noise."""
    base, top = BASELINES[instrument], INSTRUMENTS[instrument]
    share = 0.35 if step < 300 else 0.7 if step < 380 else 0.2
    return max(0, min(top, round(base * share + rng.gauss(0, base * 0.08))))


def _seed_staff(session) -> tuple[object, str]:
    from openkap.accounts import service as accounts
    from openkap.core.models import Role, User
    from openkap.core.security import hash_password

    org = accounts.create_organization(session, name="Bench clinic", slug="bench")
    email = "prescriber@bench.example.org"
    session.add(
        User(
            organization_id=org.id,
            email=email,
            full_name="Bench Prescriber",
            password_hash=hash_password(PASSWORD),
            role_rows=accounts.role_rows([Role.prescriber]),
        )
    )
    session.flush()
    return org, email


def _seed_course(session, org) -> tuple[object, object]:
    from openkap.episodes.models import Episode, EpisodeTransition
    from openkap.patients.models import Patient
    from openkap.plans.models import ProtocolTemplate, TreatmentPlan

    patient = Patient(
        organization_id=org.id,
        mrn="B0000001",
        family_name="Longhistory",
        given_name="Robin",
        birth_date=date(1975, 6, 1),
        sex_at_birth="female",
        sort_name="longhistory robin",
        search_text="longhistory robin",
    )
    session.add(patient)
    session.flush()
    episode = Episode(
        organization_id=org.id,
        patient_id=patient.id,
        state="maintenance",
        referral_reason="Treatment-resistant depression and PTSD",
        referred_on=date(2015, 11, 2),
    )
    template = ProtocolTemplate(
        organization_id=org.id,
        key="iv-bench",
        version=1,
        route="iv",
        name="Ketamine IV",
        drug="racemic_ketamine",
        weight_based=True,
        bounds_unit="mg_per_kg",
        start_dose=Decimal("0.5"),
        min_dose=Decimal("0.1"),
        max_dose=Decimal("1.0"),
        max_step=Decimal("0.25"),
        dose_rounding_mg=Decimal("0.5"),
        infusion_minutes=40,
        dosing_sessions=6,
        schedule={"kind": "twice_weekly"},
        monitoring_minutes=[0, 15, 30, 40, 60, 90, 120],
    )
    session.add_all([episode, template])
    session.flush()
    plan = TreatmentPlan(
        organization_id=org.id,
        episode_id=episode.id,
        plan_version=1,
        template_id=template.id,
        template_version=1,
        route="iv",
        drug="racemic_ketamine",
        start_dose_mg=Decimal("35"),
        max_dose_mg=Decimal("70"),
        start_on=FIRST_DOSE.date(),
        status="signed",
        signed_at=FIRST_DOSE - timedelta(days=3),
    )
    left_intake = EpisodeTransition(
        organization_id=org.id,
        episode_id=episode.id,
        from_state="intake",
        to_state="screening",
        at=FIRST_DOSE - timedelta(days=30),
    )
    session.add_all([plan, left_intake])
    session.flush()
    return episode, plan


def _session_rows(org, episode, plan, doses: list[datetime]) -> list[dict]:
    return [
        {
            "organization_id": org.id,
            "id": uuid.uuid4(),
            "episode_id": episode.id,
            "patient_id": episode.patient_id,
            "plan_id": plan.id,
            "plan_version": 1,
            "route": "iv",
            "drug": "racemic_ketamine",
            "planned_dose_mg": Decimal("35"),
            "state": "discharged",
            "scheduled_for": moment,
            "dosing_started_at": moment,
            "first_device_at": moment,
            "ended_at": moment + timedelta(minutes=40),
            "discharged_at": moment + timedelta(hours=2),
            "version": 1,
        }
        for moment in doses
    ]


def _response_rows(org, episode, doses: list[datetime]) -> list[dict]:
    rng = random.Random(20260301)
    rows = []
    for instrument in INSTRUMENTS:
        intake = FIRST_DOSE - timedelta(days=32)
        moments = [intake] + [d - timedelta(hours=1) for d in doses[1:PER_INSTRUMENT]]
        for step, moment in enumerate(moments):
            total = BASELINES[instrument] if step == 0 else _score(rng, instrument, step)
            rows.append(
                {
                    "organization_id": org.id,
                    "id": uuid.uuid4(),
                    "patient_id": episode.patient_id,
                    "episode_id": episode.id,
                    "instrument_id": instrument,
                    "instrument_version": "1",
                    "answers": [],
                    "total": total,
                    "flags": [],
                    "scores": {},
                    "completed_at": moment,
                    "completed_by": "patient",
                    "setting": "portal",
                    "status": "active",
                }
            )
    return rows


def _seed(engine) -> tuple[uuid.UUID, str]:
    from sqlalchemy import insert

    from openkap.assessments.models import AssessmentResponse
    from openkap.core.database.tenancy import all_tenants
    from openkap.core.db import session_scope
    from openkap.dosing.models import DosingSession

    doses = _dose_times()
    with session_scope(engine) as session, all_tenants(session):
        org, email = _seed_staff(session)
        episode, plan = _seed_course(session, org)
        session.execute(insert(DosingSession), _session_rows(org, episode, plan, doses))
        session.execute(insert(AssessmentResponse), _response_rows(org, episode, doses))
        return episode.patient_id, email


def _login(client, email: str) -> dict[str, str]:
    """Sign the client in for pages, and return a bearer header for the API."""
    issued = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert issued.status_code == 200, issued.text
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return {"Authorization": f"Bearer {issued.json()['access_token']}"}


class ServerClock:
    """ASGI wrapper that keeps how long the app took for the last HTTP request."""

    def __init__(self, app) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last_ms = (time.perf_counter() - start) * 1000


class Samples:
    """Server times (ms) of repeated requests, and this process's CPU time for each."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []


def _timed(call: Callable[[], object], repeats: int, clock: ServerClock | None = None) -> Samples:
    call()  # warm templates, compiled statements and the connection pool
    samples = Samples()
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        elapsed = (time.perf_counter() - start) * 1000
        samples.cpu.append((time.process_time() - cpu) * 1000)
        samples.wall.append(clock.last_ms if clock is not None else elapsed)
    return samples


def _get(client, path: str, headers: dict[str, str] | None = None) -> Callable[[], object]:
    def call() -> object:
        response = client.get(path, headers=headers, follow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return call


@contextmanager
def _captured_selects(engine) -> Iterator[list[tuple[str, object]]]:
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _replay(engine, statements: list[tuple[str, object]]) -> Callable[[], object]:
    def call() -> object:
        with engine.connect() as connection:
            for statement, parameters in statements:
                connection.exec_driver_sql(statement, parameters).fetchall()
        return None

    return call


def _measure(url: str) -> dict[str, Samples]:
    from fastapi.testclient import TestClient

    from openkap.app import create_app
    from openkap.core.database.migrate import upgrade
    from openkap.core.db import build_engine

    engine = build_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    patient_id, email = _seed(engine)
    print(
        f"  seeded 1 patient, {SESSIONS} sessions, {SESSIONS * 5} questionnaires in "
        f"{time.perf_counter() - started:.1f} s"
    )
    clock = ServerClock(create_app(bind=engine))
    client = TestClient(clock, base_url="https://testserver")
    bearer = _login(client, email)
    page = f"/patients/{patient_id}/progress"
    with _captured_selects(engine) as selects:
        _get(client, page)()
    deep = f"{page}?table=phq9&page=25"
    results = {
        "page": _timed(_get(client, page), PAGE_REPEATS, clock),
        "table page 25": _timed(_get(client, deep), PAGE_REPEATS, clock),
        "api": _timed(_get(client, f"/api/v1{page}?points_limit=100", bearer), PAGE_REPEATS, clock),
        "pdf": _timed(_get(client, f"{page}.pdf"), PDF_REPEATS, clock),
        "floor": _timed(_replay(engine, selects), PAGE_REPEATS),
    }
    client.close()
    engine.dispose()
    return results


def _postgres_unreachable() -> str | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # whatever stops the connection means "skip"
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


@contextmanager
def _postgres_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(POSTGRES_SERVER)
    name = f"openkap_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _report(backend: str, results: dict[str, Samples]) -> bool:
    floor = statistics.median(results["floor"].wall)
    print(f"{backend}: floor (the page's SELECTs alone) median {floor:.1f} ms")
    print(
        f"  {'request':14} {'n':>3} {'p50 ms':>7} {'p95 ms':>7} {'cpu p50':>7} {'cpu p95':>7} "
        f"{'target':>6} "
        f"{'p95/target':>10} {'p50/floor':>9}  verdict"
    )
    passed = True
    for name, samples in results.items():
        if name == "floor":
            continue
        target = TARGETS_MS.get(name, TARGETS_MS["page"])
        p50, p95 = statistics.median(samples.wall), _p95(samples.wall)
        cpu, cpu_p95 = statistics.median(samples.cpu), _p95(samples.cpu)
        verdict = "PASS" if p95 < target else "MISS"
        passed &= verdict == "PASS"
        print(
            f"  {name:14} {len(samples.wall):3} {p50:7.1f} {p95:7.1f} {cpu:7.1f} {cpu_p95:7.1f} "
            f"{target:6.0f} "
            f"{p95 / target:10.2f} {p50 / floor:9.1f}  {verdict}"
        )
    return passed


def main() -> int:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"one patient: {SESSIONS} dosing sessions, {SESSIONS * 5} questionnaires; "
        "server time of in-process requests signed in as a prescriber"
    )
    passed = True
    with tempfile.TemporaryDirectory() as folder:
        print("sqlite: a WAL file in a temporary folder")
        passed &= _report("sqlite", _measure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}"))
    reason = _postgres_unreachable()
    if reason is not None:
        print(f"postgresql: skipped ({reason})")
    else:
        with _postgres_database() as url:
            print("postgresql: a throwaway database, dropped afterwards")
            passed &= _report("postgresql", _measure(url))
    print("all targets met" if passed else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
