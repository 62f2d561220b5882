"""Rule 5, at the chair: an unacknowledged suicide-risk alert holds dosing until a clinician
records a risk assessment; no role overrides it (CLINICAL.md, chair guard-rails)."""

import pytest

from openkap.core.models import Role
from openkap.dosing.chair import pre_dose
from openkap.dosing.chair.pre_dose import StopKey
from openkap.dosing.errors import HardStopsUnresolved, SessionStateRefused
from openkap.followup.alerts.service import acknowledge_urgent_alert, raise_urgent_alert
from openkap.followup.models import RiskLevel
from tests.dosing.builders import as_role, cleared, ready_episode
from tests.fixtures.factories import bearer, web_login

ACTION = "Saw the patient; no current intent, safety plan reviewed."
REASON = "Discussed with the patient; benefit outweighs the risk today."


def _risk_alert(db, dosing, by, kind="suicide_risk"):
    return raise_urgent_alert(
        db,
        patient_id=dosing.patient_id,
        episode_id=dosing.episode_id,
        kind=kind,
        message="PHQ-9: item 9 answered 2 (by the patient in the portal).",
        evidence={},
        by=by,
    )


def _keys(db, dosing):
    return {stop.key for stop in pre_dose.pre_dose_hard_stops(db, dosing=dosing)}


def test_an_open_suicide_risk_alert_holds_dosing_and_cannot_be_overridden(db, org):
    nurse, prescriber = as_role(db, org, Role.nurse), as_role(db, org, Role.prescriber)
    dosing = cleared(db, ready_episode(db, org), nurse)
    alert = _risk_alert(db, dosing, nurse)
    [stop] = pre_dose.pre_dose_hard_stops(db, dosing=dosing)
    assert (stop.key, stop.overridable) == (StopKey.suicide_risk_unassessed, False)
    assert f"/urgent-alerts/{alert.id}" in stop.message
    with pytest.raises(HardStopsUnresolved, match="suicide_risk_unassessed"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    with pytest.raises(SessionStateRefused, match="cannot be overridden"):
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=StopKey.suicide_risk_unassessed, reason=REASON, by=prescriber
        )


def test_a_clinicians_risk_assessment_resolves_the_stop(db, org):
    nurse, therapist = as_role(db, org, Role.nurse), as_role(db, org, Role.therapist)
    dosing = cleared(db, ready_episode(db, org), nurse)
    alert = _risk_alert(db, dosing, nurse)
    acknowledge_urgent_alert(
        db,
        alert_id=alert.id,
        action_taken=ACTION,
        risk_level=RiskLevel.low,
        safety_plan_reviewed=True,
        by=therapist,
    )
    assert _keys(db, dosing) == set()
    pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    assert dosing.dosing_started_at is not None


def test_other_urgent_alerts_and_other_patients_alerts_do_not_hold_dosing(db, org):
    nurse = as_role(db, org, Role.nurse)
    dosing = cleared(db, ready_episode(db, org), nurse)
    other = cleared(db, ready_episode(db, org), nurse)
    _risk_alert(db, dosing, nurse, kind="missed_contact")
    _risk_alert(db, other, nurse)
    assert _keys(db, dosing) == set()


def test_the_api_names_the_stop_and_refuses_start_and_override(db, client, org):
    nurse, prescriber = as_role(db, org, Role.nurse), as_role(db, org, Role.prescriber)
    dosing = cleared(db, ready_episode(db, org), nurse)
    alert = _risk_alert(db, dosing, nurse)
    url = f"/api/v1/dosing-sessions/{dosing.id}"
    stops = client.get(f"{url}/hard-stops", headers=bearer(db, nurse.user)).json()
    assert [(s["key"], s["overridable"]) for s in stops] == [("suicide_risk_unassessed", False)]
    started = client.post(f"{url}/start", headers=bearer(db, nurse.user))
    assert started.status_code == 409
    assert "suicide_risk_unassessed" in started.json()["detail"]
    override = {"stop_key": "suicide_risk_unassessed", "reason": REASON}
    refused = client.post(f"{url}/overrides", json=override, headers=bearer(db, prescriber.user))
    assert refused.status_code == 409
    assert "cannot be overridden" in refused.json()["detail"]
    assessed = {"action_taken": ACTION, "risk_level": "low", "safety_plan_reviewed": True}
    client.post(
        f"/api/v1/urgent-alerts/{alert.id}/acknowledge",
        json=assessed,
        headers=bearer(db, prescriber.user),
    )
    assert client.post(f"{url}/start", headers=bearer(db, nurse.user)).status_code == 200


def test_the_chair_page_shows_the_stop_without_an_override_form(db, client, org):
    nurse, prescriber = as_role(db, org, Role.nurse), as_role(db, org, Role.prescriber)
    dosing = cleared(db, ready_episode(db, org), nurse)
    _risk_alert(db, dosing, nurse)
    web_login(client, prescriber.user.email)
    page = client.get(f"/dosing-sessions/{dosing.id}").text
    assert 'id="stop-suicide_risk_unassessed"' in page
    assert "override-suicide_risk_unassessed" not in page
