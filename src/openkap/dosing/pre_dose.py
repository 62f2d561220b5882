"""The pre-dose checklist, the hard stops that hold dosing, prescriber overrides, start of dosing.

Hard stops are computed from the records each time they are asked for, so a stop resolved by a
new record (a signed consent, a lower blood pressure) disappears without anyone clearing it.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal, require
from openkap.core import audit, guard_rails
from openkap.core.permissions import Permission
from openkap.core.time import utcnow
from openkap.dosing import day_checks
from openkap.dosing.day_weight import dose_per_kg_problem, record_day_weight
from openkap.dosing.errors import require_within
from openkap.dosing.models import (
    ChecklistItem,
    DosingSession,
    HardStopOverride,
    SessionAlert,
    SessionState,
    VitalSigns,
)
from openkap.dosing.service import (
    audit_session,
    move,
    require_no_other_open_session,
    require_state,
)
from openkap.dosing.session_errors import (
    HardStopsUnresolved,
    InvalidSessionInput,
    SessionStateRefused,
)
from openkap.dosing.threshold_settings import clinic_thresholds
from openkap.dosing.thresholds import VitalReading, pre_dose_hold_reasons
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.service import record_move
from openkap.plans.models import Drug, PlanStatus, ProtocolTemplate, TreatmentPlan
from openkap.plans.readiness import current_plan, rems_enrolment, valid_consent
from openkap.plans.service import recent_weight

PRE_DOSE = (SessionState.checked_in, SessionState.pre_dose_checks)
MIN_REASON = 10


class ChecklistKey(enum.StrEnum):
    identity_verified = "identity_verified"
    consent_current = "consent_current"
    fasting = "fasting"
    escort_confirmed = "escort_confirmed"
    pregnancy_status = "pregnancy_status"
    medications_since_last_visit = "medications_since_last_visit"
    suicide_risk_check = "suicide_risk_check"
    intention = "intention"
    weight_kg = "weight_kg"


# Answered "yes" or dosing holds; the other required items need only an answer.
CONFIRMATIONS = (
    ChecklistKey.identity_verified,
    ChecklistKey.fasting,
    ChecklistKey.escort_confirmed,
)
# pregnancy_status is required too for a patient who can become pregnant (dosing.day_checks).
REQUIRED = (
    *CONFIRMATIONS,
    ChecklistKey.medications_since_last_visit,
    ChecklistKey.suicide_risk_check,
    ChecklistKey.intention,
)


class StopKey(enum.StrEnum):
    no_valid_consent = "no_valid_consent"
    rems_not_enrolled = "rems_not_enrolled"
    plan_not_signed = "plan_not_signed"
    pre_dose_vitals = "pre_dose_vitals"
    checklist_incomplete = "checklist_incomplete"
    weight_not_current = "weight_not_current"
    pre_dose_ceiling = "pre_dose_ceiling"
    unacknowledged_alert = "unacknowledged_alert"
    interval_too_short = "interval_too_short"
    dose_above_plan_max_per_kg = "dose_above_plan_max_per_kg"
    suicide_risk_unassessed = "suicide_risk_unassessed"
    screening_recheck_needed = "screening_recheck_needed"
    pregnancy_positive = "pregnancy_positive"
    interacting_medication_reported = "interacting_medication_reported"
    suicide_risk_reported = "suicide_risk_reported"


# An incomplete checklist is finished by answering it and an alert by acknowledging it; a
# reading at a ceiling is no case for an override at the chair; an unassessed suicide-risk alert
# is resolved only by a clinician's risk assessment (follow-up); nor is a screening to re-run, a
# positive pregnancy test or a new suicide risk not yet assessed: none of them is overridden.
NOT_OVERRIDABLE = frozenset(
    {
        StopKey.checklist_incomplete,
        StopKey.pre_dose_ceiling,
        StopKey.unacknowledged_alert,
        StopKey.suicide_risk_unassessed,
        StopKey.screening_recheck_needed,
        StopKey.pregnancy_positive,
        StopKey.suicide_risk_reported,
    }
)
OVERRIDABLE = frozenset(StopKey) - NOT_OVERRIDABLE
# Ceilings no setting and no role passes before a dose, defined with their sources in one place.
CEILING_SBP = guard_rails.PRE_DOSE_CEILING_SBP_AT_OR_ABOVE
CEILING_DBP = guard_rails.PRE_DOSE_CEILING_DBP_AT_OR_ABOVE
CEILING_SPO2_BELOW = guard_rails.PRE_DOSE_CEILING_SPO2_BELOW


STOP_TITLES = {
    StopKey.no_valid_consent: "No valid consent",
    StopKey.rems_not_enrolled: "Not enrolled in the REMS",
    StopKey.plan_not_signed: "Treatment plan not signed",
    StopKey.pre_dose_vitals: "Vital signs before the dose",
    StopKey.checklist_incomplete: "Checklist not complete",
    StopKey.weight_not_current: "No current weight",
    StopKey.pre_dose_ceiling: "Vital signs at a ceiling: no dose today",
    StopKey.unacknowledged_alert: "Alert not acknowledged",
    StopKey.interval_too_short: "Too soon after the last dose",
    StopKey.dose_above_plan_max_per_kg: "Dose above the plan's maximum at today's weight",
    StopKey.suicide_risk_unassessed: "Suicide risk not yet assessed",
}


# A stop found in the records: its key, its message, and the evidence it was raised on.
Stop = tuple[StopKey, str, str]


# A later step of the pathway adds its own stops (follow-up's unassessed suicide-risk alert)
# through this list, so dosing never imports it.
PreDoseCheck = Callable[[Session, DosingSession], list[tuple[StopKey, str]]]
_PRE_DOSE_CHECKS: list[PreDoseCheck] = []


def add_pre_dose_check(check: PreDoseCheck) -> None:
    """Register a check that returns the hard stops it finds for a dosing session."""
    if check not in _PRE_DOSE_CHECKS:
        _PRE_DOSE_CHECKS.append(check)


@dataclass(frozen=True, kw_only=True)
class HardStop:
    """A named reason dosing must not start, and the prescriber's override when there is one."""

    key: StopKey
    message: str
    evidence: str = ""
    override: HardStopOverride | None = None

    @property
    def title(self) -> str:
        """The stop's name in words, as the chair page shows it."""
        return STOP_TITLES.get(self.key, self.key.value.replace("_", " ").capitalize())

    @property
    def overridable(self) -> bool:
        return self.key in OVERRIDABLE

    @property
    def blocking(self) -> bool:
        return self.override is None


def _validated_value(key: ChecklistKey, value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidSessionInput("The answer is empty.", field="value")
    if key.value in day_checks.STRUCTURED:
        return day_checks.validated_answer(key.value, value)
    if key in CONFIRMATIONS and value not in ("yes", "no"):
        raise InvalidSessionInput(f"{key.value} is answered yes or no.", field="value")
    if key == ChecklistKey.weight_kg:
        try:
            weight = Decimal(value)
        except InvalidOperation:
            raise InvalidSessionInput("weight_kg must be a number.", field="value") from None
        if not weight.is_finite():
            raise InvalidSessionInput("weight_kg must be a number.", field="value")
        require_within("value", weight, Decimal(20), Decimal(400))
    return value


def record_checklist(
    session: Session,
    *,
    dosing: DosingSession,
    key: ChecklistKey,
    value: str,
    by: Principal,
    weight_change_reason: str | None = None,
) -> ChecklistItem:
    """Record one pre-dose checklist answer; the session moves to its pre-dose checks."""
    require(
        by,
        Permission.dosing_administer,
        "Only nurses and prescribers record the pre-dose checklist.",
    )
    require_state(dosing, *PRE_DOSE)
    value = _validated_value(key, value)
    if key == ChecklistKey.weight_kg:
        record_day_weight(session, dosing=dosing, value=value, reason=weight_change_reason, by=by)
    item = ChecklistItem(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        item_key=key.value,
        value=value,
        recorded_by_id=by.user.id,
    )
    session.add(item)
    if dosing.state == SessionState.checked_in.value:
        move(dosing, SessionState.pre_dose_checks, by)
    session.flush()
    audit_session(session, dosing=dosing, action="checklist", by=by)
    return item


def checklist_answers(session: Session, *, dosing: DosingSession) -> dict[str, str]:
    """Return the latest answer to each checklist item."""
    items = session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.session_id == dosing.id)
        .order_by(ChecklistItem.at, ChecklistItem.id)
    )
    return {item.item_key: item.value for item in items}


def latest_pre_dose_reading(session: Session, *, dosing: DosingSession) -> VitalSigns | None:
    """Return the newest valid reading taken before dosing started."""
    query = select(VitalSigns).where(
        VitalSigns.session_id == dosing.id, VitalSigns.status == "final"
    )
    if dosing.dosing_started_at is not None:
        query = query.where(VitalSigns.measured_at < dosing.dosing_started_at)
    return session.scalars(query.order_by(VitalSigns.measured_at.desc()).limit(1)).first()


def _checklist_stop(session: Session, dosing: DosingSession) -> list[Stop]:
    answers = checklist_answers(session, dosing=dosing)
    # In words, as the chair shows them: "identity verified", not identity_verified.
    required = [key.value for key in REQUIRED] + day_checks.required_today(session, dosing=dosing)
    missing = [key.replace("_", " ") for key in required if key not in answers]
    declined = [
        key.value.replace("_", " ") for key in CONFIRMATIONS if answers.get(key.value) == "no"
    ]
    problems = [f"not recorded: {k}" for k in missing] + [f"answered no: {k}" for k in declined]
    if not problems:
        return []
    return [(StopKey.checklist_incomplete, "Pre-dose checklist " + "; ".join(problems), "")]


def _ceiling_reasons(row: VitalSigns) -> list[str]:
    reasons = []
    if (row.sbp or 0) >= CEILING_SBP or (row.dbp or 0) >= CEILING_DBP:
        reasons.append(
            f"BP {row.sbp}/{row.dbp} is at or above the ceiling of {CEILING_SBP}/{CEILING_DBP} "
            "(hypertensive urgency, ACC/AHA 2017)"
        )
    if row.spo2 is not None and row.spo2 < CEILING_SPO2_BELOW:
        reasons.append(f"SpO2 {row.spo2} % is below the ceiling of {CEILING_SPO2_BELOW} %")
    return reasons


def _vitals_stop(session: Session, dosing: DosingSession) -> list[Stop]:
    """The newest pre-dose reading holds dosing; an override covers that reading only."""
    row = latest_pre_dose_reading(session, dosing=dosing)
    if row is None:
        reading, evidence, ceilings = VitalReading(), "no reading", []
    else:
        reading = VitalReading(sbp=row.sbp, dbp=row.dbp, hr=row.hr, spo2=row.spo2, rr=row.rr)
        evidence, ceilings = f"vital_signs:{row.id}", _ceiling_reasons(row)
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    reasons = pre_dose_hold_reasons(reading, thresholds)
    found = [(StopKey.pre_dose_vitals, "; ".join(reasons), evidence)] if reasons else []
    if ceilings:
        message = "; ".join(ceilings) + ": no dose today unless a new reading is below it"
        found.append((StopKey.pre_dose_ceiling, message, evidence))
    return found


def _alert_stop(session: Session, dosing: DosingSession) -> list[Stop]:
    """An alert of this session that nobody has acknowledged holds dosing."""
    open_alerts = session.scalars(
        select(SessionAlert).where(
            SessionAlert.session_id == dosing.id, SessionAlert.acknowledged_at.is_(None)
        )
    ).all()
    if not open_alerts:
        return []
    named = "; ".join(alert.message for alert in open_alerts)
    return [(StopKey.unacknowledged_alert, f"Acknowledge the alert first: {named}", "")]


def _interval_stop(session: Session, dosing: DosingSession) -> list[Stop]:
    """A dose sooner than the protocol's interval after the patient's last one holds dosing."""
    last = session.scalars(
        select(DosingSession)
        .where(
            DosingSession.organization_id == dosing.organization_id,
            DosingSession.patient_id == dosing.patient_id,
            DosingSession.id != dosing.id,
            DosingSession.dosing_started_at.is_not(None),
        )
        .order_by(DosingSession.dosing_started_at.desc())
        .limit(1)
    ).first()
    if last is None or last.dosing_started_at is None:
        return []
    hours = (utcnow() - last.dosing_started_at).total_seconds() / 3600
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    if hours >= thresholds.min_hours_between_doses:
        return []
    message = (
        f"Interval between doses: the last dose began {hours:.1f} hours ago "
        f"({last.dosing_started_at.isoformat(timespec='minutes')}); the clinic allows a dose "
        f"{thresholds.min_hours_between_doses} hours after the last at the earliest"
    )
    return [(StopKey.interval_too_short, message, f"dosing_session:{last.id}")]


def _weight_stop(session: Session, dosing: DosingSession, plan: TreatmentPlan) -> list[Stop]:
    """A weight-based dose needs the weight of the day or one within the template's age."""
    if ChecklistKey.weight_kg.value in checklist_answers(session, dosing=dosing):
        return []
    template = session.get(ProtocolTemplate, (dosing.organization_id, plan.template_id))
    max_age = 30 if template is None else template.weight_max_age_days
    day = (dosing.checked_in_at or dosing.scheduled_for).date()
    if recent_weight(session, patient_id=dosing.patient_id, on=day, max_age_days=max_age):
        return []
    message = (
        f"No weight recorded in the {max_age} days before {day.isoformat()}; "
        "weigh the patient and record weight_kg in the checklist."
    )
    return [(StopKey.weight_not_current, message, "")]


def _dose_per_kg_stop(session: Session, dosing: DosingSession) -> list[Stop]:
    """The day's weight re-checks the session's dose in mg/kg against the plan's maximum."""
    answered = checklist_answers(session, dosing=dosing).get(ChecklistKey.weight_kg.value)
    problem = dose_per_kg_problem(session, dosing=dosing, answered_kg=answered)
    return [(StopKey.dose_above_plan_max_per_kg, problem, f"weight:{answered}")] if problem else []


def _record_stops(session: Session, dosing: DosingSession) -> list[Stop]:
    episode = session.get(Episode, (dosing.organization_id, dosing.episode_id))
    found: list[Stop] = []
    if episode is None:
        return found
    plan = current_plan(session, episode=episode)
    if plan is None or plan.status != PlanStatus.signed.value:
        found.append((StopKey.plan_not_signed, "The current treatment plan is not signed.", ""))
    if valid_consent(session, episode=episode, route=dosing.route, drug=dosing.drug) is None:
        message = f"No valid consent for {dosing.drug} ({dosing.route})."
        found.append((StopKey.no_valid_consent, message, ""))
    if plan is not None and plan.dose_per_kg is not None:
        found.extend(_weight_stop(session, dosing, plan))
    found.extend(_dose_per_kg_stop(session, dosing))
    if (
        dosing.drug == Drug.esketamine.value
        and rems_enrolment(session, patient_id=dosing.patient_id) is None
    ):
        found.append((StopKey.rems_not_enrolled, "The patient is not enrolled in the REMS.", ""))
    return found


def _day_stops(session: Session, dosing: DosingSession) -> list[Stop]:
    answers = checklist_answers(session, dosing=dosing)
    found = day_checks.day_stops(session, dosing=dosing, answers=answers)
    return [(StopKey(key), message, evidence) for key, message, evidence in found]


def _overrides(session: Session, dosing: DosingSession) -> dict[tuple[str, str], HardStopOverride]:
    rows = session.scalars(select(HardStopOverride).where(HardStopOverride.session_id == dosing.id))
    return {(row.stop_key, row.evidence): row for row in rows}


def _registered_stops(session: Session, dosing: DosingSession) -> list[Stop]:
    return [(key, msg, "") for check in _PRE_DOSE_CHECKS for key, msg in check(session, dosing)]


def pre_dose_hard_stops(session: Session, *, dosing: DosingSession) -> list[HardStop]:
    """Return every named hard stop of the session, with its override when one is recorded."""
    found = [
        *_record_stops(session, dosing),
        *_interval_stop(session, dosing),
        *_vitals_stop(session, dosing),
        *_alert_stop(session, dosing),
        *_checklist_stop(session, dosing),
        *_registered_stops(session, dosing),
        *_day_stops(session, dosing),
    ]
    # An override covers the evidence it was given for: a newer reading re-arms the stop.
    overrides = _overrides(session, dosing)
    return [
        HardStop(
            key=key,
            message=message,
            evidence=evidence,
            override=overrides.get((key.value, evidence)),
        )
        for key, message, evidence in found
    ]


def read_hard_stops(session: Session, *, dosing: DosingSession, by: Principal) -> list[HardStop]:
    """Return the session's hard stops to a clinician, auditing the read."""
    require(by, Permission.dosing_read, "Your role does not allow reading pre-dose checks.")
    audit_session(session, dosing=dosing, action="read_hard_stops", by=by)
    return pre_dose_hard_stops(session, dosing=dosing)


def override_hard_stop(
    session: Session, *, dosing: DosingSession, key: StopKey, reason: str, by: Principal
) -> HardStopOverride:
    """Record a prescriber's written decision to dose despite one present hard stop."""
    require(by, Permission.dosing_override, "Only a prescriber may override a hard stop.")
    require_state(dosing, *PRE_DOSE)
    if len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput("Write the reason in at least 10 characters.", field="reason")
    stops = {stop.key: stop for stop in pre_dose_hard_stops(session, dosing=dosing)}
    stop = stops.get(key)
    if stop is None:
        raise SessionStateRefused(f"There is no {key.value} hard stop to override.")
    if not stop.overridable:
        raise SessionStateRefused(
            f"{key.value} cannot be overridden by any role: {stop.message}. Resolve it instead "
            "(answer the checklist, acknowledge the alert, take a new reading, re-run the "
            "screening, or record a risk assessment)."
        )
    if stop.override is not None:
        raise SessionStateRefused(f"{key.value} is already overridden.")
    override = HardStopOverride(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        stop_key=key.value,
        evidence=stop.evidence,
        reason=reason.strip(),
        prescriber_id=by.user.id,
    )
    session.add(override)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="dosing_session.override_hard_stop",
        resource_type="dosing_session",
        resource_id=dosing.id,
        patient_id=dosing.patient_id,
        detail=key.value,
    )
    return override


def start_dosing(session: Session, *, dosing: DosingSession, by: Principal) -> DosingSession:
    """Start administration once every hard stop is resolved or overridden."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers administer doses.")
    require_state(dosing, SessionState.pre_dose_checks)
    require_no_other_open_session(session, dosing=dosing)
    blocking = [stop for stop in pre_dose_hard_stops(session, dosing=dosing) if stop.blocking]
    if blocking:
        named = "; ".join(f"{stop.key.value}: {stop.message}" for stop in blocking)
        raise HardStopsUnresolved(f"Dosing is held by: {named}")
    now = utcnow()
    move(dosing, SessionState.dosing, by)
    dosing.dosing_started_at = dosing.first_device_at = now
    episode = session.get(Episode, (dosing.organization_id, dosing.episode_id))
    if episode is not None and episode.state == EpisodeState.ready.value:
        record_move(
            session,
            episode=episode,
            to_state=EpisodeState.induction,
            reason="First dosing session started.",
            by=by,
        )
    audit_session(session, dosing=dosing, action="start_dosing", by=by)
    return dosing
