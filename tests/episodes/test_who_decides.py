"""Who may be a course's prescriber, and what withdrawing or discharging a course needs."""

import pytest
from sqlalchemy import func, select

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes import pathway, service
from openkap.episodes.errors import ClosureNotConfirmed, PrescriberNotAllowed
from openkap.episodes.models import Episode, EpisodeState, EpisodeTransition
from tests.fixtures.factories import (
    bearer,
    csrf_from,
    make_episode,
    make_org,
    make_patient,
    make_user,
    web_login,
)

REFERRAL = {"referral_reason": "Treatment-resistant depression", "referred_on": "2026-01-05"}
LONG_REASON = "Patient moved out of state; records sent on."


def _open(db, by, prescriber_id):
    return service.open_episode(
        db,
        patient=make_patient(db, by.user.organization),
        referral_reason="Treatment-resistant depression",
        referred_by=None,
        referred_on=utcnow().date(),
        prescriber_id=prescriber_id,
        therapist_id=None,
        by=by,
    )


def _not_prescribers(db, org):
    other = make_user(db, make_org(db), Role.prescriber)
    inactive = make_user(db, org, Role.prescriber)
    inactive.is_active = False
    return {
        "nurse": make_user(db, org, Role.nurse),
        "other clinic": other,
        "inactive": inactive,
    }


@pytest.mark.parametrize("kind", ["nurse", "other clinic", "inactive"])
def test_service_refuses_a_prescriber_without_the_role_of_another_clinic_or_inactive(db, kind):
    org = make_org(db)
    nurse = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    candidate = _not_prescribers(db, org)[kind]
    before = db.scalar(select(func.count()).select_from(Episode))
    with pytest.raises(PrescriberNotAllowed) as refused:
        _open(db, nurse, candidate.id)
    assert refused.value.field == "prescriber_id"
    assert "prescriber role" in refused.value.message
    assert db.scalar(select(func.count()).select_from(Episode)) == before


def test_service_accepts_an_active_prescriber_of_the_clinic(db):
    org = make_org(db)
    nurse = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    prescriber = make_user(db, org, Role.prescriber)
    assert _open(db, nurse, prescriber.id).prescriber_id == prescriber.id


@pytest.mark.parametrize("kind", ["nurse", "other clinic", "inactive"])
def test_api_refuses_a_prescriber_who_may_not_prescribe(db, client, kind):
    org = make_org(db)
    patient = make_patient(db, org)
    candidate = _not_prescribers(db, org)[kind]
    response = client.post(
        f"/api/v1/patients/{patient.id}/episodes",
        json={**REFERRAL, "prescriber_id": str(candidate.id)},
        headers=bearer(db, make_user(db, org, Role.nurse)),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "PrescriberNotAllowed"
    assert "prescriber_id" in response.text
    assert db.scalar(select(func.count()).where(Episode.patient_id == patient.id)) == 0


def test_page_refuses_a_prescriber_who_may_not_prescribe(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    response = client.post(
        f"/patients/{patient.id}/episodes",
        data={**REFERRAL, "prescriber_id": str(nurse.id), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "prescriber role" in response.text
    assert db.scalar(select(func.count()).where(Episode.patient_id == patient.id)) == 0


@pytest.fixture
def nurse(db):
    return Principal(user=make_user(db, make_org(db), Role.nurse), client_address="test")


@pytest.mark.parametrize("target", [EpisodeState.withdrawn, EpisodeState.discharged])
@pytest.mark.parametrize(
    ("reason", "confirmed", "field"),
    [("", True, "reason"), ("too short", True, "reason"), (LONG_REASON, False, "confirm")],
)
def test_service_refuses_closing_a_course_without_reason_and_confirmation(
    db, nurse, target, reason, confirmed, field
):
    episode = make_episode(db, nurse.user.organization, state="intake")
    with pytest.raises(ClosureNotConfirmed) as refused:
        pathway.move(
            db, episode=episode, to_state=target, reason=reason, by=nurse, confirmed=confirmed
        )
    assert refused.value.field == field
    assert episode.state == "intake"
    assert db.scalar(select(func.count()).where(EpisodeTransition.episode_id == episode.id)) == 0


@pytest.mark.parametrize("target", [EpisodeState.withdrawn, EpisodeState.discharged])
def test_service_closes_a_course_with_reason_and_confirmation(db, nurse, target):
    episode = make_episode(db, nurse.user.organization, state="on_hold")
    pathway.move(db, episode=episode, to_state=target, reason=LONG_REASON, by=nurse, confirmed=True)
    assert episode.state == target.value


def test_other_moves_keep_their_rules(db, nurse):
    episode = make_episode(db, nurse.user.organization, state="referred")
    pathway.move(db, episode=episode, to_state=EpisodeState.on_hold, reason="", by=nurse)
    assert episode.state == "on_hold"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to_state": "withdrawn", "reason": "short", "confirm": True}, "reason"),
        ({"to_state": "discharged", "reason": LONG_REASON}, "confirm"),
    ],
)
def test_api_refuses_closing_a_course_without_reason_and_confirmation(db, client, body, field):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    response = client.post(
        f"/api/v1/episodes/{episode.id}/transitions",
        json=body,
        headers=bearer(db, make_user(db, org, Role.nurse)),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "ClosureNotConfirmed"
    assert field in response.json()["detail"]
    db.refresh(episode)
    assert episode.state == "intake"


def test_api_closes_a_course_with_reason_and_confirmation(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    response = client.post(
        f"/api/v1/episodes/{episode.id}/transitions",
        json={"to_state": "withdrawn", "reason": LONG_REASON, "confirm": True},
        headers=bearer(db, make_user(db, org, Role.nurse)),
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "withdrawn"


def test_page_needs_the_confirmation_box_to_withdraw(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    nurse = make_user(db, org, Role.nurse)
    web_login(client, nurse.email)
    page = client.get(f"/episodes/{episode.id}")
    assert 'name="confirm"' in page.text
    form = {"to_state": "withdrawn", "reason": LONG_REASON, "csrf_token": csrf_from(page.text)}
    refused = client.post(f"/episodes/{episode.id}/transitions", data=form)
    assert refused.status_code == 422
    assert "confirm" in refused.text
    done = client.post(
        f"/episodes/{episode.id}/transitions",
        data={**form, "confirm": "true"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.refresh(episode)
    assert episode.state == "withdrawn"


def test_page_offers_only_prescribers_as_the_courses_prescriber(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = make_user(db, org, Role.nurse)
    prescriber = make_user(db, org, Role.prescriber)
    web_login(client, nurse.email)
    page = client.get(f"/patients/{patient.id}/episodes").text
    chooser = page.split('name="prescriber_id"')[1].split("</select>")[0]
    assert str(prescriber.id) in chooser
    assert str(nurse.id) not in chooser


def _course_with_prescriber(db, state="induction"):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber, Role.therapist)
    episode = make_episode(db, org, state=state)
    episode.prescriber_id = prescriber.id
    db.flush()
    return org, prescriber, episode


def test_service_keeps_the_prescriber_role_of_an_open_course_until_it_is_handed_over(db):
    from openkap.accounts.administration import grants
    from openkap.episodes.errors import PrescriberStillNeeded

    org, prescriber, episode = _course_with_prescriber(db)
    admin = Principal(user=make_user(db, org, Role.admin), client_address="test")
    with pytest.raises(PrescriberStillNeeded) as refused:
        grants.set_roles(db, user=prescriber, roles=[Role.therapist], by=admin)
    assert "1 open course" in refused.value.message
    assert Role.prescriber in prescriber.roles
    successor = Principal(user=make_user(db, org, Role.prescriber), client_address="test")
    service.change_care_team(
        db,
        episode=episode,
        prescriber_id=successor.user.id,
        therapist_id=None,
        reason="Dr moves to the other site; handed over.",
        by=successor,
    )
    grants.set_roles(db, user=prescriber, roles=[Role.therapist], by=admin)
    assert prescriber.roles == {Role.therapist}


def test_service_lets_the_role_go_when_every_course_is_closed(db):
    from openkap.accounts.administration import grants

    org, prescriber, _ = _course_with_prescriber(db, state="discharged")
    admin = Principal(user=make_user(db, org, Role.admin), client_address="test")
    grants.set_roles(db, user=prescriber, roles=[Role.therapist], by=admin)
    assert prescriber.roles == {Role.therapist}


def test_api_refuses_removing_the_role_then_hands_the_course_over(db, client):
    org, prescriber, episode = _course_with_prescriber(db)
    admin = bearer(db, make_user(db, org, Role.admin))
    body = {"roles": ["therapist"], "is_active": True}
    refused = client.put(f"/api/v1/users/{prescriber.id}", json=body, headers=admin)
    assert refused.status_code == 409
    assert "PrescriberStillNeeded" in refused.json()["detail"]
    nurse = make_user(db, org, Role.nurse)
    team = {"prescriber_id": str(nurse.id), "therapist_id": None, "reason": "Hand over the course"}
    url = f"/api/v1/episodes/{episode.id}/care-team"
    assert client.put(url, json=team, headers=admin).status_code == 403
    wrong = client.put(url, json=team, headers=bearer(db, nurse))
    assert wrong.status_code == 422
    team["prescriber_id"] = str(make_user(db, org, Role.prescriber).id)
    moved = client.put(url, json=team, headers=bearer(db, nurse))
    assert moved.status_code == 200, moved.text
    assert moved.json()["prescriber_id"] == team["prescriber_id"]
    assert client.put(f"/api/v1/users/{prescriber.id}", json=body, headers=admin).status_code == 200


def test_a_closed_course_keeps_its_team(db):
    from openkap.episodes.errors import TransitionRefused

    org, prescriber, episode = _course_with_prescriber(db, state="withdrawn")
    nurse = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    with pytest.raises(TransitionRefused):
        service.change_care_team(
            db,
            episode=episode,
            prescriber_id=None,
            therapist_id=None,
            reason="Tidy up the old course",
            by=nurse,
        )
    assert episode.prescriber_id == prescriber.id
