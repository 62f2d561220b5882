"""Administering instruments: scored by openkap.instruments, stored JSON-safe, listed, audited."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from openkap.assessments import service
from openkap.assessments.errors import InvalidResponse, UnknownInstrument, WrongRespondent
from openkap.assessments.schemas import AssessmentRead, CompletedBy
from openkap.core.audit.chain import AuditEvent
from openkap.core.errors import InvalidState
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.patients.models import Patient
from tests.fixtures.factories import bearer, make_episode, make_org, make_user

PHQ9 = [2, 2, 1, 1, 1, 1, 1, 1, 0, 1]


@pytest.fixture
def setting(db):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    patient = db.get(Patient, (org.id, episode.patient_id))
    by = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    return patient, episode, by


def _record(db, setting, instrument_id="phq9", answers=PHQ9, completed_by="patient", **extra):
    patient, episode, by = setting
    return service.record_response(
        db,
        patient=patient,
        episode=episode,
        instrument_id=instrument_id,
        answers=answers,
        completed_by=CompletedBy(completed_by),
        by=by,
        **extra,
    )


def test_a_response_is_stored_with_total_severity_flags_and_instrument_version(db, setting):
    response = _record(db, setting)
    assert (response.total, response.severity, response.flags) == (10, "moderate", [])
    assert response.instrument_version == "1.0.0"
    assert response.answers == PHQ9
    # Only items 1 and 2 reach "more than half the days": no major depressive syndrome.
    assert response.scores["provisional_diagnosis"] is False
    assert json.loads(json.dumps(response.scores)) == response.scores


def test_phq9_item_9_raises_the_suicide_risk_flag(db, setting):
    response = _record(db, setting, answers=[0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    assert response.flags == ["suicide_risk"]
    assert AssessmentRead.model_validate(response).suicide_risk is True


def test_cssrs_screener_stores_the_risk_level(db, setting):
    response = _record(db, setting, "cssrs_screener", [1, 1, 0, 1, 0, 0], completed_by="clinician")
    assert response.total is None
    assert response.scores["risk_level"] == "high"
    assert AssessmentRead.model_validate(response).suicide_risk is True


def test_answers_may_be_given_by_item_number(db, setting):
    answers = {str(n): value for n, value in enumerate(PHQ9, start=1)}
    assert _record(db, setting, answers=answers).total == 10


def test_an_answer_out_of_range_is_refused_naming_the_item_and_allowed_values(db, setting):
    with pytest.raises(InvalidResponse) as refused:
        _record(db, setting, answers=[0, 0, 0, 4, 0, 0, 0, 0, 0, 0])
    assert refused.value.field == "answers.4"
    assert "item 4" in refused.value.message
    assert "allowed values: 0-3" in refused.value.message


def test_a_missing_safety_item_is_refused(db, setting):
    with pytest.raises(InvalidResponse) as refused:
        _record(db, setting, answers=[0, 0, 0, 0, 0, 0, 0, 0, None, 0])
    assert refused.value.field == "answers.9"


def test_a_wrong_number_of_answers_is_refused_on_the_answers_field(db, setting):
    with pytest.raises(InvalidResponse) as refused:
        _record(db, setting, answers=[0, 1])
    assert refused.value.field == "answers"


def test_an_unknown_instrument_is_refused(db, setting):
    with pytest.raises(UnknownInstrument) as refused:
        _record(db, setting, instrument_id="beck")
    assert refused.value.field == "instrument_id"


def test_a_clinician_rated_scale_cannot_be_completed_by_the_patient(db, setting):
    with pytest.raises(WrongRespondent):
        _record(db, setting, "madrs", [3] * 10, completed_by="patient")
    assert _record(db, setting, "madrs", [3] * 10, completed_by="clinician").total == 30


def test_a_response_cannot_hang_on_another_patients_episode(db, setting):
    patient, _, by = setting
    other = make_episode(db, make_org(db))
    with pytest.raises(InvalidState):
        service.record_response(
            db,
            patient=patient,
            episode=other,
            instrument_id="gad7",
            answers=[0] * 7,
            completed_by=CompletedBy.patient,
            by=by,
        )


def test_list_returns_newest_first_and_filters_by_episode(db, setting):
    patient, _, by = setting
    older = _record(db, setting, completed_at=datetime(2026, 1, 2, tzinfo=UTC))
    newer = _record(db, setting, "gad7", [1] * 7, completed_at=datetime(2026, 1, 9, tzinfo=UTC))
    assert service.list_responses(db, patient=patient, by=by) == [newer, older]
    other = make_episode(db, by.user.organization, patient=patient)
    assert service.list_responses(db, patient=patient, episode=other, by=by) == []


def _post(client, episode, headers, **body):
    payload = {"instrument_id": "phq9", "answers": PHQ9, "completed_by": "patient", **body}
    return client.post(f"/api/v1/episodes/{episode.id}/assessments", json=payload, headers=headers)


def test_baseline_instrument_through_the_api_is_scored_listed_and_audited(db, client, setting):
    patient, episode, by = setting
    headers = bearer(db, by.user)
    created = _post(client, episode, headers, answers=[1, 1, 1, 1, 1, 1, 1, 1, 1, 0])
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["total"], body["severity"], body["suicide_risk"]) == (9, "mild", True)
    listed = client.get(f"/api/v1/episodes/{episode.id}/assessments", headers=headers).json()
    assert [r["id"] for r in listed] == [body["id"]]
    actions = {
        e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.patient_id == patient.id))
    }
    assert {"assessment.create", "assessment.list"} <= actions


def test_api_refuses_bad_answers_naming_the_item_and_allowed_values(db, client, setting):
    _, episode, by = setting
    response = _post(client, episode, bearer(db, by.user), answers=[0, 0, 0, 0, 0, 0, 0, 0, 7, 0])
    assert response.status_code == 422
    field = response.json()["fields"][0]
    assert field["name"] == "answers.9"
    assert "allowed values: 0-3" in field["message"]


@pytest.mark.parametrize("answers", [[True] * 10, [1.5] * 10, ["1"] * 10])
def test_api_refuses_answers_that_are_not_whole_numbers(db, client, setting, answers):
    _, episode, by = setting
    response = _post(client, episode, bearer(db, by.user), answers=answers)
    assert response.status_code == 422


def test_api_offers_only_baseline_instruments_at_intake(db, client, setting):
    _, episode, by = setting
    response = _post(
        client,
        episode,
        bearer(db, by.user),
        instrument_id="moaas",
        answers=[5],
        completed_by="clinician",
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "instrument_id"


@pytest.mark.parametrize("completed_at", ["2026-01-09T10:00:00", "2999-01-01T10:00:00+00:00"])
def test_api_refuses_a_completion_time_without_zone_or_in_the_future(
    db, client, setting, completed_at
):
    _, episode, by = setting
    response = _post(client, episode, bearer(db, by.user), completed_at=completed_at)
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "completed_at"
