"""The dosing-session API: the flow over HTTP, idempotent readings, refusals as JSON."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role
from openkap.core.time import utcnow
from tests.dosing.builders import NORMAL, ready_episode
from tests.fixtures.factories import bearer, make_org, make_user

LATER = (utcnow() + timedelta(hours=2)).isoformat()


@pytest.fixture
def setting(db):
    org = make_org(db)
    episode = ready_episode(db, org, consent=False)
    heads = {role: bearer(db, make_user(db, org, role)) for role in (Role.nurse, Role.prescriber)}
    return episode, heads[Role.nurse], heads[Role.prescriber]


def _session(client, episode, headers):
    response = client.post(
        f"/api/v1/episodes/{episode.id}/dosing-sessions",
        json={"scheduled_for": LATER},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return f"/api/v1/dosing-sessions/{response.json()['id']}"


def _vitals(reading_id, **values):
    measured = (utcnow() - timedelta(minutes=1)).isoformat()
    return {"client_reading_id": reading_id, "measured_at": measured, **values}


def _through_checklist(client, path, headers):
    assert client.post(f"{path}/check-in", headers=headers).status_code == 200
    answers = {
        "identity_verified": "yes",
        "fasting": "yes",
        "escort_confirmed": "yes",
        "medications_since_last_visit": "none",
        "suicide_risk_check": "no_new_risk",
        "pregnancy_status": "negative_test_today",
        "intention": "Curiosity.",
    }
    for key, value in answers.items():
        sent = client.post(f"{path}/checklist", json={"key": key, "value": value}, headers=headers)
        assert sent.status_code == 201, sent.text


def test_hard_stop_holds_start_until_the_prescriber_overrides(client, setting):
    episode, nurse, prescriber = setting
    path = _session(client, episode, nurse)
    _through_checklist(client, path, nurse)
    client.post(f"{path}/vitals", json=_vitals("pre", **NORMAL), headers=nurse)
    held = client.post(f"{path}/start", headers=nurse)
    assert held.status_code == 409
    assert "no_valid_consent" in held.json()["detail"]
    body = {"stop_key": "no_valid_consent", "reason": "Verbal consent witnessed; paper follows."}
    assert client.post(f"{path}/overrides", json=body, headers=nurse).status_code == 403
    assert client.post(f"{path}/overrides", json=body, headers=prescriber).status_code == 201
    [stop] = client.get(f"{path}/hard-stops", headers=nurse).json()
    assert (stop["key"], stop["blocking"]) == ("no_valid_consent", False)
    started = client.post(f"{path}/start", headers=nurse)
    assert started.status_code == 200, started.text
    assert started.json()["state"] == "dosing"


def test_the_same_reading_sent_twice_returns_the_same_response(client, setting):
    episode, nurse, _ = setting
    path = _session(client, episode, nurse)
    client.post(f"{path}/check-in", headers=nurse)
    body = _vitals("tablet-42", sbp=190, dbp=100, hr=80, spo2=97, rr=14)
    first = client.post(f"{path}/vitals", json=body, headers=nurse)
    again = client.post(f"{path}/vitals", json=body, headers=nurse)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert [a["kind"] for a in first.json()["alerts"]] == ["high_systolic"]
    assert len(client.get(f"{path}/vitals", headers=nurse).json()) == 1


def test_an_implausible_reading_is_422_naming_the_field(client, setting):
    episode, nurse, _ = setting
    path = _session(client, episode, nurse)
    client.post(f"{path}/check-in", headers=nurse)
    response = client.post(f"{path}/vitals", json=_vitals("x", spo2=101), headers=nurse)
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "spo2"
    assert "100" in response.json()["detail"]


def test_malformed_and_unknown_requests_are_refused_cleanly(client, setting):
    episode, nurse, _ = setting
    path = _session(client, episode, nurse)
    unknown = client.get(f"/api/v1/dosing-sessions/{uuid.uuid4()}", headers=nurse)
    assert unknown.status_code == 404
    extra = client.post(f"{path}/abort", json={"reason": "x" * 20, "other": 1}, headers=nurse)
    assert extra.status_code == 422
    naive = client.post(
        f"/api/v1/episodes/{episode.id}/dosing-sessions",
        json={"scheduled_for": "2026-12-01T09:00:00"},
        headers=nurse,
    )
    assert naive.status_code == 422
    assert naive.json()["fields"][0]["name"] == "scheduled_for"


def test_non_numbers_are_422_not_server_errors(client, setting):
    episode, nurse, _ = setting
    nan_dose = client.post(
        f"/api/v1/episodes/{episode.id}/dosing-sessions",
        json={"scheduled_for": LATER, "planned_dose_mg": "NaN"},
        headers=nurse,
    )
    assert nan_dose.status_code == 422
    path = _session(client, episode, nurse)
    client.post(f"{path}/check-in", headers=nurse)
    weight = client.post(
        f"{path}/checklist", json={"key": "weight_kg", "value": "NaN"}, headers=nurse
    )
    assert weight.status_code == 422
    old = (utcnow() - timedelta(days=2)).isoformat()
    stale = client.post(
        f"{path}/vitals",
        json={"client_reading_id": "old", "measured_at": old, "hr": 70},
        headers=nurse,
    )
    assert stale.status_code == 422
    assert stale.json()["fields"][0]["name"] == "measured_at"


def test_recording_a_reading_writes_one_audit_event_naming_the_recording(client, db, setting):
    episode, nurse, _ = setting
    path = _session(client, episode, nurse)
    client.post(f"{path}/check-in", headers=nurse)
    session_id = uuid.UUID(path.rsplit("/", 1)[1])

    def events():
        db.expire_all()
        return db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.resource_id == str(session_id))
            .order_by(AuditEvent.seq)
        ).all()

    before = len(events())
    assert client.post(f"{path}/vitals", json=_vitals("one", **NORMAL), headers=nurse).is_success
    assert events()[before:] == ["dosing_session.record_vitals"]
