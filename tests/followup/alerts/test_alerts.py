"""Urgent alerts: raised for the primary clinician and the on-call role, acknowledged with an
action, and kept."""

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.followup.alerts.service import (
    acknowledge_urgent_alert,
    get_urgent_alert,
    link_alert_to_response,
    raise_urgent_alert,
)
from openkap.followup.errors import (
    InvalidFollowupInput,
    RiskAssessmentRequired,
    UrgentAlertClosed,
)
from openkap.followup.models import RiskLevel, UrgentAlert
from openkap.followup.settings import service as settings
from tests.followup.builders import course, scored, staff

EVIDENCE = {"instrument": "phq9", "item": 9, "answer": 2}


def raised(db, episode, by, **changes):
    values = {
        "patient_id": episode.patient_id,
        "episode_id": episode.id,
        "kind": "suicide_risk",
        "message": "PHQ-9 item 9 answered 2 in the portal.",
        "evidence": EVIDENCE,
    }
    return raise_urgent_alert(db, **{**values, **changes}, by=by)


def test_the_alert_goes_to_the_prescriber_and_the_on_call_role(db, org, prescriber, therapist):
    episode = course(db, org, prescriber=prescriber, therapist=therapist)
    alert = raised(db, episode, staff(db, org, Role.patient))
    assert (alert.assignee_id, alert.on_call_role, alert.status) == (
        prescriber.user.id,
        "prescriber",
        "open",
    )
    assert alert.evidence == EVIDENCE


def test_without_a_prescriber_the_therapist_is_assigned(db, org, therapist):
    episode = course(db, org, therapist=therapist)
    assert raised(db, episode, therapist).assignee_id == therapist.user.id


def test_the_clinic_chooses_its_on_call_role(db, org, admin, nurse):
    settings.save_settings(
        db, values={"on_call_role": "nurse"}, reason="Nurses cover the phone.", by=admin
    )
    assert raised(db, course(db, org), nurse).on_call_role == "nurse"


def test_an_episode_of_another_patient_is_refused(db, org, nurse):
    episode, other = course(db, org), course(db, org)
    with pytest.raises(InvalidFollowupInput) as refused:
        raised(db, episode, nurse, episode_id=other.id)
    assert refused.value.field == "episode_id"


ASSESSED = {"risk_level": RiskLevel.low, "safety_plan_reviewed": True}


def test_an_alert_is_acknowledged_once_with_the_action_and_kept(db, org, nurse, therapist):
    alert = raised(db, course(db, org), nurse)
    with pytest.raises(InvalidFollowupInput):
        acknowledge_urgent_alert(db, alert_id=alert.id, action_taken="ok", by=therapist, **ASSESSED)
    done = acknowledge_urgent_alert(
        db,
        alert_id=alert.id,
        action_taken="Called the patient; safety plan reviewed.",
        by=therapist,
        **ASSESSED,
    )
    assert (done.status, done.acknowledged_by_id) == ("acknowledged", therapist.user.id)
    assert (done.risk_level, done.safety_plan_reviewed) == ("low", True)
    with pytest.raises(UrgentAlertClosed, match="safety plan"):
        acknowledge_urgent_alert(
            db, alert_id=alert.id, action_taken="Called again the same day.", by=nurse, **ASSESSED
        )
    assert db.get(UrgentAlert, (org.id, alert.id)).action_taken.startswith("Called the patient")


def test_a_suicide_risk_alert_needs_the_clinicians_risk_assessment(db, org, nurse):
    alert = raised(db, course(db, org), nurse)
    action = "Called the patient; safety plan reviewed."
    with pytest.raises(RiskAssessmentRequired, match="risk_level, safety_plan_reviewed"):
        acknowledge_urgent_alert(db, alert_id=alert.id, action_taken=action, by=nurse)
    with pytest.raises(RiskAssessmentRequired) as refused:
        acknowledge_urgent_alert(
            db, alert_id=alert.id, action_taken=action, risk_level=RiskLevel.high, by=nurse
        )
    assert refused.value.field == "safety_plan_reviewed"
    assert db.get(UrgentAlert, (org.id, alert.id)).status == "open"


def test_other_alerts_are_acknowledged_with_the_action_alone(db, org, nurse):
    alert = raised(db, course(db, org), nurse, kind="missed_contact")
    done = acknowledge_urgent_alert(
        db, alert_id=alert.id, action_taken="Reached the patient by phone.", by=nurse
    )
    assert (done.status, done.risk_level) == ("acknowledged", None)


def test_front_desk_neither_reads_nor_acknowledges_alerts(db, org, nurse, front_desk):
    alert = raised(db, course(db, org), nurse)
    with pytest.raises(Forbidden):
        get_urgent_alert(db, alert_id=alert.id, by=front_desk)
    with pytest.raises(Forbidden):
        acknowledge_urgent_alert(
            db, alert_id=alert.id, action_taken="Passed a message on.", by=front_desk
        )


def test_the_alert_keeps_the_response_that_raised_it(db, org, nurse):
    episode = course(db, org)
    alert = raised(db, episode, nurse)
    answer = scored(db, episode, "phq9", 14, utcnow())
    assert link_alert_to_response(db, alert_id=alert.id, response_id=answer.id, by=nurse) is alert
    assert alert.response_id == answer.id
    other = scored(db, course(db, org), "phq9", 14, utcnow())
    with pytest.raises(InvalidFollowupInput) as refused:
        link_alert_to_response(db, alert_id=alert.id, response_id=other.id, by=nurse)
    assert refused.value.field == "response_id"
