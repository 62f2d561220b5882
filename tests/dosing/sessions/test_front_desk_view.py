"""Front desk sees the schedule of dosing sessions, never the drug, dose, order or reasons."""

import pytest

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.dosing.sessions import service, views
from openkap.dosing.sessions.schemas import SessionRead, SessionScheduleRead
from tests.dosing.builders import scheduled
from tests.dosing.builders_administration import dosable_episode
from tests.fixtures.factories import bearer, csrf_from, make_user, web_login

CLINICAL = {
    "drug",
    "route",
    "planned_dose_mg",
    "order_infusion_minutes",
    "order_concentration_mg_per_ml",
    "aborted_reason",
    "plan_id",
}
SCHEDULE = {"id", "patient_id", "session_number", "state", "scheduled_for"}
ABORT_REASON = "Patient became acutely anxious in the waiting room."


@pytest.fixture
def nurse(db, org):
    return Principal(user=make_user(db, org, Role.nurse), client_address="test")


@pytest.fixture
def front_desk(db, org):
    return Principal(user=make_user(db, org, Role.front_desk), client_address="test")


def _aborted(db, org, nurse):
    dosing = scheduled(db, dosable_episode(db, org), nurse)
    service.abort(db, dosing=dosing, reason=ABORT_REASON, by=nurse)
    db.flush()
    return dosing


def test_service_gives_front_desk_the_schedule_shape_only(db, org, nurse, front_desk):
    dosing = _aborted(db, org, nurse)
    shown = views.session_view(dosing, by=front_desk)
    assert type(shown) is SessionScheduleRead
    assert CLINICAL.isdisjoint(shown.model_dump())
    assert set(shown.model_dump()) >= SCHEDULE
    assert isinstance(views.shown_session(dosing, by=front_desk), SessionScheduleRead)


def test_service_gives_clinicians_the_clinical_shape(db, org, nurse):
    dosing = _aborted(db, org, nurse)
    shown = views.session_view(dosing, by=nurse)
    assert type(shown) is SessionRead
    assert shown.aborted_reason == ABORT_REASON
    assert views.shown_session(dosing, by=nurse) is dosing


def test_api_shows_front_desk_no_drug_dose_order_or_reason(db, client, org, nurse):
    dosing = _aborted(db, org, nurse)
    heads = bearer(db, make_user(db, org, Role.front_desk))
    one = client.get(f"/api/v1/dosing-sessions/{dosing.id}", headers=heads)
    listed = client.get(f"/api/v1/episodes/{dosing.episode_id}/dosing-sessions", headers=heads)
    assert one.status_code == listed.status_code == 200
    for body in (one.json(), listed.json()[0]):
        assert CLINICAL.isdisjoint(body), body
        assert set(body) >= SCHEDULE
        assert body["state"] == "aborted"
    assert ABORT_REASON not in one.text


def test_api_shows_clinicians_the_dose_and_the_reason(db, client, org, nurse):
    dosing = _aborted(db, org, nurse)
    body = client.get(f"/api/v1/dosing-sessions/{dosing.id}", headers=bearer(db, nurse.user)).json()
    assert set(body) >= CLINICAL
    assert body["aborted_reason"] == ABORT_REASON


def test_api_scheduling_and_check_in_answer_front_desk_with_the_schedule(db, client, org):
    episode = dosable_episode(db, org)
    heads = bearer(db, make_user(db, org, Role.front_desk))
    created = client.post(
        f"/api/v1/episodes/{episode.id}/dosing-sessions",
        json={"scheduled_for": "2031-03-04T09:30:00Z"},
        headers=heads,
    )
    assert created.status_code == 201, created.text
    assert CLINICAL.isdisjoint(created.json())
    checked = client.post(f"/api/v1/dosing-sessions/{created.json()['id']}/check-in", headers=heads)
    assert checked.status_code == 200, checked.text
    assert CLINICAL.isdisjoint(checked.json())
    assert checked.json()["state"] == "checked_in"


def test_api_refuses_front_desk_the_hard_stops(db, client, org, nurse):
    dosing = scheduled(db, dosable_episode(db, org), nurse)
    heads = bearer(db, make_user(db, org, Role.front_desk))
    response = client.get(f"/api/v1/dosing-sessions/{dosing.id}/hard-stops", headers=heads)
    assert response.status_code == 403


def test_pages_show_front_desk_the_schedule_without_the_dose_or_reason(db, client, org, nurse):
    dosing = _aborted(db, org, nurse)
    front = make_user(db, org, Role.front_desk)
    db.flush()
    web_login(client, front.email)
    listed = client.get(f"/episodes/{dosing.episode_id}/dosing-sessions")
    chair = client.get(f"/dosing-sessions/{dosing.id}")
    live = client.get(f"/dosing-sessions/{dosing.id}/live")
    assert listed.status_code == chair.status_code == live.status_code == 200
    for page in (listed.text, chair.text, live.text):
        assert " mg" not in page
        assert "ketamine" not in page.lower()
        assert ABORT_REASON not in page
    assert f"#{dosing.session_number}" in listed.text
    assert "aborted" in listed.text


def test_pages_show_clinicians_the_dose_and_reason(db, client, org, nurse):
    dosing = _aborted(db, org, nurse)
    db.flush()
    web_login(client, nurse.user.email)
    assert " mg" in client.get(f"/episodes/{dosing.episode_id}/dosing-sessions").text
    chair = client.get(f"/dosing-sessions/{dosing.id}").text
    assert " mg" in chair
    assert ABORT_REASON in chair


def test_front_desk_checks_in_on_the_chair_page_without_seeing_the_dose(db, client, org, nurse):
    dosing = scheduled(db, dosable_episode(db, org), nurse)
    front = make_user(db, org, Role.front_desk)
    db.flush()
    web_login(client, front.email)
    page = client.get(f"/dosing-sessions/{dosing.id}").text
    answer = client.post(
        f"/dosing-sessions/{dosing.id}/check-in",
        data={"csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert " mg" not in answer.text
    assert "checked in" in answer.text


@pytest.mark.parametrize("path", ["/episodes/{episode}", "/episodes/{episode}/plan"])
def test_front_desk_cannot_open_the_course_or_its_plan(db, client, org, nurse, path):
    dosing = scheduled(db, dosable_episode(db, org), nurse)
    front = make_user(db, org, Role.front_desk)
    db.flush()
    web_login(client, front.email)
    assert client.get(path.format(episode=dosing.episode_id)).status_code == 403
    api = client.get(f"/api/v1/episodes/{dosing.episode_id}/plans", headers=bearer(db, front))
    assert api.status_code == 403


def test_the_patient_page_shows_front_desk_no_dose(db, client, org, nurse):
    dosing = _aborted(db, org, nurse)
    front = make_user(db, org, Role.front_desk)
    db.flush()
    web_login(client, front.email)
    page = client.get(f"/patients/{dosing.patient_id}")
    assert page.status_code == 200
    assert " mg" not in page.text
    assert ABORT_REASON not in page.text
