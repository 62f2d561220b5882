"""Browser-test fixtures: a live OpenKAP server on a demo clinic, driven by headless Chromium.

The server runs once per test session on a fresh SQLite file. Tests share that database, so each
test works on its own patient (or creates one with a unique name) and never relies on what another
test did before it.
"""

import os
import shutil
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, StorageState, expect, sync_playwright
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openkap.accounts import demo as accounts_demo
from openkap.accounts.demo import demo_email
from openkap.app import create_app
from openkap.core.config import get_settings
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants, bind_tenant
from openkap.core.db import build_engine, session_scope
from openkap.core.demo import DemoContext
from openkap.core.models import User
from openkap.core.principal import Principal
from openkap.core.security import DEMO_PASSWORD
from openkap.core.time import utcnow
from openkap.episodes import pathway
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.service import open_episode
from openkap.intake.record import service as intake_service
from openkap.intake.screening import service as screening
from openkap.models_registry import load_all
from openkap.patients import demo as patients_demo
from openkap.patients.models import Patient, WeightMeasurement
from openkap.patients.schemas import PatientCreate
from openkap.patients.service import create_patient

DEMO_SEED = 20240601
DEMO_PATIENTS = 20
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous enough for a loaded CI machine; a passing test never waits this long.
EXPECT_TIMEOUT_MS = 10_000
STARTUP_TIMEOUT_S = 15.0

# An intake with every screening input recorded and none a contraindication; marked complete,
# so its empty medication and substance lists count as "none".
_ANSWERED_NO = [
    "recent_suicidal_behaviour",
    "self_harm",
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_haemorrhage",
    "ketamine_hypersensitivity",
    "raised_intracranial_pressure",
    "interstitial_cystitis",
    "pregnant",
    "breastfeeding",
    "seizures",
]
_ANSWERED_NONE = [
    "psychosis",
    "mood_disorder",
    "cardiovascular_disease",
    "hypertension",
    "hepatic_impairment",
]
CLEAR_INTAKE: dict[str, object] = {
    **dict.fromkeys(_ANSWERED_NO, False),
    **dict.fromkeys(_ANSWERED_NONE, "none"),
    "presenting_problem": "Low mood for two years.",
    "suicide_attempts": 0,
    "baseline_sbp": 121,
    "baseline_dbp": 77,
    "baseline_hr": 70,
    "baseline_spo2": 98,
    "height_cm": 168,
    "completed": True,
}


# Lists the form fields a person can see that have no accessible name, and counts those checked.
# Closed <details> are opened first so the fields inside them are checked too.
UNLABELLED_FIELDS_JS = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const skipped = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  const fields = [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !skipped.has(el.type) && el.getClientRects().length > 0);
  const named = (el) =>
    [...el.labels].some((label) => label.textContent.trim())
    || (el.getAttribute('aria-label') || '').trim()
    || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(
         (id) => id && (document.getElementById(id)?.textContent || '').trim());
  const unlabelled = fields.filter((el) => !named(el)).map((el) => el.outerHTML);
  return {checked: fields.length, unlabelled};
}"""


@dataclass(frozen=True)
class LiveServer:
    """The running application and what the demo generator created."""

    url: str
    patient_ids: list[uuid.UUID]
    engine: Engine

    def patient_url(self, index: int) -> str:
        """Return the page of the demo patient at this position."""
        return f"{self.url}/patients/{self.patient_ids[index]}"


def _demo_database(path: Path) -> tuple[Engine, list[uuid.UUID]]:
    engine = build_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_all()
    with session_scope(engine) as session, all_tenants(session):
        context = DemoContext(session=session, seed=DEMO_SEED, patient_count=DEMO_PATIENTS)
        accounts_demo.generate(context)
        patients_demo.generate(context)
        patient_ids = list(context.patient_ids)
    return engine, patient_ids


def _listening_socket() -> socket.socket:
    # Bound here and handed to uvicorn, so no other process can take the port in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_until_answering(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _answers(url):
        if not thread.is_alive():
            pytest.fail("the e2e server stopped while starting; see the log above")
        if time.monotonic() > deadline:
            pytest.fail(f"the e2e server did not answer within {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the app on a demo clinic from a background thread for the whole session."""
    engine, patient_ids = _demo_database(tmp_path_factory.mktemp("e2e") / "openkap.sqlite3")
    sock = _listening_socket()
    port = sock.getsockname()[1]
    # Links sent to patients are built from the public address: here, this server's.
    os.environ["OPENKAP_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    get_settings.cache_clear()
    config = uvicorn.Config(create_app(bind=engine), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    _wait_until_answering(url, thread)
    yield LiveServer(url=url, patient_ids=patient_ids, engine=engine)
    server.should_exit = True
    thread.join(timeout=10)
    del os.environ["OPENKAP_PUBLIC_BASE_URL"]
    get_settings.cache_clear()
    sock.close()
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    if CHROMIUM is None:
        pytest.skip("browser tests need Debian's chromium: sudo apt-get install chromium")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts (own cookies), closed after the test."""
    contexts = []

    def open_page(**context_options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a fresh browser context, signed out."""
    return new_page()


@pytest.fixture
def submit_login() -> Callable[..., None]:
    """Fill and send the sign-in form as a demo staff member."""

    def submit(page: Page, handle: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("E-mail").fill(demo_email(handle))
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    return submit


@pytest.fixture(scope="session")
def saved_sign_ins() -> dict[str, StorageState]:
    """Cookies of one signed-in session per demo handle, reused to spare a password check."""
    return {}


@pytest.fixture
def signed_in(
    new_page: Callable[..., Page],
    submit_login: Callable[..., None],
    saved_sign_ins: dict[str, StorageState],
) -> Callable[..., Page]:
    """Return a page of a new browser context signed in as demo staff member `handle`, at `path`.

    Sessions are shared between tests per handle; a test that signs out, or changes what the
    session allows, asks for a `fresh` one of its own.
    """

    def sign_in(
        handle: str, path: str = "/patients", *, fresh: bool = False, **context_options: Any
    ) -> Page:
        saved = None if fresh else saved_sign_ins.get(handle)
        if saved is None:
            page = new_page(**context_options)
            submit_login(page, handle)
            expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
            if not fresh:
                saved_sign_ins[handle] = page.context.storage_state()
            if not page.url.endswith(path):
                page.goto(path)
        else:
            page = new_page(storage_state=saved, **context_options)
            page.goto(path)
        expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
        return page

    return sign_in


@pytest.fixture
def unlabelled_fields() -> Callable[[Page], tuple[int, list[str]]]:
    """Return how many visible fields a page has, and the HTML of those without a label."""

    def find(page: Page) -> tuple[int, list[str]]:
        found = page.evaluate(UNLABELLED_FIELDS_JS)
        return found["checked"], found["unlabelled"]

    return find


@dataclass(frozen=True)
class DemoClinic:
    """Direct access to the live server's database, to build what a test needs before it starts.

    Records are made through the services as a demo staff member would (audited, in the demo
    clinic), and committed when the block ends, so the server sees them on the next request.
    """

    engine: Engine

    @contextmanager
    def as_staff(self, handle: str) -> Iterator[tuple[Session, Principal]]:
        """Open a unit of work scoped to the demo clinic, acting as demo staff member `handle`."""
        with session_scope(self.engine) as session:
            with all_tenants(session):
                user = session.scalars(select(User).where(User.email == demo_email(handle))).one()
            bind_tenant(session, user.organization_id)
            yield session, Principal(user=user, client_address="127.0.0.1")

    def user_id(self, handle: str) -> uuid.UUID:
        """Return the id of a demo staff member."""
        with self.as_staff(handle) as (_, staff):
            return staff.user.id

    def new_patient(self) -> Patient:
        """Register a uniquely named patient, weighed today at 80 kg, as the nurse."""
        data = PatientCreate.model_validate(
            {
                "family_name": f"Lindqvist{uuid.uuid4().hex[:8]}",
                "given_name": "Noor",
                "birth_date": "1979-04-02",
                "sex_at_birth": "female",
            }
        )
        with self.as_staff("nurse") as (session, nurse):
            patient = create_patient(session, data=data, by=nurse)
            session.add(
                WeightMeasurement(
                    organization_id=patient.organization_id,
                    patient_id=patient.id,
                    weight_kg=Decimal("80.0"),
                    measured_on=utcnow().date(),
                )
            )
        return patient

    def episode_in_screening(self, **intake_answers: object) -> Episode:
        """Refer a new patient and take them to screening with a completed intake (as the nurse).

        The intake is `CLEAR_INTAKE` with `intake_answers` changed.
        """
        patient = self.new_patient()
        clinicians = {"prescriber_id": self.user_id("prescriber")}
        clinicians["therapist_id"] = self.user_id("therapist")
        with self.as_staff("nurse") as (session, nurse):
            episode = open_episode(
                session,
                patient=patient,
                referral_reason="Recurrent depression.",
                referred_by=None,
                referred_on=utcnow().date(),
                by=nurse,
                **clinicians,
            )
            pathway.move(
                session, episode=episode, to_state=EpisodeState.intake, reason="", by=nurse
            )
            intake = intake_service.get_intake(session, episode=episode, by=nurse)
            for name, value in {**CLEAR_INTAKE, **intake_answers}.items():
                setattr(intake, name, value)
            session.flush()
            pathway.move(
                session, episode=episode, to_state=EpisodeState.screening, reason="", by=nurse
            )
        return episode

    def episode_preparing(self, **intake_answers: object) -> Episode:
        """A course screened (as the nurse) and moved to preparing, with no plan yet."""
        episode = self.episode_in_screening(**intake_answers)
        with self.as_staff("nurse") as (session, nurse):
            session.add(episode)
            screening.run_screening(session, episode=episode, by=nurse)
            pathway.move(
                session, episode=episode, to_state=EpisodeState.preparing, reason="", by=nurse
            )
        return episode


@pytest.fixture(scope="session")
def demo_clinic(live_server: LiveServer) -> DemoClinic:
    """The demo clinic's database, for building test records directly."""
    return DemoClinic(engine=live_server.engine)
