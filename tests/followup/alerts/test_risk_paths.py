"""Rule 5: every stored response with a suicide-risk flag raises the same urgent alert, whatever
the path (staff entry through the service, the API and the page; the portal), once, linked to the
response, assigned to the primary clinician and the on-call role. No import path exists yet: an
import would store through `record_response` and meet the same listener."""

import pytest
from sqlalchemy import func, select

from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import AssessmentCreate, CompletedBy
from openkap.assessments.service import record_response
from openkap.followup.alerts import service as alerts
from openkap.followup.models import UrgentAlert
from openkap.intake.record.overview import record_baseline
from openkap.patients.models import Patient
from tests.fixtures.factories import bearer, csrf_from, web_login
from tests.followup.builders import course

PHQ9_ITEM9 = [0, 1, 1, 1, 0, 0, 0, 0, 1, 0]
RISK_ANSWERS = [
    ("phq9", PHQ9_ITEM9, "patient", "item 9 answered 1"),
    ("qids_sr16", [0] * 11 + [1] + [0] * 4, "patient", "item 12 answered 1"),
    ("madrs", [2] * 9 + [4], "clinician", "item 10 answered 4"),
    ("cssrs_screener", [1, 1, 1, 0, 0, 0], "clinician", "risk level moderate"),
]
NO_RISK = [
    ("phq9", [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], "patient"),
    ("madrs", [2] * 9 + [3], "clinician"),
    ("cssrs_screener", [0, 0, None, None, None, 0], "clinician"),
]


def _alerts(db, patient_id):
    return db.scalars(select(UrgentAlert).where(UrgentAlert.patient_id == patient_id)).all()


def _baseline(db, episode, by, instrument_id, answers, completed_by):
    data = AssessmentCreate(
        instrument_id=instrument_id, answers=answers, completed_by=CompletedBy(completed_by)
    )
    return record_baseline(db, episode=episode, data=data, by=by)


@pytest.mark.parametrize(("instrument_id", "answers", "completed_by", "said"), RISK_ANSWERS)
def test_staff_entry_of_a_risk_response_raises_one_urgent_alert(
    db, org, prescriber, nurse, instrument_id, answers, completed_by, said
):
    episode = course(db, org, state="intake", prescriber=prescriber)
    response = _baseline(db, episode, nurse, instrument_id, answers, completed_by)
    [alert] = _alerts(db, episode.patient_id)
    assert (alert.kind, alert.status, alert.response_id) == ("suicide_risk", "open", response.id)
    assert (alert.assignee_id, alert.on_call_role) == (prescriber.user.id, "prescriber")
    assert said in alert.message
    assert alert.evidence["source"] == "clinic"
    assert alert.evidence["response_id"] == str(response.id)
    assert alert.escalates_at is not None


@pytest.mark.parametrize(("instrument_id", "answers", "completed_by"), NO_RISK)
def test_a_response_without_a_risk_answer_raises_no_alert(
    db, org, nurse, instrument_id, answers, completed_by
):
    episode = course(db, org, state="intake")
    _baseline(db, episode, nurse, instrument_id, answers, completed_by)
    assert _alerts(db, episode.patient_id) == []


def test_without_an_episode_the_patients_primary_clinician_is_assigned(db, org, nurse, therapist):
    episode = course(db, org)
    patient = db.get(Patient, (org.id, episode.patient_id))
    patient.primary_clinician_id = therapist.user.id
    record_response(
        db,
        patient=patient,
        episode=None,
        instrument_id="phq9",
        answers=PHQ9_ITEM9,
        completed_by=CompletedBy.patient,
        setting="import",
        by=nurse,
    )
    [alert] = _alerts(db, patient.id)
    assert alert.assignee_id == therapist.user.id
    assert "(imported)" in alert.message


def test_a_failing_alert_refuses_the_store(db, org, nurse, monkeypatch):
    def unavailable(*args, **kwargs):
        raise RuntimeError("alerts store unavailable")

    monkeypatch.setattr(alerts, "raise_urgent_alert", unavailable)
    episode = course(db, org, state="intake")
    with pytest.raises(RuntimeError):
        _baseline(db, episode, nurse, "phq9", PHQ9_ITEM9, "patient")


def test_staff_entry_through_the_api_raises_the_alert(db, client, org, prescriber, nurse):
    episode = course(db, org, state="intake", prescriber=prescriber)
    body = {"instrument_id": "madrs", "answers": [3] * 9 + [5], "completed_by": "clinician"}
    stored = client.post(
        f"/api/v1/episodes/{episode.id}/assessments", json=body, headers=bearer(db, nurse.user)
    )
    assert stored.status_code == 201
    assert stored.json()["suicide_risk"] is True
    [alert] = _alerts(db, episode.patient_id)
    assert alert.response_id is not None
    assert str(alert.response_id) == stored.json()["id"]
    read = client.get(f"/api/v1/urgent-alerts/{alert.id}", headers=bearer(db, prescriber.user))
    assert read.json()["evidence"]["items"] == [
        {"item": 10, "value": 5, "rule": "item 10 (thoughts of suicide) >= 4: alert"}
    ]


def test_staff_entry_through_the_page_raises_the_alert(db, client, org, prescriber, nurse):
    episode = course(db, org, state="intake", prescriber=prescriber)
    web_login(client, nurse.user.email)
    url = f"/episodes/{episode.id}/intake/instruments/phq9"
    form = {"completed_by": "patient", "csrf_token": csrf_from(client.get(url).text)}
    form |= {f"item_{n}": str(v) for n, v in enumerate(PHQ9_ITEM9, start=1)}
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    stored = db.scalar(
        select(func.count()).where(AssessmentResponse.patient_id == episode.patient_id)
    )
    assert stored == 1
    [alert] = _alerts(db, episode.patient_id)
    assert alert.response_id is not None
