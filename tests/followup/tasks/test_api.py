"""The follow-up JSON API: inbox, due questionnaires, schedules, reviews, maintenance, settings,
urgent alerts; versions, refusals and the fields they name."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from openkap.core.time import utcnow
from openkap.followup.alerts.service import raise_urgent_alert
from openkap.followup.models import DueItem
from openkap.followup.reviews.relapse import evaluate_relapse
from openkap.followup.schedule.regenerate import regenerate_schedule
from tests.fixtures.factories import bearer
from tests.followup.builders import course, scored, session_at


@pytest.fixture
def dosed(db, org, prescriber):
    """A course dosed 30 hours ago: its 24-hour questionnaires are overdue."""
    episode = course(db, org, prescriber=prescriber)
    session_at(db, episode, utcnow() - timedelta(hours=30))
    return episode


@pytest.fixture
def relapsed(db, org, prescriber):
    episode = course(db, org, prescriber=prescriber)
    first = utcnow() - timedelta(days=16)
    session_at(db, episode, first)
    # 15 is above the response line (10); 16 a week later confirms it: a relapse.
    for days, total in ((-1, 20), (2, 8), (6, 15), (13, 16)):
        scored(db, episode, "phq9", total, first + timedelta(days=days))
    return evaluate_relapse(db, episode_id=episode.id, by=prescriber)


def test_the_inbox_counts_and_lists_overdue_questionnaires(db, client, prescriber, dosed):
    headers = bearer(db, prescriber.user)
    body = client.get("/api/v1/tasks?category=questionnaires", headers=headers).json()
    assert body["view"] == "mine"
    assert body["counts"]["questionnaires"] == 2
    assert {item["status"] for item in body["items"]} == {"overdue"}
    assert {item["link"] for item in body["items"]} == {f"/episodes/{dosed.id}/follow-up"}


def test_an_unknown_category_is_refused_naming_the_allowed_ones(db, client, front_desk):
    response = client.get("/api/v1/tasks?category=reviews", headers=bearer(db, front_desk.user))
    assert response.status_code == 422
    assert "questionnaires" in response.json()["detail"]


def test_a_patients_due_questionnaires(db, client, front_desk, dosed):
    response = client.get(
        f"/api/v1/patients/{dosed.patient_id}/due-questionnaires",
        headers=bearer(db, front_desk.user),
    )
    assert response.status_code == 200
    assert sorted(q["instrument_id"] for q in response.json()) == ["gad7", "phq9"]


def test_the_schedule_of_an_episode_is_paginated(db, client, nurse, dosed):
    headers = bearer(db, nurse.user)
    url = f"/api/v1/episodes/{dosed.id}/follow-up"
    everything = client.get(url, headers=headers).json()
    assert len(everything) == 7
    page = client.get(f"{url}?limit=2&offset=2", headers=headers).json()
    assert [i["id"] for i in page] == [i["id"] for i in everything[2:4]]


def test_marking_an_item_done_with_a_response(db, client, front_desk, dosed):
    regenerate_schedule(db, episode_id=dosed.id, now=utcnow())
    item = db.scalars(
        select(DueItem).where(
            DueItem.episode_id == dosed.id,
            DueItem.anchor == "first-dose:24h",
            DueItem.instrument_id == "phq9",
        )
    ).one()
    response_row = scored(db, dosed, "phq9", 11, utcnow() - timedelta(hours=1))
    response = client.post(
        f"/api/v1/due-items/{item.id}/done",
        json={"response_id": str(response_row.id)},
        headers=bearer(db, front_desk.user),
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["response_id"]) == (
        "done",
        str(response_row.id),
    )


def test_a_review_decision_needs_the_version_it_was_read_at(db, client, prescriber, relapsed):
    headers = bearer(db, prescriber.user)
    url = f"/api/v1/reviews/{relapsed.id}"
    read = client.get(url, headers=headers)
    assert read.headers["etag"] == '"1"'
    assert read.json()["evidence"]["rule"] == "relapse_confirmed"
    body = {"decision": "maintenance", "reason": "Monthly maintenance infusions."}
    assert client.post(f"{url}/decision", json=body, headers=headers).status_code == 428
    stale = client.post(f"{url}/decision", json=body, headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 409
    done = client.post(f"{url}/decision", json=body, headers={**headers, "If-Match": '"1"'})
    assert done.status_code == 200
    assert (done.json()["decision"], done.headers["etag"]) == ("maintenance", '"2"')


def test_an_unknown_decision_is_refused_naming_the_field(db, client, prescriber, relapsed):
    response = client.post(
        f"/api/v1/reviews/{relapsed.id}/decision",
        json={"decision": "more", "reason": "Monthly maintenance infusions."},
        headers={**bearer(db, prescriber.user), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert [f["name"] for f in response.json()["fields"]] == ["decision"]


def test_a_relapse_check_reports_the_open_review(db, client, nurse, relapsed):
    response = client.post(
        f"/api/v1/episodes/{relapsed.episode_id}/relapse-check", headers=bearer(db, nurse.user)
    )
    assert response.json() == {"opened": None, "open_review_id": str(relapsed.id)}


def test_approving_a_maintenance_course_and_reading_what_it_allows(db, client, org, prescriber):
    episode = course(db, org, state="maintenance")
    headers = bearer(db, prescriber.user)
    url = f"/api/v1/episodes/{episode.id}"
    assert client.get(f"{url}/maintenance", headers=headers).json()["allows_today"] is False
    today = utcnow().date()
    body = {
        "sessions_approved": 3,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
        "reason": "Booster course after relapse.",
    }
    created = client.post(f"{url}/maintenance-approvals", json=body, headers=headers)
    assert created.status_code == 201
    state = client.get(f"{url}/maintenance", headers=headers).json()
    assert (state["allows_today"], state["sessions_used"]) == (True, 0)
    assert state["in_force"]["id"] == created.json()["id"]
    backwards = {**body, "ends_on": (today - timedelta(days=1)).isoformat()}
    refused = client.post(f"{url}/maintenance-approvals", json=backwards, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["name"] == "ends_on"


def test_settings_are_saved_as_versions_and_a_stale_edit_is_refused(db, client, admin):
    headers = bearer(db, admin.user)
    assert client.get("/api/v1/followup-settings", headers=headers).json()["version"] == 0
    body = {
        "values": {"after_induction_weeks": [2, 6]},
        "reason": "Fewer visits.",
        "base_version": 0,
    }
    saved = client.put("/api/v1/followup-settings", json=body, headers=headers)
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["values"]["after_induction_weeks"]) == (1, [2, 6])
    assert client.put("/api/v1/followup-settings", json=body, headers=headers).status_code == 409
    wrong = {"values": {"instruments": ["madrs"]}, "reason": "Clinician-rated only."}
    refused = client.put("/api/v1/followup-settings", json=wrong, headers=headers)
    assert refused.status_code == 422
    assert "clinician-rated" in refused.json()["detail"]


def test_an_urgent_alert_is_acknowledged_once(db, client, org, nurse, therapist):
    alert = raise_urgent_alert(
        db,
        patient_id=course(db, org).patient_id,
        episode_id=None,
        kind="suicide_risk",
        message="C-SSRS screener: high risk.",
        evidence={"risk_level": "high"},
        by=nurse,
    )
    headers = bearer(db, therapist.user)
    url = f"/api/v1/urgent-alerts/{alert.id}"
    assert client.get(url, headers=headers).json()["status"] == "open"
    action = {"action_taken": "Called; patient safe with partner tonight."}
    unassessed = client.post(f"{url}/acknowledge", json=action, headers=headers)
    assert unassessed.status_code == 422
    assert unassessed.json()["error"] == "RiskAssessmentRequired"
    assert "suicide_risk_assessment" in unassessed.json()["detail"]
    action |= {"risk_level": "moderate", "safety_plan_reviewed": True}
    first = client.post(f"{url}/acknowledge", json=action, headers=headers)
    assert (first.status_code, first.json()["status"]) == (200, "acknowledged")
    assert (first.json()["risk_level"], first.json()["safety_plan_reviewed"]) == ("moderate", True)
    assert client.post(f"{url}/acknowledge", json=action, headers=headers).status_code == 409
