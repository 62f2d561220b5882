"""Episodes through the JSON API and the pages."""

from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role
from tests.episodes.builders import screened
from tests.fixtures.factories import (
    bearer,
    make_episode,
    make_org,
    make_patient,
    make_user,
    web_login,
)

REFERRAL = {
    "referral_reason": "Recurrent depression, two failed SSRIs",
    "referred_by": "Dr. Lee (GP)",
    "referred_on": "2026-01-05",
}


def test_open_episode_starts_referred_with_a_first_history_step(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.therapist))
    created = client.post(f"/api/v1/patients/{patient.id}/episodes", json=REFERRAL, headers=headers)
    assert created.status_code == 201
    episode_id = created.json()["id"]
    assert created.json()["state"] == "referred"
    steps = client.get(f"/api/v1/episodes/{episode_id}/transitions", headers=headers).json()
    assert [(s["from_state"], s["to_state"]) for s in steps] == [("", "referred")]


def test_episode_detail_lists_next_steps_with_blockers(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="eligible")
    headers = bearer(db, make_user(db, org, Role.nurse))
    detail = client.get(f"/api/v1/episodes/{episode.id}", headers=headers).json()
    steps = {s["to_state"]: s["blocked_by"] for s in detail["next_steps"]}
    assert steps["preparing"] == ["suitability screening not run"]
    assert steps["on_hold"] == []


def test_move_records_who_when_why_and_from_where(db, client):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    episode = make_episode(db, org, state="referred")
    response = client.post(
        f"/api/v1/episodes/{episode.id}/transitions",
        json={"to_state": "intake", "reason": "intake booked"},
        headers=bearer(db, nurse),
    )
    assert response.status_code == 200
    assert response.json()["state"] == "intake"
    step = client.get(
        f"/api/v1/episodes/{episode.id}/transitions", headers=bearer(db, nurse)
    ).json()[-1]
    assert (step["from_state"], step["to_state"], step["by_id"], step["reason"]) == (
        "referred",
        "intake",
        str(nurse.id),
        "intake booked",
    )
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.patient_id == episode.patient_id)
    )
    assert "episode.transition" in list(actions)


def test_refused_move_is_a_409_naming_what_is_missing(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="eligible")
    screened(db, episode, outcome="needs_review")
    response = client.post(
        f"/api/v1/episodes/{episode.id}/transitions",
        json={"to_state": "preparing"},
        headers=bearer(db, make_user(db, org, Role.prescriber)),
    )
    assert response.status_code == 409
    assert response.json()["error"] == "TransitionRefused"
    assert "needs_review and no override is recorded" in response.json()["detail"]


def test_unknown_state_is_a_422_listing_the_field(db, client):
    org = make_org(db)
    episode = make_episode(db, org)
    response = client.post(
        f"/api/v1/episodes/{episode.id}/transitions",
        json={"to_state": "dosing"},
        headers=bearer(db, make_user(db, org, Role.nurse)),
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "to_state"


def test_referral_page_form_opens_an_episode_and_shows_its_pathway(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    therapist = make_user(db, org, Role.therapist)
    csrf = web_login(client, therapist.email)
    response = client.post(
        f"/patients/{patient.id}/episodes", data={**REFERRAL, "csrf_token": csrf}
    )
    assert response.status_code == 200
    assert 'aria-current="step"' in response.text
    assert "Move to intake" in response.text


def test_episode_page_shows_blockers_and_refusals(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="eligible")
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    page = client.get(f"/episodes/{episode.id}")
    assert "Blocked: suitability screening not run." in page.text
    refused = client.post(
        f"/episodes/{episode.id}/transitions", data={"to_state": "preparing", "csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert "Cannot move to preparing: suitability screening not run." in refused.text


def test_referral_form_errors_are_inline(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    csrf = web_login(client, make_user(db, org, Role.nurse).email)
    response = client.post(
        f"/patients/{patient.id}/episodes",
        data={"referral_reason": "", "referred_on": "", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="e-referral_reason"' in response.text
    assert "<html" in response.text
