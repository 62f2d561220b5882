"""Urgent alerts: raised (e.g. on a suicide-risk response), acknowledged with an action.

An alert is assigned to the patient's primary clinician (the episode's prescriber, else its
therapist, else the patient's recorded primary clinician) and to the clinic's on-call role
(follow-up settings, default prescriber); after the clinic's escalation time (default 30 minutes)
an unacknowledged alert also goes to every clinician (`recipients.py`). Any clinician may
acknowledge it, writing what they did; a suicide-risk alert needs their risk assessment too. The
alert is kept with who acted, when and how. Raising is never refused for the caller's role: a
safety signal must always get through.
"""

import json
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.followup.errors import (
    InvalidFollowupInput,
    RiskAssessmentRequired,
    UrgentAlertClosed,
    UrgentAlertNotFound,
)
from openkap.followup.models import AlertStatus, RiskLevel, UrgentAlert
from openkap.followup.settings.service import rules_in_force
from openkap.patients.errors import PatientNotFound
from openkap.patients.models import Patient

MIN_ACTION = 10
MAX_KIND = 40
MAX_MESSAGE = 2000
SUICIDE_RISK = "suicide_risk"


def _audit(session: Session, alert: UrgentAlert, action: str, by: Principal) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=f"urgent_alert.{action}",
        resource_type="urgent_alert",
        resource_id=alert.id,
        patient_id=alert.patient_id,
        detail=alert.kind,
    )


def _episode_of(session: Session, patient: Patient, episode_id: uuid.UUID | None) -> Episode | None:
    if episode_id is None:
        return None
    episode = session.get(Episode, (patient.organization_id, episode_id))
    if episode is None or episode.patient_id != patient.id:
        raise InvalidFollowupInput(
            "The episode must be a course of care of the same patient.", field="episode_id"
        )
    return episode


def _primary_clinician(patient: Patient, episode: Episode | None) -> uuid.UUID | None:
    if episode is not None and (episode.prescriber_id or episode.therapist_id):
        return episode.prescriber_id or episode.therapist_id
    return patient.primary_clinician_id


def _check_text(kind: str, message: str) -> None:
    if not kind.strip() or len(kind) > MAX_KIND:
        raise InvalidFollowupInput(f"kind: 1 to {MAX_KIND} characters.", field="kind")
    if not message.strip() or len(message) > MAX_MESSAGE:
        raise InvalidFollowupInput(f"message: 1 to {MAX_MESSAGE} characters.", field="message")


def raise_urgent_alert(
    session: Session,
    *,
    patient_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    kind: str,
    message: str,
    evidence: dict[str, object],
    by: Principal,
) -> UrgentAlert:
    """Raise an urgent alert for the patient's primary clinician and the on-call role."""
    patient = session.get(Patient, (by.organization_id, patient_id))
    if patient is None:
        raise PatientNotFound("No such patient.")
    episode = _episode_of(session, patient, episode_id)
    _check_text(kind, message)
    rules, _ = rules_in_force(session, organization_id=patient.organization_id)
    now = utcnow()
    alert = UrgentAlert(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        episode_id=None if episode is None else episode.id,
        kind=kind.strip(),
        message=message.strip(),
        # Stored as JSON: dates, ids and decimals in the evidence are kept as their text.
        evidence=json.loads(json.dumps(evidence, default=str)),
        raised_at=now,
        assignee_id=_primary_clinician(patient, episode),
        on_call_role=rules.on_call_role.value,
        escalates_at=now + timedelta(minutes=rules.escalation_minutes),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(alert)
    session.flush()
    _audit(session, alert, "raise", by)
    return alert


def link_alert_to_response(
    session: Session, *, alert_id: uuid.UUID, response_id: uuid.UUID, by: Principal
) -> UrgentAlert:
    """Record which questionnaire response raised the alert (the same patient's, once)."""
    alert = session.get(UrgentAlert, (by.organization_id, alert_id))
    if alert is None:
        raise UrgentAlertNotFound("No such urgent alert.")
    response = session.get(AssessmentResponse, (by.organization_id, response_id))
    if response is None or response.patient_id != alert.patient_id:
        raise InvalidFollowupInput(
            "The response must be one of the alert's patient.", field="response_id"
        )
    if alert.response_id not in (None, response.id):
        raise InvalidFollowupInput("The alert is linked to another response.", field="response_id")
    alert.response_id, alert.updated_by_id = response.id, by.user.id
    session.flush()
    _audit(session, alert, "link_response", by)
    return alert


def get_urgent_alert(session: Session, *, alert_id: uuid.UUID, by: Principal) -> UrgentAlert:
    """Return an urgent alert of the caller's clinic and audit the read."""
    require(by, Permission.clinical_read, "Only clinicians read urgent alerts.")
    alert = session.get(UrgentAlert, (by.organization_id, alert_id))
    if alert is None:
        raise UrgentAlertNotFound("No such urgent alert.")
    _audit(session, alert, "read", by)
    return alert


def _check_risk_assessment(
    alert: UrgentAlert, risk_level: RiskLevel | None, safety_plan_reviewed: bool | None
) -> None:
    if alert.kind != SUICIDE_RISK:
        return
    missing = [
        name
        for name, value in (
            ("risk_level", risk_level),
            ("safety_plan_reviewed", safety_plan_reviewed),
        )
        if value is None
    ]
    if missing:
        raise RiskAssessmentRequired(
            "suicide_risk_assessment: a suicide-risk alert is acknowledged with the clinician's "
            f"risk assessment; missing: {', '.join(missing)} (risk_level: low, moderate or high; "
            "safety_plan_reviewed: true or false).",
            field=missing[0],
        )


def acknowledge_urgent_alert(
    session: Session,
    *,
    alert_id: uuid.UUID,
    action_taken: str,
    by: Principal,
    risk_level: RiskLevel | None = None,
    safety_plan_reviewed: bool | None = None,
) -> UrgentAlert:
    """Acknowledge an open alert with the action taken (and risk assessment); it is kept."""
    require(by, Permission.urgent_alert_acknowledge, "Only clinicians acknowledge urgent alerts.")
    if len(action_taken.strip()) < MIN_ACTION:
        raise InvalidFollowupInput(
            "Write the action taken in at least 10 characters.", field="action_taken"
        )
    # Locked while it is checked, so two clinicians acting at once cannot both acknowledge it.
    alert = session.scalars(
        select(UrgentAlert)
        .where(UrgentAlert.organization_id == by.organization_id, UrgentAlert.id == alert_id)
        .with_for_update()
    ).first()
    if alert is None:
        raise UrgentAlertNotFound("No such urgent alert.")
    if alert.status != AlertStatus.open.value:
        when = alert.acknowledged_at.isoformat() if alert.acknowledged_at else "earlier"
        raise UrgentAlertClosed(
            f"The alert was already acknowledged ({when}): {alert.action_taken}"
        )
    _check_risk_assessment(alert, risk_level, safety_plan_reviewed)
    if alert.kind == SUICIDE_RISK and risk_level is not None:
        alert.risk_level, alert.safety_plan_reviewed = risk_level.value, safety_plan_reviewed
    alert.status, alert.action_taken = AlertStatus.acknowledged.value, action_taken.strip()
    alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), by.user.id
    alert.updated_by_id = by.user.id
    session.flush()
    _audit(session, alert, "acknowledge", by)
    return alert
