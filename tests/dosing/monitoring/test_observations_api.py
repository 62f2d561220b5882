"""Observations, dissociation and the chair view over HTTP: idempotency, refusals, roles, JSON."""

from datetime import timedelta

import pytest

from openkap.core.models import Role
from openkap.core.time import utcnow
from tests.dosing.builders import NORMAL, as_role, ready_episode
from tests.dosing.monitoring.test_observations import started_ago
from tests.fixtures.factories import bearer, make_org, make_user


@pytest.fixture
def ward(db):
    """A session in dosing started 45 minutes ago, and a token per clinical role."""
    org = make_org(db)
    dosing = started_ago(db, ready_episode(db, org), as_role(db, org, Role.nurse), minutes=45)
    roles = (Role.nurse, Role.prescriber, Role.therapist, Role.front_desk)
    heads = {role: bearer(db, make_user(db, org, role)) for role in roles}
    return f"/api/v1/dosing-sessions/{dosing.id}", heads, dosing


def note(entry="tab-1", text="Eyes closed, breathing slow.", minutes_ago=1):
    observed = (utcnow() - timedelta(minutes=minutes_ago)).isoformat()
    return {"client_entry_id": entry, "observed_at": observed, "text": text}


def test_an_observation_sent_twice_returns_the_same_response_and_is_stored_once(client, ward):
    path, heads, _ = ward
    first = client.post(f"{path}/observations", json=note(), headers=heads[Role.therapist])
    again = client.post(f"{path}/observations", json=note(), headers=heads[Role.therapist])
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["minute_offset"] == 44
    listed = client.get(f"{path}/observations", headers=heads[Role.nurse]).json()
    assert [o["id"] for o in listed] == [first.json()["id"]]


def test_the_same_entry_id_with_another_text_is_a_409(client, ward):
    path, heads, _ = ward
    client.post(f"{path}/observations", json=note(), headers=heads[Role.nurse])
    clash = client.post(
        f"{path}/observations", json=note(text="Agitated."), headers=heads[Role.nurse]
    )
    assert clash.status_code == 409
    assert clash.json()["error"] == "Conflict"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (note(text="   "), "text"),
        (note(entry="has space"), "client_entry_id"),
        (note(minutes_ago=-30), "observed_at"),
        (note(minutes_ago=120), "observed_at"),
    ],
)
def test_malformed_or_mistimed_observations_are_422_naming_the_field(client, ward, body, field):
    path, heads, _ = ward
    refused = client.post(f"{path}/observations", json=body, headers=heads[Role.nurse])
    assert refused.status_code == 422, refused.text
    assert field in refused.text


def test_therapist_may_observe_but_not_record_vitals_and_front_desk_neither(client, ward):
    path, heads, _ = ward
    measured = (utcnow() - timedelta(minutes=1)).isoformat()
    vitals = {"client_reading_id": "t-1", "measured_at": measured, **NORMAL}
    observed = client.post(f"{path}/observations", json=note(), headers=heads[Role.therapist])
    refused = client.post(f"{path}/vitals", json=vitals, headers=heads[Role.therapist])
    desk = client.post(f"{path}/observations", json=note("fd"), headers=heads[Role.front_desk])
    assert (observed.status_code, refused.status_code, desk.status_code) == (200, 403, 403)


def test_the_author_marks_an_observation_in_error_and_another_nurse_may_not(client, ward):
    path, heads, _ = ward
    stored = client.post(f"{path}/observations", json=note(), headers=heads[Role.therapist]).json()
    url = f"{path}/observations/{stored['id']}/entered-in-error"
    body = {"reason": "Belongs to the next chair."}
    assert client.post(url, json=body, headers=heads[Role.nurse]).status_code == 403
    marked = client.post(url, json=body, headers=heads[Role.therapist])
    assert marked.status_code == 200, marked.text
    assert (marked.json()["status"], marked.json()["error_reason"]) == (
        "entered-in-error",
        "Belongs to the next chair.",
    )


def test_a_cadss_is_scored_stored_and_flagged(client, ward):
    path, heads, _ = ward
    body = {
        "instrument_id": "cadss",
        "answers": [2, 2, 1] + [0] * 20,
        "measured_at": (utcnow() - timedelta(minutes=5)).isoformat(),
    }
    stored = client.post(f"{path}/dissociation", json=body, headers=heads[Role.therapist])
    assert stored.status_code == 201, stored.text
    assert (stored.json()["total"], stored.json()["dissociation"]) == (5, True)
    assert stored.json()["minute_offset"] == 40
    [listed] = client.get(f"{path}/dissociation", headers=heads[Role.prescriber]).json()
    assert listed == stored.json()


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [("cadss", [5] + [0] * 22), ("cadss6", [0] * 5), ("phq9", [0] * 9)],
)
def test_answers_that_cannot_be_scored_are_422(client, ward, instrument, answers):
    path, heads, _ = ward
    body = {"instrument_id": instrument, "answers": answers, "measured_at": utcnow().isoformat()}
    refused = client.post(f"{path}/dissociation", json=body, headers=heads[Role.nurse])
    assert refused.status_code == 422, refused.text


def test_the_chair_view_carries_what_the_page_shows(client, ward):
    path, heads, dosing = ward
    client.post(f"{path}/observations", json=note(), headers=heads[Role.therapist])
    measured = (utcnow() - timedelta(minutes=2)).isoformat()
    reading = {"client_reading_id": "r-1", "measured_at": measured, **NORMAL, "spo2": 90}
    client.post(f"{path}/vitals", json=reading, headers=heads[Role.nurse])
    view = client.get(f"{path}/chair", headers=heads[Role.therapist])
    assert view.status_code == 200, view.text
    body = view.json()
    assert (body["session"]["id"], body["state"], body["elapsed_minutes"]) == (
        str(dosing.id),
        "dosing",
        45,
    )
    assert body["patient_name"]
    assert [v["client_reading_id"] for v in body["vitals"]] == ["pre-1", "r-1"]
    assert [a["kind"] for a in body["alerts"]] == ["low_spo2"]
    assert [o["client_entry_id"] for o in body["observations"]] == ["tab-1"]
    assert {(i["measure"], i["minute"]) for i in body["next_due"]} == {
        ("vitals", 120),
        ("moaas", 120),
        ("cadss", 120),
    }
    assert {"measure": "vitals", "minute": 40, "state": "done"}.items() <= next(
        i for i in body["due"] if (i["measure"], i["minute"]) == ("vitals", 40)
    ).items()
    assert body["unmet_discharge_criteria"]


def test_front_desk_may_not_read_the_chair_view(client, ward):
    path, heads, _ = ward
    assert client.get(f"{path}/chair", headers=heads[Role.front_desk]).status_code == 403
