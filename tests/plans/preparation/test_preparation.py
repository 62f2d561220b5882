"""Preparation: REMS enrolment, PDMP, drug screen, escort plan and preparation sessions."""

from datetime import timedelta

import pytest

from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_episode, make_org, make_user
from tests.plans.builders import TODAY, now


@pytest.fixture
def clinic(db):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    therapist = make_user(db, org, Role.therapist)
    episode = make_episode(db, org, state="preparing")
    episode.therapist_id = therapist.id
    db.flush()
    return org, nurse, therapist, episode


def post(client, db, user, path, body):
    return client.post(path, json=body, headers=bearer(db, user))


def test_rems_enrolment_is_recorded_once_per_patient(db, client, clinic):
    _, nurse, _, episode = clinic
    path = f"/api/v1/episodes/{episode.id}/rems-enrolment"
    body = {"rems_patient_id": "REMS-123456", "enrolled_on": TODAY.isoformat()}
    first = post(client, db, nurse, path, body)
    assert first.status_code == 201, first.text
    assert first.json()["patient_id"] == str(episode.patient_id)
    assert post(client, db, nurse, path, body).status_code == 409


def test_a_wrong_rems_enrolment_is_marked_in_error_and_can_be_recorded_again(db, client, clinic):
    _, nurse, _, episode = clinic
    path = f"/api/v1/episodes/{episode.id}/rems-enrolment"
    first = post(
        client, db, nurse, path, {"rems_patient_id": "WRONG-1", "enrolled_on": TODAY.isoformat()}
    )
    retired = post(
        client,
        db,
        nurse,
        f"/api/v1/rems-enrolments/{first.json()['id']}/entered-in-error",
        {"reason": "Typed the wrong REMS id"},
    )
    assert retired.json()["status"] == "entered-in-error"
    again = post(
        client, db, nurse, path, {"rems_patient_id": "RIGHT-2", "enrolled_on": TODAY.isoformat()}
    )
    assert again.status_code == 201


def test_therapists_do_not_record_rems_enrolment(db, client, clinic):
    _, _, therapist, episode = clinic
    response = post(
        client,
        db,
        therapist,
        f"/api/v1/episodes/{episode.id}/rems-enrolment",
        {"rems_patient_id": "REMS-1", "enrolled_on": TODAY.isoformat()},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "pdmp", "result": "concerns"}, "details"),
        ({"kind": "pdmp", "result": "negative"}, "result"),
        ({"kind": "urine_drug_screen", "result": "positive"}, "substances"),
        ({"kind": "urine_drug_screen", "result": "negative", "substances": ["THC"]}, "substances"),
        ({"kind": "escort_plan", "details": "Partner drives"}, "escort_name"),
        ({"kind": "pdmp", "result": "no_concerns", "escort_name": "Sam"}, "escort_name"),
        ({"kind": "hair_test", "result": "negative"}, "kind"),
    ],
)
def test_preparation_checks_refuse_incomplete_findings_naming_the_field(
    db, client, clinic, body, field
):
    _, nurse, _, episode = clinic
    response = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-checks",
        {"performed_on": TODAY.isoformat(), **body},
    )
    assert response.status_code == 422, response.text
    assert field in [f["name"] for f in response.json()["fields"]]


def test_pdmp_drug_screen_and_escort_plan_are_recorded_and_summarised(db, client, clinic):
    _, nurse, therapist, episode = clinic
    path = f"/api/v1/episodes/{episode.id}/preparation-checks"
    day = TODAY.isoformat()
    checks = [
        {"kind": "pdmp", "performed_on": day, "result": "no_concerns"},
        {
            "kind": "urine_drug_screen",
            "performed_on": day,
            "result": "positive",
            "substances": ["THC"],
        },
        {
            "kind": "escort_plan",
            "performed_on": day,
            "escort_name": "Sam Okonkwo",
            "escort_phone": "+1 503 555 0100",
            "relationship": "partner",
            "details": "Sam collects Ada at 13:00 and stays overnight.",
        },
    ]
    for body in checks:
        assert post(client, db, nurse, path, body).status_code == 201
    found = client.get(
        f"/api/v1/episodes/{episode.id}/preparation", headers=bearer(db, therapist)
    ).json()
    by_kind = {c["kind"]: c for c in found["checks"]}
    assert by_kind["urine_drug_screen"]["findings"] == {"substances": ["THC"]}
    assert by_kind["escort_plan"]["result"] == "arranged"
    assert by_kind["escort_plan"]["findings"]["relationship"] == "partner"
    assert found["missing_for_ready"] == ["screening clearance", "a treatment plan"]


def test_a_wrong_check_is_marked_in_error_not_deleted(db, client, clinic):
    _, nurse, _, episode = clinic
    created = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-checks",
        {"kind": "pdmp", "performed_on": TODAY.isoformat(), "result": "no_concerns"},
    ).json()
    path = f"/api/v1/preparation-checks/{created['id']}/entered-in-error"
    retired = post(client, db, nurse, path, {"reason": "Wrong patient"})
    assert retired.json()["status"] == "entered-in-error"
    assert post(client, db, nurse, path, {"reason": "again"}).status_code == 409


def test_preparation_session_is_scheduled_with_the_therapist_and_completed(db, client, clinic):
    _, nurse, therapist, episode = clinic
    when = (now() + timedelta(days=2)).isoformat()
    scheduled = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-sessions",
        {"scheduled_for": when},
    )
    assert scheduled.status_code == 201
    assert scheduled.json()["clinician_id"] == str(therapist.id)
    assert scheduled.json()["status"] == "planned"
    path = f"/api/v1/preparation-sessions/{scheduled.json()['id']}/complete"
    notes = {
        "intentions": "To feel less stuck with grief.",
        "education_given": "Effects, timeline, blood pressure, no driving.",
        "set_and_setting": "Quiet room, eyeshade, own playlist.",
    }
    done = post(client, db, therapist, path, notes)
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    assert done.json()["set_and_setting"] == "Quiet room, eyeshade, own playlist."
    assert post(client, db, therapist, path, notes).status_code == 409


def test_completing_a_session_needs_intentions_education_and_setting(db, client, clinic):
    _, nurse, _, episode = clinic
    scheduled = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-sessions",
        {"scheduled_for": now().isoformat()},
    ).json()
    response = post(
        client, db, nurse, f"/api/v1/preparation-sessions/{scheduled['id']}/complete", {}
    )
    names = {f["name"] for f in response.json()["fields"]}
    assert {"intentions", "education_given", "set_and_setting"} <= names


def test_a_cancelled_session_keeps_the_reason(db, client, clinic):
    _, nurse, _, episode = clinic
    scheduled = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-sessions",
        {"scheduled_for": now().isoformat()},
    ).json()
    cancelled = post(
        client,
        db,
        nurse,
        f"/api/v1/preparation-sessions/{scheduled['id']}/cancel",
        {"reason": "Patient unwell"},
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["summary"] == "Cancelled: Patient unwell"


def test_a_session_with_a_non_clinician_is_refused(db, client, clinic):
    org, nurse, _, episode = clinic
    desk = make_user(db, org, Role.front_desk)
    response = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-sessions",
        {"scheduled_for": now().isoformat(), "clinician_id": str(desk.id)},
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "clinician_id"


def test_a_naive_session_time_is_refused(db, client, clinic):
    _, nurse, _, episode = clinic
    response = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-sessions",
        {"scheduled_for": "2026-05-01T10:00:00"},
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "scheduled_for"


@pytest.mark.parametrize("when", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_a_session_time_outside_the_scheduling_window_is_refused(db, client, clinic, when):
    _, nurse, _, episode = clinic
    response = post(
        client,
        db,
        nurse,
        f"/api/v1/episodes/{episode.id}/preparation-sessions",
        {"scheduled_for": when},
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "scheduled_for"
