"""Recording vital signs from many chairs at once, beside the same stack's floor, in one run.

Serves OpenKAP (`openkap.asgi:app`) and a floor app (benchmarks/_floor_app.py: the same
FastAPI, session dependency, engine settings, schemas and `VitalSigns` row, but no token, no
permission or state check, no idempotency look-up, no thresholds, no audit) each with uvicorn in
its own process, one worker, as `openkap serve` does. Simulated chairs post readings over real
HTTP: each chair is its own dosing session in state dosing, with its own client (one keep-alive
connection) and, for OpenKAP, its own nurse's bearer token.

Two loads, on SQLite (a WAL file in a temporary folder) and PostgreSQL (a throwaway database on
OPENKAP_BENCH_POSTGRES_URL's server, by default 127.0.0.1:5432 with trust authentication;
skipped with the reason when none answers):
- back to back: every chair posts its next reading as soon as the last one is answered. This
  gives the throughput (target: OpenKAP >= 50 % of the floor) and the latency at saturation,
  where a closed loop makes latency = chairs / throughput.
- paced: every chair posts one reading a second (a real chair takes one every few minutes), the
  chairs spread over the second. This gives the latency a nurse sees on a busy server
  (target: p99 < 50 ms at 32 chairs).
OpenKAP and the floor take turns in short slices, so a change in the machine's load during the
run falls on both alike. The load generator runs in this process, on the same cores as the
servers. Each server's CPU time per request is read from /proc: unlike throughput, it does not
depend on what else the machine is doing.
"""

import os
import platform
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _chairs import Clinic, Run, Served, Target, drive, seed_clinic, served

CHAIRS = (8, 32)
SLICES, SLICE_SECONDS = 3, 2.0
PACED_SLICES, PACED_SLICE_SECONDS, PACED_EVERY_S = 2, 6.0, 1.0
WARM_UP_SECONDS = 2.0
TARGET_P99_MS = 50.0
TARGET_SHARE = 0.5
POSTGRES_SERVER = os.environ.get(
    "OPENKAP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACK_TO_BACK = "back to back"
PACED = f"1/chair/{PACED_EVERY_S:g}s"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


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
        settings = [
            f"{setting}={connection.execute(text(f'SHOW {setting}')).scalar()}"
            for setting in ("server_version", "fsync", "synchronous_commit")
        ]
    print(f"postgresql: throwaway database on {server.host}:{server.port}, {', '.join(settings)}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _targets(clinic: Clinic, chairs: int, app: str, server: Served) -> list[Target]:
    seats = clinic.chairs[:chairs]
    if app == "floor":
        return [(f"{server.url}/floor/dosing-sessions/{c.session_id}/vitals", {}) for c in seats]
    return [
        (
            f"{server.url}/api/v1/dosing-sessions/{chair.session_id}/vitals",
            {"Authorization": f"Bearer {chair.token}"},
        )
        for chair in seats
    ]


def _take_turns(
    clinic: Clinic, servers: dict[str, Served], chairs: int, *, paced: bool = False
) -> dict[str, Run]:
    runs = {app: Run() for app in servers}
    slices, seconds = (PACED_SLICES, PACED_SLICE_SECONDS) if paced else (SLICES, SLICE_SECONDS)
    for _ in range(slices):
        for app, server in servers.items():
            targets = _targets(clinic, chairs, app, server)
            drive(server, targets, runs[app], seconds, PACED_EVERY_S if paced else 0.0)
    return runs


def _measure(url: str) -> dict[tuple[int, str], dict[str, Run]]:
    clinic = seed_clinic(url, max(CHAIRS))
    env = {
        "OPENKAP_DATABASE_URL": url,
        "FLOOR_ORGANIZATION_ID": str(clinic.organization_id),
        "FLOOR_RECORDER_ID": str(clinic.recorder_id),
    }
    with served("openkap.asgi:app", env) as openkap, served("_floor_app:app", env) as floor:
        servers = {"openkap": openkap, "floor": floor}
        for app, server in servers.items():
            drive(server, _targets(clinic, min(CHAIRS), app, server), Run(), WARM_UP_SECONDS)
        results = {
            (chairs, BACK_TO_BACK): _take_turns(clinic, servers, chairs) for chairs in CHAIRS
        }
        results[(max(CHAIRS), PACED)] = _take_turns(clinic, servers, max(CHAIRS), paced=True)
    return results


def _cells(run: Run) -> str:
    return (
        f"{run.throughput:7.0f} {run.percentile(50):7.1f} {run.percentile(99):7.1f} "
        f"{run.cpu_ms_per_request:6.2f}"
    )


def _print_table(results: dict[str, dict[tuple[int, str], dict[str, Run]]]) -> None:
    print(f"\n{'':30}{'OpenKAP':^31} {'floor':^31}   OpenKAP/floor")
    head = f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6}"
    print(f"{'database':10} {'chairs':>6} {'load':12} {head}   {head}  {'req/s':>6} {'CPU':>5}")
    for database, rows in results.items():
        for (chairs, load), runs in rows.items():
            openkap, floor = runs["openkap"], runs["floor"]
            share = openkap.throughput / floor.throughput
            cpu = openkap.cpu_ms_per_request / floor.cpu_ms_per_request
            print(
                f"{database:10} {chairs:6} {load:12} {_cells(openkap)}   {_cells(floor)}  "
                f"{share:6.0%} {cpu:4.1f}x"
            )


def _verdicts(results: dict[str, dict[tuple[int, str], dict[str, Run]]]) -> None:
    most = max(CHAIRS)
    for database, rows in results.items():
        for (chairs, load), runs in rows.items():
            openkap, floor = runs["openkap"], runs["floor"]
            if openkap.failures or floor.failures:
                print(f"[FAIL] {database} {chairs} chairs {load}: requests were refused")
            if load == BACK_TO_BACK:
                share = openkap.throughput / floor.throughput
                mark = "PASS" if share >= TARGET_SHARE else "MISS"
                print(
                    f"[{mark}] {database} {chairs} chairs: OpenKAP at {share:.0%} of the floor's "
                    f"throughput (target >= {TARGET_SHARE:.0%})"
                )
            if chairs == most:
                p99 = openkap.percentile(99)
                mark = "PASS" if p99 < TARGET_P99_MS else "MISS"
                print(
                    f"[{mark}] {database} {chairs} chairs {load}: OpenKAP p99 {p99:.0f} ms "
                    f"(target < {TARGET_P99_MS:.0f} ms)"
                )


def main() -> int:
    """Measure OpenKAP and its floor on SQLite and PostgreSQL; print the table and verdicts."""
    print(f"machine: {_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at start: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(
        f"uvicorn, one worker per app; OpenKAP and floor take turns: {SLICES} slices of "
        f"{SLICE_SECONDS:g} s each back to back, {PACED_SLICES} of {PACED_SLICE_SECONDS:g} s paced"
    )
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        print("sqlite: WAL file in a temporary folder, synchronous=FULL")
        results["sqlite"] = _measure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    unreachable = _postgres_unreachable()
    if unreachable:
        print(f"postgresql: SKIPPED, no server at {POSTGRES_SERVER} ({unreachable})")
    else:
        with _postgres_database() as url:
            results["postgresql"] = _measure(url)
    _print_table(results)
    print()
    _verdicts(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
