"""What finds each pre-dose hard stop in the records: the plan, consent, REMS, weight, the
interval since the last dose, the newest pre-dose reading and its ceilings, unacknowledged
alerts, the checklist and the day's answers. Each finding carries the evidence it was raised on.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.time import utcnow
from openkap.dosing.chair import day_checks
from openkap.dosing.chair.day_weight import dose_per_kg_problem
from openkap.dosing.chair.stop_keys import (
    CEILING_DBP,
    CEILING_SBP,
    CEILING_SPO2_BELOW,
    CONFIRMATIONS,
    REQUIRED,
    ChecklistKey,
    Stop,
    StopKey,
)
from openkap.dosing.models import ChecklistItem, DosingSession, SessionAlert, VitalSigns
from openkap.dosing.thresholds.rules import VitalReading, pre_dose_hold_reasons
from openkap.dosing.thresholds.service import clinic_thresholds
from openkap.episodes.models import Episode
from openkap.plans.models import Drug, PlanStatus, ProtocolTemplate, TreatmentPlan
from openkap.plans.readiness import current_plan, rems_enrolment, valid_consent
from openkap.plans.treatment.service import recent_weight


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


def checklist_stop(session: Session, dosing: DosingSession) -> list[Stop]:
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


def vitals_stop(session: Session, dosing: DosingSession) -> list[Stop]:
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


def alert_stop(session: Session, dosing: DosingSession) -> list[Stop]:
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


def interval_stop(session: Session, dosing: DosingSession) -> list[Stop]:
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


def record_stops(session: Session, dosing: DosingSession) -> list[Stop]:
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


def day_stops(session: Session, dosing: DosingSession) -> list[Stop]:
    answers = checklist_answers(session, dosing=dosing)
    found = day_checks.day_stops(session, dosing=dosing, answers=answers)
    return [(StopKey(key), message, evidence) for key, message, evidence in found]
