"""Browser tests of the chair-side page: a full IV ketamine session run from a tablet, and the
reading queue that keeps vital signs through a dropped connection.

Time-based rules (minimum observation after the infusion) are reached with the settable clock of
openkap.core.time: the server runs in this process, so `set_clock` moves its time forward; the
page takes its clock from the server, so readings entered after a move carry the moved time.
The clock goes forward in steps of at most ten minutes, each followed by a poll of the page, so
the signed-in web session (15 idle minutes) stays alive; every test restores the real time.
"""

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import func, select

from openkap.core.time import clock_set_to, set_clock, utcnow
from openkap.dosing.models import VitalSigns
from openkap.dosing.sessions import service as dosing_service
from openkap.episodes import pathway
from openkap.episodes.models import Episode, EpisodeState
from openkap.inventory.schemas import LocationCreate, LotCreate, ProductCreate, ReceiptCreate
from openkap.inventory.stock import catalog
from openkap.inventory.stock import service as inventory_service
from openkap.plans.consent import service as consent
from openkap.plans.preparation import rems
from openkap.plans.preparation.schemas import ConsentFields, RemsEnrolmentCreate
from openkap.plans.treatment import service as plans_service
from openkap.plans.treatment.schemas import PlanCreate
from tests.e2e.conftest import DemoClinic

pytestmark = pytest.mark.e2e

TABLET = {"viewport": {"width": 820, "height": 1180}}
# The tablet's own time zone: clock times typed on it are its local times.
TIME_ZONE = "America/Los_Angeles"
STEP = timedelta(minutes=10)
PAGE_WIDTH_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
PRODUCTS = {
    "racemic_ketamine": ("Ketamine HCl 50 mg/mL vial", "injection", "50 mg/mL", "mL", "50"),
    "esketamine": ("Spravato 28 mg nasal device", "nasal spray", "28 mg/device", "device", "28"),
}


# --- the clinic's records, made through the services -------------------------------------


def ready_course(clinic: DemoClinic, *, template_key: str, rems_enrolled: bool = False) -> Episode:
    """A new patient's course, screened, planned on `template_key`, signed, consented: ready."""
    episode = clinic.episode_preparing()
    with clinic.as_staff("prescriber") as (session, prescriber):
        session.add(episode)
        data = PlanCreate.model_validate(
            {"template_key": template_key, "start_on": utcnow().date().isoformat()}
        )
        plan = plans_service.create_plan(session, episode=episode, data=data, by=prescriber)
        plans_service.sign_plan(session, plan=plan, by=prescriber)
    nurse_id = clinic.user_id("nurse")
    with clinic.as_staff("therapist") as (session, therapist):
        session.add(episode)
        signed = ConsentFields.model_validate(
            {
                "document_key": template_key,
                "method": "typed",
                "signed_name": "Noor Lindqvist",
                "signed_at": utcnow() - timedelta(minutes=5),
                "witness_id": nurse_id,
            }
        )
        consent.record_consent(session, episode=episode, data=signed, scan=None, by=therapist)
    with clinic.as_staff("nurse") as (session, nurse):
        session.add(episode)
        if rems_enrolled:
            enrolment = RemsEnrolmentCreate(
                rems_patient_id="REMS-4471", enrolled_on=utcnow().date()
            )
            rems.record_enrolment(session, episode=episode, data=enrolment, by=nurse)
        pathway.move(session, episode=episode, to_state=EpisodeState.ready, reason="", by=nurse)
    return episode


def stock_lot(clinic: DemoClinic, *, drug: str, mg: str = "1000") -> str:
    """Receive a new lot of the drug into a new cabinet; return its lot number."""
    tag = uuid.uuid4().hex[:8].upper()
    name, form, strength, unit, per_unit = PRODUCTS[drug]
    with clinic.as_staff("nurse") as (session, nurse):
        product = catalog.create_product(
            session,
            data=ProductCreate(
                name=f"{name} {tag}",
                drug=drug,
                form=form,
                strength=strength,
                unit=unit,
                mg_per_unit=Decimal(per_unit),
            ),
            by=nurse,
        )
        expiry = utcnow().date() + timedelta(days=365)
        lot = catalog.create_lot(
            session,
            data=LotCreate(
                product_id=product.id, lot_number=f"L{tag}", expiry=expiry, supplier="Hikma"
            ),
            by=nurse,
        )
        location = catalog.create_location(
            session, data=LocationCreate(name=f"Cabinet {tag}", site="Riverside"), by=nurse
        )
        receipt = ReceiptCreate(
            lot_id=lot.id,
            location_id=location.id,
            quantity_mg=Decimal(mg),
            supplier="Hikma",
            supplier_address="1 Supply Road, Springfield, IL 62701",
            supplier_dea_registration="AB1234563",
            invoice_number=f"INV-{tag}",
        )
        inventory_service.record_receipt(session, data=receipt, by=nurse)
    return f"L{tag}"


def checked_in_session(clinic: DemoClinic, episode: Episode) -> uuid.UUID:
    """Schedule a session of the course for now and check the patient in (as the nurse)."""
    with clinic.as_staff("nurse") as (session, nurse):
        session.add(episode)
        dosing = dosing_service.schedule_session(
            session, episode=episode, scheduled_for=utcnow(), by=nurse
        )
        dosing_service.check_in(session, dosing=dosing, by=nurse)
        return dosing.id


def stored_readings(clinic: DemoClinic, session_id: uuid.UUID) -> int:
    with clinic.as_staff("nurse") as (session, _):
        query = select(func.count()).where(VitalSigns.session_id == session_id)
        return int(session.scalar(query) or 0)


# --- the page --------------------------------------------------------------------------


class Clock:
    """The server's clock, moved forward from the first dose as a test goes on."""

    def __init__(self) -> None:
        self.first_dose: datetime | None = None

    def start(self, page: Page) -> None:
        """Count from the first dose the page shows."""
        since = page.locator("#elapsed").get_attribute("data-elapsed-since")
        assert since, "the page shows no first dose"
        self.first_dose = datetime.fromisoformat(since)

    def at(self, page: Page, minutes: int) -> None:
        """Move the server's time to `minutes` after the first dose, and see the page follow."""
        assert self.first_dose is not None
        target = self.first_dose + timedelta(minutes=minutes)
        while utcnow() < target:
            set_clock(min(target, utcnow() + STEP))
            refresh(page)
        hours, rest = divmod(minutes, 60)
        shown = f"{hours}:{rest:02d}" if hours else str(rest)
        expect(page.locator("#elapsed")).to_have_text(re.compile(rf"^{shown}:\d\d$"))


@pytest.fixture
def clock() -> Iterator[Clock]:
    # The clock goes back to where the run set it (the real time, or a --clock setting).
    with clock_set_to(utcnow()):
        yield Clock()


def refresh(page: Page) -> None:
    """Poll the live region now (as the page does every few seconds) and wait for the answer."""
    with page.expect_response(lambda r: r.url.endswith("/live") and r.status == 200):
        page.evaluate("htmx.trigger('#chair-live', 'chair:refresh')")


def send_vitals(page: Page, *values: int, moaas: int | None = None) -> None:
    """Type a reading (SBP, DBP, HR, SpO2, RR) into the form and save it."""
    form = page.locator("#form-vitals")
    labels = ["Systolic", "Diastolic", "Heart rate", "SpO2", "Resp. rate"]
    for label, value in zip(labels, values, strict=True):
        form.get_by_label(label).fill(str(value))
    if moaas is not None:
        form.get_by_label("MOAA/S").select_option(str(moaas))
    form.get_by_role("button", name="Save the reading").click()


def record_vitals(page: Page, *values: int, moaas: int | None = None) -> None:
    """Save a reading and wait until it is stored and shown in the table."""
    rows = page.locator("#vitals-table tbody tr")
    before = rows.count()
    send_vitals(page, *values, moaas=moaas)
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#queue-status")).to_be_hidden()


def state(page: Page) -> Callable[[str], None]:
    def check(expected: str) -> None:
        expect(page.locator("#session-state")).to_have_text(expected)

    return check


def answer_checklist(page: Page, *, weight: str | None) -> None:
    checklist = page.locator("#form-checklist")
    for legend in ("Identity verified", "Fasting as instructed", "Escort home confirmed"):
        checklist.get_by_role("group", name=re.compile(legend)).get_by_label("Yes").check()
    checklist.get_by_label("Medications since the last visit").fill("none")
    checklist.get_by_role("group", name=re.compile("Suicide risk")).get_by_label(
        "No new risk"
    ).check()
    checklist.get_by_role("group", name=re.compile("Pregnancy status")).get_by_label(
        "Negative test today"
    ).check()
    checklist.get_by_label("Intention for the session").fill("Rest and notice what comes up.")
    if weight:
        checklist.get_by_label("Weight today (kg)").fill(weight)
    checklist.get_by_role("button", name="Save the checklist").click()


def choose_lot(page: Page, lot_number: str) -> None:
    picker = page.locator("#form-admin").get_by_label("Lot (from the controlled-substance stock)")
    value = picker.locator("option", has_text=lot_number).get_attribute("value")
    assert value
    picker.select_option(value)


def record_nausea(page: Page, *, at: str) -> None:
    """Record nausea treated with ondansetron, its times typed as the tablet's clock times."""
    opened = page.locator("#details-ae")
    if opened.get_attribute("open") is None:
        opened.get_by_text("Record an adverse event").click()
    event = page.locator("#form-ae")
    event.get_by_label("Event", exact=True).select_option("nausea_vomiting")
    event.get_by_label("Severity").select_option("mild")
    event.get_by_label("Onset").fill(at)
    event.get_by_label("Outcome").select_option("resolved")
    event.get_by_label("Resolved at").fill(at)
    event.get_by_label("Action taken").fill("Gave ondansetron while the infusion ran")
    event.get_by_label("Rescue medication").fill("ondansetron")
    event.get_by_label("Rescue dose").fill("4 mg IV")
    event.get_by_label("Rescue given at").fill(at)
    event.get_by_role("button", name="Record the adverse event").click()
    recorded = page.locator("#adverse-event-list")
    expect(recorded).to_contain_text(f"onset {at}")
    expect(recorded).to_contain_text(f"ondansetron 4 mg IV at {at}")


# --- the tests -----------------------------------------------------------------------------


def test_a_full_iv_session_is_run_at_the_chair(
    demo_clinic: DemoClinic,
    signed_in: Callable[..., Page],
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
    clock: Clock,
) -> None:
    episode = ready_course(demo_clinic, template_key="iv_racemic")
    lot = stock_lot(demo_clinic, drug="racemic_ketamine")
    page = signed_in("nurse", f"/episodes/{episode.id}", timezone_id=TIME_ZONE, **TABLET)
    page.get_by_role("link", name="Dosing sessions").click()
    expect(page.locator("#no-sessions")).to_be_visible()
    is_now = state(page)

    page.get_by_label("When (UTC)").fill(utcnow().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("button", name="Check in").click()
    is_now("checked in")

    answer_checklist(page, weight="80")
    is_now("pre dose checks")
    expect(page.locator("#stop-pre_dose_vitals")).to_contain_text("pre-dose SBP is not recorded")
    record_vitals(page, 124, 78, 72, 98, 14)
    expect(page.locator("#no-stops")).to_have_text("No hard stop holds dosing.")
    page.get_by_role("button", name="Start dosing").click()
    is_now("dosing")
    checked, unlabelled = unlabelled_fields(page)
    assert (checked > 30, unlabelled) == (True, [])
    assert page.evaluate(PAGE_WIDTH_JS) == [820, 820]

    choose_lot(page, lot)
    dose = page.locator("#form-admin")
    expect(dose.get_by_label("Dose (mg)")).to_have_value("40")
    dose.get_by_label("Concentration (mg/mL)").fill("0.4")
    dose.get_by_label("Infusion minutes").fill("40")
    expect(page.locator("#calc-preview")).to_contain_text(
        "Draw 100.0 mL; pump rate 150.0 mL/h over 40 min"
    )
    dose.get_by_role("button", name="Record the dose and start the infusion").click()
    expect(page.locator("#lot-number")).to_have_text(lot)
    expect(page.locator("#volume")).to_have_text("100.0 mL at 0.4 mg/mL")
    expect(page.locator("#rate")).to_have_text("150.0 mL/h over 40 min")

    clock.start(page)
    clock.at(page, 15)
    record_vitals(page, 132, 84, 80, 98, 14, moaas=4)
    clock.at(page, 30)
    record_vitals(page, 158, 92, 86, 97, 14, moaas=4)
    record_nausea(page, at=utcnow().astimezone(ZoneInfo(TIME_ZONE)).strftime("%H:%M"))
    clock.at(page, 40)
    record_vitals(page, 185, 100, 90, 97, 14, moaas=4)
    alerts = page.locator("#alerts")
    expect(alerts).to_contain_text("Systolic BP 185 mmHg")
    alerts.get_by_label("Action taken").fill("Rechecked after 5 minutes; prescriber informed")
    alerts.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#alerts")).to_have_count(0)
    expect(page.locator("#alerts-kept")).to_contain_text("Acknowledged alerts (1)")
    page.get_by_role("button", name="Infusion finished").click()
    is_now("monitoring")
    expect(page.locator("#vitals-chart circle.dot.sbp")).to_have_count(4)

    clock.at(page, 60)
    record_vitals(page, 141, 86, 80, 98, 14, moaas=5)
    page.get_by_role("button", name="Mark ready for discharge").click()
    expect(page.locator("#refusal-ready-for-discharge")).to_contain_text(
        "the minimum observation time after the end of administration is not over"
    )
    is_now("monitoring")
    clock.at(page, 90)
    record_vitals(page, 128, 80, 74, 98, 14, moaas=5)
    clock.at(page, 101)
    record_vitals(page, 122, 78, 72, 98, 14, moaas=5)
    expect(page.locator("#unmet-criteria")).to_contain_text("dissociation is not assessed")
    statement = page.locator("#form-dissociation-statement")
    statement.get_by_label("No CADSS today: your statement that dissociation has resolved").fill(
        "Oriented, talking clearly, no dissociation left."
    )
    statement.get_by_role("button", name="Record the statement").click()
    expect(page.locator("#criteria-met")).to_be_visible()
    page.get_by_role("button", name="Mark ready for discharge").click()
    is_now("ready for discharge")
    page.get_by_role("button", name="Discharge the patient").click()
    is_now("discharged")

    page.goto(page.locator("#summary-link").get_attribute("href") or "")
    expect(page.locator("#summary-dose")).to_contain_text("40 mg ketamine by intravenous infusion")
    expect(page.locator("#summary-vitals")).to_contain_text("Blood pressure 122/78 mmHg")
    expect(page.locator("#summary-vitals")).to_contain_text("You were fully alert.")
    expect(page.locator("#aftercare")).to_contain_text("Do not drive, cycle or operate machinery")
    expect(page.locator("#clinic-name")).to_have_text("Riverside KAP Clinic")
    expect(page.locator("#summary-events")).to_contain_text(
        "You felt sick or were sick. We gave ondansetron while the infusion ran."
    )


def test_readings_are_kept_through_a_dropped_connection_and_stored_once(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page]
) -> None:
    episode = ready_course(demo_clinic, template_key="iv_racemic")
    session_id = checked_in_session(demo_clinic, episode)
    page = signed_in("nurse", f"/dosing-sessions/{session_id}", **TABLET)
    rows = page.locator("#vitals-table tbody tr")
    waiting = page.locator("#queue-status")

    page.context.set_offline(True)
    send_vitals(page, 126, 80, 70, 98, 14)
    expect(waiting).to_have_text("1 reading waiting to send")
    expect(page.locator("#connection-lost")).to_be_visible()
    assert stored_readings(demo_clinic, session_id) == 0
    page.context.set_offline(False)
    expect(waiting).to_be_hidden()
    expect(rows).to_have_count(1)
    assert stored_readings(demo_clinic, session_id) == 1

    # The server stores a reading but its answer is lost: the tablet sends it again.
    answers_lost: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        if answers_lost:
            route.continue_()
            return
        route.fetch()
        answers_lost.append(route.request.url)
        route.abort()

    page.route("**/vitals", lose_the_first_answer)
    send_vitals(page, 128, 82, 72, 98, 14)
    expect(rows).to_have_count(2)
    expect(waiting).to_be_hidden()
    assert len(answers_lost) == 1
    assert stored_readings(demo_clinic, session_id) == 2

    # While the server cannot be reached the entry outlives a reload, then it is sent.
    page.unroute("**/vitals")
    page.route("**/vitals", lambda route: route.abort())
    send_vitals(page, 130, 84, 74, 97, 14)
    expect(waiting).to_have_text("1 reading waiting to send")
    page.reload()
    expect(page.locator("#queue-status")).to_have_text("1 reading waiting to send")
    page.unroute("**/vitals")
    expect(page.locator("#queue-status")).to_be_hidden(timeout=20_000)
    expect(page.locator("#vitals-table tbody tr")).to_have_count(3)
    assert stored_readings(demo_clinic, session_id) == 3
