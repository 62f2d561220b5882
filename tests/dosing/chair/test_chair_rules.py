"""Chair rules before a dose: overrides bound to their reading, ceilings no role passes,
unacknowledged alerts, one open session per patient, the interval between doses."""

from datetime import timedelta

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.chair.pre_dose import StopKey
from openkap.dosing.errors import (
    DischargeRefused,
    HardStopsUnresolved,
    InvalidSessionInput,
    SessionStateRefused,
)
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.sessions import service
from tests.dosing.builders import (
    NORMAL,
    answer_checklist,
    as_role,
    checked_in,
    cleared,
    monitored_since,
    reading,
    ready_episode,
    scheduled,
)
from tests.dosing.builders_administration import discharged_days_ago
from tests.fixtures.factories import bearer, make_user

RAISED = {**NORMAL, "sbp": 150}


def _stops(db, dosing) -> dict[StopKey, pre_dose.HardStop]:
    return {stop.key: stop for stop in pre_dose.pre_dose_hard_stops(db, dosing=dosing)}


def _override(db, dosing, key, by):
    reason = "Reviewed with the patient; benefit outweighs the risk."
    return pre_dose.override_hard_stop(db, dosing=dosing, key=key, reason=reason, by=by)


def test_an_override_covers_only_the_reading_it_was_given_for(db, org, nurse, prescriber):
    dosing = cleared(db, ready_episode(db, org), nurse, vitals=RAISED)
    _override(db, dosing, StopKey.pre_dose_vitals, prescriber)
    assert not _stops(db, dosing)[StopKey.pre_dose_vitals].blocking
    reading(dosing, nurse, db, reading_id="pre-2", **{**NORMAL, "sbp": 158})
    rearmed = _stops(db, dosing)[StopKey.pre_dose_vitals]
    assert rearmed.blocking
    assert "158" in rearmed.message
    with pytest.raises(HardStopsUnresolved, match="pre_dose_vitals"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    reading(dosing, nurse, db, reading_id="pre-3", **NORMAL)
    assert StopKey.pre_dose_vitals not in _stops(db, dosing)
    assert pre_dose.start_dosing(db, dosing=dosing, by=nurse).state == "dosing"


@pytest.mark.parametrize(
    ("values", "named"),
    [({"sbp": 182}, "ceiling of 180/110"), ({"dbp": 112}, "180/110"), ({"spo2": 89}, "90 %")],
)
def test_a_reading_at_a_ceiling_holds_dosing_for_every_role(
    db, org, nurse, prescriber, values, named
):
    dosing = cleared(db, ready_episode(db, org), nurse, vitals={**NORMAL, **values})
    ceiling = _stops(db, dosing)[StopKey.pre_dose_ceiling]
    assert named in ceiling.message
    assert not ceiling.overridable
    with pytest.raises(SessionStateRefused, match="cannot be overridden by any role"):
        _override(db, dosing, StopKey.pre_dose_ceiling, prescriber)
    for alert in monitoring.list_alerts(db, dosing=dosing, by=nurse):
        monitoring.acknowledge_alert(
            db, dosing=dosing, alert_id=alert.id, action_taken="Rechecked.", by=nurse
        )
    if StopKey.pre_dose_vitals in _stops(db, dosing):
        _override(db, dosing, StopKey.pre_dose_vitals, prescriber)
    with pytest.raises(HardStopsUnresolved, match="pre_dose_ceiling"):
        pre_dose.start_dosing(db, dosing=dosing, by=prescriber)


def test_an_unacknowledged_alert_holds_the_start_of_dosing(db, org, nurse, prescriber):
    # SpO2 91 % is below the in-session alert (92 %) and the pre-dose hold, not the ceiling.
    dosing = cleared(db, ready_episode(db, org), nurse, vitals={**NORMAL, "spo2": 91})
    _override(db, dosing, StopKey.pre_dose_vitals, prescriber)
    held = _stops(db, dosing)[StopKey.unacknowledged_alert]
    assert (held.blocking, held.overridable) == (True, False)
    with pytest.raises(HardStopsUnresolved, match="unacknowledged_alert"):
        pre_dose.start_dosing(db, dosing=dosing, by=prescriber)
    [alert] = monitoring.list_alerts(db, dosing=dosing, by=nurse)
    monitoring.acknowledge_alert(
        db, dosing=dosing, alert_id=alert.id, action_taken="Oxygen reviewed.", by=nurse
    )
    assert pre_dose.start_dosing(db, dosing=dosing, by=nurse).state == "dosing"


def test_a_patient_has_one_open_session_at_a_time(db, org, nurse):
    episode = ready_episode(db, org)
    first = checked_in(db, episode, nurse)
    second = scheduled(db, episode, nurse)
    with pytest.raises(SessionStateRefused, match="One open session per patient") as refused:
        service.check_in(db, dosing=second, by=nurse)
    assert str(first.id) in refused.value.message
    assert second.state == "scheduled"
    service.abort(db, dosing=first, reason="Patient unwell on arrival.", by=nurse)
    assert service.check_in(db, dosing=second, by=nurse).state == "checked_in"


def _ready_to_start(db, episode, nurse):
    """Checked in, checklist answered, pre-dose reading taken; no override given."""
    dosing = checked_in(db, episode, nurse)
    answer_checklist(db, dosing, nurse)
    reading(dosing, nurse, db, reading_id="pre-1", minutes_ago=1, **NORMAL)
    return dosing


def test_a_dose_sooner_than_the_interval_is_held_until_a_prescriber_overrides(
    db, org, nurse, prescriber
):
    episode = ready_episode(db, org)
    earlier = cleared(db, episode, nurse)
    pre_dose.start_dosing(db, dosing=earlier, by=nurse)
    discharged_days_ago(db, earlier, days=1)
    dosing = _ready_to_start(db, episode, nurse)
    stop = _stops(db, dosing)[StopKey.interval_too_short]
    assert stop.blocking
    assert "began 24.0 hours ago" in stop.message
    assert "44 hours after the last" in stop.message
    with pytest.raises(HardStopsUnresolved, match="interval_too_short"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    with pytest.raises(Forbidden):
        _override(db, dosing, StopKey.interval_too_short, nurse)
    _override(db, dosing, StopKey.interval_too_short, prescriber)
    assert pre_dose.start_dosing(db, dosing=dosing, by=nurse).state == "dosing"


def test_after_the_interval_no_stop_is_raised(db, org, nurse):
    episode = ready_episode(db, org)
    earlier = cleared(db, episode, nurse)
    pre_dose.start_dosing(db, dosing=earlier, by=nurse)
    discharged_days_ago(db, earlier, days=2)
    dosing = _ready_to_start(db, episode, nurse)
    assert StopKey.interval_too_short not in _stops(db, dosing)


# Over the API ------------------------------------------------------------------------------


def _vitals(reading_id, **values):
    measured = (utcnow() - timedelta(minutes=1)).isoformat()
    return {"client_reading_id": reading_id, "measured_at": measured, **values}


def test_over_the_api_a_newer_reading_rearms_the_stop_and_a_ceiling_is_not_overridden(
    client, db, org, nurse
):
    dosing = cleared(db, ready_episode(db, org), nurse, vitals=RAISED)
    heads = {role: bearer(db, make_user(db, org, role)) for role in (Role.nurse, Role.prescriber)}
    path = f"/api/v1/dosing-sessions/{dosing.id}"
    why = {"reason": "Reviewed with the patient; benefit outweighs the risk."}
    overridden = client.post(
        f"{path}/overrides",
        json={"stop_key": "pre_dose_vitals", **why},
        headers=heads[Role.prescriber],
    )
    assert overridden.status_code == 201, overridden.text
    newer = client.post(
        f"{path}/vitals", json=_vitals("api-2", **{**NORMAL, "sbp": 185}), headers=heads[Role.nurse]
    )
    assert newer.status_code == 200, newer.text
    stops = {
        s["key"]: s for s in client.get(f"{path}/hard-stops", headers=heads[Role.nurse]).json()
    }
    assert stops["pre_dose_vitals"]["blocking"] is True
    assert stops["pre_dose_ceiling"]["overridable"] is False
    refused = client.post(
        f"{path}/overrides",
        json={"stop_key": "pre_dose_ceiling", **why},
        headers=heads[Role.prescriber],
    )
    assert (refused.status_code, refused.json()["error"]) == (409, "SessionStateRefused")
    held = client.post(f"{path}/start", headers=heads[Role.prescriber])
    assert (held.status_code, held.json()["error"]) == (409, "HardStopsUnresolved")
    for key in ("pre_dose_vitals", "pre_dose_ceiling", "unacknowledged_alert"):
        assert key in held.json()["detail"]


def test_over_the_api_a_second_open_session_is_refused(client, db, org, nurse):
    episode = ready_episode(db, org)
    checked_in(db, episode, nurse)
    second = scheduled(db, episode, nurse)
    heads = bearer(db, make_user(db, org, Role.front_desk))
    refused = client.post(f"/api/v1/dosing-sessions/{second.id}/check-in", headers=heads)
    assert (refused.status_code, refused.json()["error"]) == (409, "SessionStateRefused")
    assert "One open session per patient" in refused.json()["detail"]


# Dissociation before discharge --------------------------------------------------------------


def test_discharge_waits_for_a_cadss_or_a_clinicians_statement(db, org, nurse):
    dosing = monitored_since(
        db, ready_episode(db, org), nurse, minutes=130, dissociation_assessed=False
    )
    reading(dosing, nurse, db, reading_id="r-end", **NORMAL, moaas=5)
    with pytest.raises(DischargeRefused, match="dissociation is not assessed"):
        leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    with pytest.raises(InvalidSessionInput) as short:
        leaving.state_dissociation_resolved(db, dosing=dosing, statement="fine", by=nurse)
    assert short.value.field == "statement"
    therapist = as_role(db, org, Role.therapist)
    statement = "Oriented and talking clearly; no dissociation left."
    leaving.state_dissociation_resolved(db, dosing=dosing, statement=statement, by=therapist)
    leaving.mark_ready_for_discharge(db, dosing=dosing, by=nurse)
    assert dosing.state == "ready_for_discharge"


def test_over_the_api_a_statement_lets_the_patient_leave(client, db, org, nurse):
    dosing = monitored_since(
        db, ready_episode(db, org), nurse, minutes=130, dissociation_assessed=False
    )
    reading(dosing, nurse, db, reading_id="r-end", **NORMAL, moaas=5)
    heads = bearer(db, make_user(db, org, Role.nurse))
    path = f"/api/v1/dosing-sessions/{dosing.id}"
    held = client.post(f"{path}/ready-for-discharge", headers=heads)
    assert held.status_code == 409
    assert "dissociation is not assessed" in held.json()["detail"]
    stated = client.post(
        f"{path}/dissociation-statement",
        json={"statement": "Oriented and talking clearly; no dissociation left."},
        headers=heads,
    )
    assert stated.status_code == 201, stated.text
    assert client.post(f"{path}/ready-for-discharge", headers=heads).status_code == 200
