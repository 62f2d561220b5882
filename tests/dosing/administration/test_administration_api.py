"""The administration and adverse-event API: flows over HTTP and refusals as JSON."""

from datetime import timedelta
from decimal import Decimal

import pytest

from openkap.core.models import Role
from openkap.core.time import utcnow
from tests.dosing.builders_administration import (
    administered_session,
    dosable_episode,
    session_in_dosing,
    shift_back,
    stocked_lot,
)
from tests.fixtures.factories import bearer, make_user


@pytest.fixture
def heads(db, org):
    return {role: bearer(db, make_user(db, org, role)) for role in Role}


def _path(dosing) -> str:
    return f"/api/v1/dosing-sessions/{dosing.id}"


def _body(stock, **changes):
    values = {
        "lot_id": str(stock.lot.id),
        "location_id": str(stock.location.id),
        "dose_mg": "35",
        "concentration_mg_per_ml": "10",
        "infusion_minutes": 40,
    }
    return values | changes


def test_an_iv_administration_is_recorded_read_paused_and_stopped(client, db, org, heads, nurse):
    stock = stocked_lot(db, org)
    path = _path(session_in_dosing(db, dosable_episode(db, org), nurse))
    assert client.get(f"{path}/administration", headers=heads[Role.nurse]).status_code == 404
    created = client.post(f"{path}/administration", json=_body(stock), headers=heads[Role.nurse])
    assert created.status_code == 201, created.text
    given = created.json()
    assert (Decimal(given["volume_ml"]), Decimal(given["rate_ml_per_hour"])) == (
        Decimal("3.5"),
        Decimal("5.3"),
    )
    assert (given["status"], given["lot_number"]) == ("running", stock.lot.lot_number)
    read = client.get(f"{path}/administration", headers=heads[Role.therapist]).json()
    assert (read["id"], Decimal(read["delivered_mg"])) == (given["id"], 35)
    pause = {"kind": "pause", "reason": "Patient asked for a short break."}
    paused = client.post(f"{path}/administration/events", json=pause, headers=heads[Role.nurse])
    assert paused.status_code == 201, paused.text
    stop = {"kind": "stop", "reason": "Persistent nausea despite pause."}
    client.post(f"{path}/administration/events", json=stop, headers=heads[Role.nurse])
    events = client.get(f"{path}/administration/events", headers=heads[Role.nurse]).json()
    assert [e["kind"] for e in events] == ["pause", "stop"]
    session = client.get(path, headers=heads[Role.nurse]).json()
    assert session["state"] == "monitoring"
    read = client.get(f"{path}/administration", headers=heads[Role.nurse]).json()
    assert (read["status"], read["stop_reason"]) == ("stopped", "Persistent nausea despite pause.")


def test_a_dose_other_than_the_order_is_refused_until_a_prescriber_changes_it(
    client, db, org, heads, nurse
):
    stock = stocked_lot(db, org)
    path = _path(session_in_dosing(db, dosable_episode(db, org), nurse))
    other = _body(stock, dose_mg="52")
    refused = client.post(f"{path}/administration", json=other, headers=heads[Role.nurse])
    assert refused.status_code == 409
    assert refused.json()["error"] == "DoseDiffersFromOrder"
    assert "session 1 is 35.00 mg; 52 mg was entered" in refused.json()["detail"]
    assert client.get(f"{path}/administration", headers=heads[Role.nurse]).status_code == 404
    change = {"dose_mg": "52", "reason": "Titrated: partial response at 35 mg."}
    by_nurse = client.post(f"{path}/order-changes", json=change, headers=heads[Role.nurse])
    assert by_nurse.status_code == 403
    by_prescriber = client.post(
        f"{path}/order-changes", json=change, headers=heads[Role.prescriber]
    )
    assert by_prescriber.status_code == 201, by_prescriber.text
    ordered = by_prescriber.json()
    assert (Decimal(ordered["previous_dose_mg"]), Decimal(ordered["dose_mg"])) == (35, 52)
    given = client.post(f"{path}/administration", json=other, headers=heads[Role.nurse])
    assert given.status_code == 201, given.text
    history = client.get(f"{path}/order-changes", headers=heads[Role.nurse]).json()
    assert [row["reason"] for row in history] == [change["reason"]]
    read = client.get(path, headers=heads[Role.nurse]).json()
    assert (Decimal(read["planned_dose_mg"]), read["session_number"]) == (52, 1)


def test_an_order_outside_the_plan_needs_its_own_reason(client, db, org, heads, nurse):
    path = _path(session_in_dosing(db, dosable_episode(db, org), nurse))
    above = {"dose_mg": "75", "infusion_minutes": 60, "reason": "Partial response at 70 mg."}
    refused = client.post(f"{path}/order-changes", json=above, headers=heads[Role.prescriber])
    assert (refused.status_code, refused.json()["error"]) == (409, "DoseExceedsPlan")
    assert "maximum of 70" in refused.json()["detail"]
    why = {"outside_plan_reason": "Agreed with the patient after two partial responses."}
    ordered = client.post(f"{path}/order-changes", json=above | why, headers=heads[Role.prescriber])
    assert ordered.status_code == 201, ordered.text
    assert ordered.json()["outside_plan"] == ["max_dose_mg"]


def test_an_infusion_faster_than_the_maximum_rate_is_refused_for_every_role(
    client, db, org, heads, nurse
):
    stock = stocked_lot(db, org)
    path = _path(session_in_dosing(db, dosable_episode(db, org), nurse))
    # 70 mg over 40 minutes at 70 kg is exactly 0.025 mg/kg/min; 70 mg is allowed.
    fast = {"dose_mg": "70", "infusion_minutes": 40, "reason": "Titrated to 1.0 mg/kg."}
    assert (
        client.post(f"{path}/order-changes", json=fast, headers=heads[Role.prescriber]).status_code
        == 201
    )
    # Drawn at 40 mg/mL, 70 mg is 1.8 mL = 72 mg: faster than 0.025 mg/kg/min over 40 minutes.
    refused = client.post(
        f"{path}/administration",
        json=_body(stock, dose_mg="70", concentration_mg_per_ml="40"),
        headers=heads[Role.prescriber],
    )
    assert (refused.status_code, refused.json()["error"]) == (409, "InfusionRateTooHigh")
    assert "0.0258 mg/kg/min, above the maximum of 0.025" in refused.json()["detail"]
    too_short = {"dose_mg": "35", "infusion_minutes": 20, "reason": "Shorter chair time."}
    refused = client.post(f"{path}/order-changes", json=too_short, headers=heads[Role.prescriber])
    assert refused.status_code == 422
    assert "outside the protocol's range of 40-100 minutes" in refused.json()["detail"]
    faster = client.post(
        f"{path}/administration", json=_body(stock, infusion_minutes=30), headers=heads[Role.nurse]
    )
    assert (faster.status_code, faster.json()["error"]) == (409, "DoseDiffersFromOrder")


def test_scheduling_takes_no_dose_from_whoever_books_it(client, db, org, heads):
    episode = dosable_episode(db, org)
    refused = client.post(
        f"/api/v1/episodes/{episode.id}/dosing-sessions",
        json={"scheduled_for": utcnow().isoformat(), "planned_dose_mg": "70"},
        headers=heads[Role.front_desk],
    )
    assert refused.status_code == 422
    assert [f["name"] for f in refused.json()["fields"]] == ["planned_dose_mg"]


def test_malformed_input_names_the_field(client, db, org, heads, nurse):
    stock = stocked_lot(db, org)
    path = _path(session_in_dosing(db, dosable_episode(db, org), nurse))
    short = _body(stock, dose_override_reason="because")
    refused = client.post(f"{path}/administration", json=short, headers=heads[Role.prescriber])
    assert refused.status_code == 422
    assert [f["name"] for f in refused.json()["fields"]] == ["dose_override_reason"]
    missing = _body(stock, concentration_mg_per_ml=None)
    refused = client.post(f"{path}/administration", json=missing, headers=heads[Role.nurse])
    assert refused.status_code == 422
    assert "concentration" in refused.json()["detail"]


def test_esketamine_devices_are_marked_one_by_one(client, db, org, heads, nurse):
    stock = stocked_lot(db, org, drug="esketamine")
    dosing = administered_session(
        db, dosable_episode(db, org, route="intranasal"), nurse, stock=stock
    )
    path, headers = _path(dosing), heads[Role.nurse]
    first = client.post(f"{path}/administration/devices/1/given", headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["given_at"] is not None
    early = client.post(f"{path}/administration/devices/2/given", headers=headers)
    assert early.status_code == 409
    assert "5 minutes after device 1" in early.json()["detail"]
    assert client.post(f"{path}/administration/devices/4/given", headers=headers).status_code == 404
    devices = client.get(f"{path}/administration", headers=headers).json()["devices"]
    assert [(d["number"], d["given_at"] is not None) for d in devices] == [(1, True), (2, False)]


def _event_body(**changes):
    values = {
        "event_type": "hypertension",
        "onset_at": (utcnow() - timedelta(minutes=10)).isoformat(),
        "severity": "moderate",
        "serious": False,
        "action_taken": "Infusion paused; BP rechecked in 5 minutes.",
        "rescue_drug": "labetalol",
        "rescue_dose": "10 mg IV",
        "rescue_given_at": (utcnow() - timedelta(minutes=5)).isoformat(),
        "outcome": "resolving",
    }
    return values | changes


def test_adverse_events_are_recorded_updated_by_version_and_corrected(
    client, db, org, heads, nurse
):
    dosing = administered_session(db, dosable_episode(db, org), nurse)
    shift_back(db, dosing, timedelta(hours=1))
    path, headers = f"{_path(dosing)}/adverse-events", heads[Role.nurse]
    created = client.post(path, json=_event_body(), headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    event_path = f"{path}/{created.json()['id']}"
    change = {"outcome": "ongoing"}
    assert client.patch(event_path, json=change, headers=headers).status_code == 428
    updated = client.patch(event_path, json=change, headers=headers | {"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["outcome"], updated.headers["ETag"]) == ("ongoing", '"2"')
    stale = client.patch(event_path, json=change, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 409
    wrong = {"reason": "Entered against the wrong session."}
    marked = client.post(f"{event_path}/entered-in-error", json=wrong, headers=headers)
    assert marked.json()["status"] == "entered-in-error"
    listed = client.get(path, headers=heads[Role.therapist]).json()
    assert [e["status"] for e in listed] == ["entered-in-error"]


def test_partial_rescue_medication_is_refused_naming_the_field(client, db, org, heads, nurse):
    dosing = administered_session(db, dosable_episode(db, org), nurse)
    shift_back(db, dosing, timedelta(hours=1))
    body = _event_body(rescue_dose=None)
    refused = client.post(f"{_path(dosing)}/adverse-events", json=body, headers=heads[Role.nurse])
    assert refused.status_code == 422
    assert "rescue_dose" in refused.json()["detail"]


@pytest.mark.parametrize("role", [Role.therapist, Role.front_desk])
def test_only_nurses_and_prescribers_record(client, db, org, heads, nurse, role):
    dosing = administered_session(db, dosable_episode(db, org), nurse)
    sent = client.post(f"{_path(dosing)}/adverse-events", json=_event_body(), headers=heads[role])
    assert sent.status_code == 403
    assert (
        client.post(
            f"{_path(dosing)}/administration/events",
            json={"kind": "stop", "reason": "Stopping for a test."},
            headers=heads[role],
        ).status_code
        == 403
    )


def test_over_the_api_only_a_prescriber_speeds_up_an_infusion(client, db, org, heads, nurse):
    stock = stocked_lot(db, org)
    path = _path(session_in_dosing(db, dosable_episode(db, org), nurse))
    given = client.post(f"{path}/administration", json=_body(stock), headers=heads[Role.nurse])
    assert given.status_code == 201, given.text
    faster = {"kind": "rate_change", "reason": "Chair needed sooner.", "rate_ml_per_hour": "8"}
    by_nurse = client.post(f"{path}/administration/events", json=faster, headers=heads[Role.nurse])
    assert by_nurse.status_code == 403
    assert "Faster infusion" in by_nurse.json()["detail"]
    slower = faster | {"reason": "Slowed for nausea.", "rate_ml_per_hour": "4"}
    assert (
        client.post(
            f"{path}/administration/events", json=slower, headers=heads[Role.nurse]
        ).status_code
        == 201
    )
    too_fast = faster | {"rate_ml_per_hour": "11"}
    refused = client.post(
        f"{path}/administration/events", json=too_fast, headers=heads[Role.prescriber]
    )
    assert (refused.status_code, refused.json()["error"]) == (409, "InfusionRateTooHigh")
