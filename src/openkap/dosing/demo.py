"""Synthetic dosing sessions: whole visits from check-in to discharge, run through the services.

Each course that reaches induction gets its induction sessions twice a week from its first dose
(only those before the demo's today while it is still in induction), and a maintenance course
two more, four weeks apart. The clock is set to each step's time, so the services stamp the
visit as it happened. Blood pressure rises to a peak near 40 minutes and settles by two hours;
a few sessions raise an alert that the nurse acknowledges, a few have an adverse event treated
with rescue medication, and esketamine sessions get their REMS monitoring form, submitted
except for the most recent.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from openkap.core.demo import DemoContext
from openkap.core.time import clock_set_to, utcnow
from openkap.dosing.administration import adverse_events, infusion
from openkap.dosing.administration import service as giving
from openkap.dosing.administration.schemas import AdministrationInput, AdverseEventInput
from openkap.dosing.chair import day_checks, leaving, pre_dose
from openkap.dosing.models import DosingSession
from openkap.dosing.monitoring import observations
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.monitoring.service import VitalsInput
from openkap.dosing.rems import service as rems_form
from openkap.dosing.sessions import service
from openkap.episodes.demo import Course, after_move, at, demo_today
from openkap.episodes.models import EpisodeState
from openkap.inventory.demo import demo_stock
from openkap.plans.models import Drug, Route
from openkap.plans.readiness import current_plan

INDUCTION_SESSIONS = 6
MAINTENANCE_SESSIONS = 2
VITALS_MINUTES = (15, 30, 40, 60, 90, 120)
INFUSION_MINUTES = 40
CONCENTRATION = {Route.iv: Decimal(10), Route.im: Decimal(50)}
OBSERVATIONS = (
    "Eyes closed, breathing slowly; said the music felt 'very far away'. Settled.",
    "Tearful for a few minutes while talking about her father, then calm; held the sitter's hand.",
    "Asked twice what time it was; reassured. Describes colours and a sense of floating.",
    "Quiet, smiling at times. Removed the eye mask briefly, then put it back on.",
    "Returning to the room: oriented, talking about the intention he set this morning.",
)
# The structured answers of an uneventful day (pregnancy status only where it is asked).
DAY_ANSWERS = {
    pre_dose.ChecklistKey.medications_since_last_visit: "none",
    pre_dose.ChecklistKey.suicide_risk_check: "no_new_risk",
    pre_dose.ChecklistKey.pregnancy_status: "negative_test_today",
}
ALERT_ACTION = "Rechecked after five minutes at rest; prescriber informed; observation continued."


def generate(context: DemoContext) -> None:
    """Register the sessions to run when a course enters induction and maintenance."""
    after_move(context, EpisodeState.induction, lambda course: _induction(context, course))
    after_move(context, EpisodeState.maintenance, lambda course: _maintenance(context, course))
    context.advance(context.patient_count)


def _induction(context: DemoContext, course: Course) -> None:
    still_inducting = course.reach == EpisodeState.induction
    for number in range(INDUCTION_SESSIONS):
        day = course.first_dose_on + timedelta(days=number * 7 // 2)
        if still_inducting and day >= demo_today():
            break
        _visit(context, course, day)
    _submit_rems_forms(context, course)


def _maintenance(context: DemoContext, course: Course) -> None:
    for number in range(MAINTENANCE_SESSIONS):
        day = course.first_dose_on + timedelta(days=35 + 28 * number)
        if day >= demo_today():
            break
        _visit(context, course, day)
    _submit_rems_forms(context, course)


def _visit(context: DemoContext, course: Course, day: date) -> None:
    start = at(day, context.rng.choice((9, 10, 13, 14)), context.rng.choice((0, 15, 30)))
    Visit(context, course, start).run()


class Visit:
    """One dosing visit of a demo course, stepped through at the times it happened."""

    def __init__(self, context: DemoContext, course: Course, start: datetime) -> None:
        self.context, self.course, self.start = context, course, start
        self.rng = context.rng
        self.nurse = course.nurse
        self.dosing: DosingSession
        self.weight: Decimal | None = None
        self.baseline = (self.rng.randint(112, 134), self.rng.randint(68, 84))
        self.rise = self.rng.randint(8, 24)
        self.alerted = self.rng.random() < 0.08
        self.nauseous = self.rng.random() < 0.1

    def at(self, minutes: float, step: Callable[[], object]) -> None:
        """Run one step with the clock at `minutes` from the start of dosing."""
        with clock_set_to(self.start + timedelta(minutes=minutes)):
            step()

    def run(self) -> None:
        steps: list[tuple[float, Callable[[], object]]] = [
            (-40, self._arrive),
            (-15, self._pre_dose),
            (0, self._give),
            # Readings are taken a few seconds after the minute mark.
            *((m + 0.05, partial(self._vitals, m)) for m in VITALS_MINUTES),
            (20, partial(self._observe, 20)),
            (70, partial(self._observe, 70)),
            (125, self._leave),
        ]
        if self.nauseous:
            steps.append((55, self._nausea))
        for minute, step in sorted(steps, key=lambda pair: pair[0]):
            self.at(minute, step)

    def _arrive(self) -> None:
        episode = self.course.episode
        plan = current_plan(self.context.session, episode=episode)
        assert plan is not None, "a course in dosing has a signed plan"
        self.weight = plan.weight_kg if plan.dose_per_kg is not None else None
        self.dosing = service.schedule_session(
            self.context.session,
            episode=episode,
            scheduled_for=self.start,
            by=self.nurse,
        )
        service.check_in(self.context.session, dosing=self.dosing, by=self.nurse)

    def _pre_dose(self) -> None:
        keys = (*pre_dose.REQUIRED, pre_dose.ChecklistKey.pregnancy_status)
        asked = day_checks.required_today(self.context.session, dosing=self.dosing)
        for key in (k for k in keys if k in pre_dose.REQUIRED or k.value in asked):
            value = "yes" if key in pre_dose.CONFIRMATIONS else self._answer(key)
            pre_dose.record_checklist(
                self.context.session, dosing=self.dosing, key=key, value=value, by=self.nurse
            )
        if self.weight is not None:
            # Weighed at every visit: the dose is checked against the weight of the day.
            pre_dose.record_checklist(
                self.context.session,
                dosing=self.dosing,
                key=pre_dose.ChecklistKey.weight_kg,
                value=str(self.weight),
                by=self.nurse,
            )
        sbp, dbp = self.baseline
        self._reading("pre", sbp=sbp, dbp=dbp, moaas=5)

    def _answer(self, key: pre_dose.ChecklistKey) -> str:
        if key == pre_dose.ChecklistKey.intention:
            return self.rng.choice(
                (
                    "To be kinder to myself when the guilt comes back.",
                    "To let go of the need to control everything.",
                    "To understand what keeps me stuck in bed in the mornings.",
                    "To feel safe in my body again.",
                )
            )
        return DAY_ANSWERS.get(key, "No change since the last visit.")

    def _give(self) -> None:
        session = self.context.session
        pre_dose.start_dosing(session, dosing=self.dosing, by=self.nurse)
        route = Route(self.dosing.route)
        dose = self.dosing.planned_dose_mg
        stock = demo_stock(self.context)
        giving.record_administration(
            session,
            dosing=self.dosing,
            data=AdministrationInput(
                lot_id=stock.lot_for(self.context, route.value, dose),
                location_id=stock.location_id,
                dose_mg=dose,
                concentration_mg_per_ml=CONCENTRATION.get(route),
                infusion_minutes=INFUSION_MINUTES if route == Route.iv else None,
            ),
            by=self.nurse,
        )
        if self.dosing.drug == Drug.esketamine.value:
            self._devices()
        elif route != Route.iv:
            leaving.finish_administration(session, dosing=self.dosing, by=self.nurse)
        self._dissociation(0)

    def _devices(self) -> None:
        devices = giving.list_devices(self.context.session, dosing=self.dosing)
        for device in devices:
            # A few seconds past the 5-minute spacing, as a nurse reading the clock would.
            self.at(5.1 * (device.number - 1), partial(self._device, device.number))
        self.at(5.1 * len(devices), self._finish)

    def _device(self, number: int) -> None:
        infusion.mark_device_given(
            self.context.session, dosing=self.dosing, number=number, by=self.nurse
        )

    def _finish(self) -> None:
        leaving.finish_administration(self.context.session, dosing=self.dosing, by=self.nurse)

    def _blood_pressure(self, minute: int) -> tuple[int, int]:
        # A rise to a peak near 40 minutes that settles by about two hours, as published.
        shape = minute / 40 if minute <= 40 else max(0.0, 1 - (minute - 40) / 70)
        rise = self.rise + (52 if self.alerted and minute == 40 else 0)
        sbp, dbp = self.baseline
        return round(sbp + rise * shape), round(dbp + rise * shape * 0.55)

    def _vitals(self, minute: int) -> None:
        if minute == INFUSION_MINUTES and self.dosing.route == Route.iv.value:
            self._finish()
        sbp, dbp = self._blood_pressure(minute)
        moaas = 5 if minute >= 60 else self.rng.choice((4, 5, 5))
        recorded = self._reading(f"m{minute}", sbp=sbp, dbp=dbp, moaas=moaas)
        for alert in recorded.alerts:
            monitoring.acknowledge_alert(
                self.context.session,
                dosing=self.dosing,
                alert_id=alert.id,
                action_taken=ALERT_ACTION,
                by=self.nurse,
            )
        if minute in (40, 120):
            self._dissociation(minute)

    def _reading(self, key: str, *, sbp: int, dbp: int, moaas: int) -> monitoring.RecordedVitals:
        data = VitalsInput(
            client_reading_id=f"demo-{self.start:%Y%m%d%H%M}-{key}",
            measured_at=utcnow(),
            sbp=sbp,
            dbp=dbp,
            hr=self.rng.randint(64, 92),
            spo2=self.rng.randint(95, 99),
            rr=self.rng.randint(12, 18),
            moaas=moaas,
        )
        return monitoring.record_vitals(
            self.context.session, dosing=self.dosing, data=data, by=self.nurse
        )

    def _dissociation(self, minute: int) -> None:
        peak = 3 if minute == 40 else 0
        answers = [self.rng.randint(0, peak) for _ in range(6)]
        with clock_set_to(self.start + timedelta(minutes=minute, seconds=30)):
            observations.record_dissociation(
                self.context.session,
                dosing=self.dosing,
                instrument_id="cadss6",
                answers=answers,
                measured_at=self.start + timedelta(minutes=minute),
                by=self.course.therapist,
            )

    def _observe(self, minute: int) -> None:
        observations.record_observation(
            self.context.session,
            dosing=self.dosing,
            client_entry_id=f"demo-{self.start:%Y%m%d%H%M}-obs{minute}",
            observed_at=self.start + timedelta(minutes=minute),
            text=self.rng.choice(OBSERVATIONS),
            by=self.course.therapist,
        )

    def _nausea(self) -> None:
        onset = self.start + timedelta(minutes=50)
        adverse_events.record_adverse_event(
            self.context.session,
            dosing=self.dosing,
            data=AdverseEventInput(
                event_type="nausea_vomiting",
                onset_at=onset,
                severity="mild",
                action_taken="Ondansetron given; sips of water; head of the recliner raised.",
                rescue_drug="ondansetron",
                rescue_dose="4 mg ODT",
                rescue_given_at=onset + timedelta(minutes=3),
                outcome="resolved",
                resolved_at=onset + timedelta(minutes=4),
            ),
            by=self.nurse,
        )

    def _leave(self) -> None:
        session = self.context.session
        leaving.mark_ready_for_discharge(session, dosing=self.dosing, by=self.nurse)
        leaving.discharge(session, dosing=self.dosing, by=self.nurse)
        if rems_form.needs_form(self.dosing):
            rems_form.build_form(session, dosing=self.dosing, by=self.nurse)


def _submit_rems_forms(context: DemoContext, course: Course) -> None:
    """Submit every form of the course but the newest, which is left due for the dashboard."""
    session = context.session
    dosings = service.list_sessions(session, episode=course.episode, by=course.nurse)
    forms = [rems_form.read_form(session, dosing=d, by=course.nurse) for d in dosings]
    waiting = [(d, f) for d, f in zip(dosings, forms, strict=True) if f and not f.submitted_on]
    for dosing, form in waiting[:-1]:
        sent = dosing.scheduled_for.date() + timedelta(days=context.rng.randint(1, 5))
        with clock_set_to(at(sent, 16)):
            rems_form.mark_submitted(
                session,
                form=form,
                submitted_on=sent,
                confirmation_number=f"SPR-{context.rng.randint(100000, 999999)}",
                by=course.nurse,
            )
