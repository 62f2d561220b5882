"""The weight of the day at the chair: kept in the weight history, checked, re-checking mg/kg."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.chair import pre_dose
from openkap.dosing.chair.pre_dose import ChecklistKey, StopKey
from openkap.dosing.errors import HardStopsUnresolved
from openkap.dosing.models import ChecklistItem
from openkap.patients.errors import WeightChangeUnconfirmed
from openkap.patients.models import WeightMeasurement
from openkap.plans.models import TreatmentPlan
from tests.dosing.builders import as_role, cleared, ready_episode
from tests.fixtures.factories import bearer, make_user, web_login

REASON = "Weighed twice on the clinic scale; the patient lost weight."
STOP = StopKey.dose_above_plan_max_per_kg


def weigh(db, patient_id, org, kg, *, days_ago):
    db.add(
        WeightMeasurement(
            organization_id=org.id,
            patient_id=patient_id,
            weight_kg=Decimal(kg),
            measured_on=utcnow().date() - timedelta(days=days_ago),
        )
    )
    db.flush()


def answer_weight(db, dosing, by, kg, reason=None):
    return pre_dose.record_checklist(
        db,
        dosing=dosing,
        key=ChecklistKey.weight_kg,
        value=kg,
        by=by,
        weight_change_reason=reason,
    )


def weights_of(db, patient_id):
    rows = db.scalars(select(WeightMeasurement).where(WeightMeasurement.patient_id == patient_id))
    return sorted(str(w.weight_kg) for w in rows)


def stops(db, dosing):
    return {stop.key: stop for stop in pre_dose.pre_dose_hard_stops(db, dosing=dosing)}


def test_the_checklist_weight_is_recorded_in_the_weight_history(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    answer_weight(db, dosing, nurse, "71.5")
    [weight] = db.scalars(
        select(WeightMeasurement).where(WeightMeasurement.patient_id == dosing.patient_id)
    )
    assert (weight.weight_kg, weight.measured_on) == (Decimal("71.5"), dosing.checked_in_at.date())


def test_a_pounds_like_checklist_weight_is_refused_and_nothing_is_written(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    weigh(db, dosing.patient_id, org, "70.0", days_ago=5)
    with pytest.raises(WeightChangeUnconfirmed, match="pounds_typed_as_kilograms"):
        answer_weight(db, dosing, nurse, "154.3")
    assert weights_of(db, dosing.patient_id) == ["70.0"]
    answered = select(func.count()).where(ChecklistItem.item_key == "weight_kg")
    assert db.scalar(answered.select_from(ChecklistItem)) == 0


def test_a_checklist_weight_confirmed_with_a_reason_is_kept_with_it(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    weigh(db, dosing.patient_id, org, "70.0", days_ago=5)
    answer_weight(db, dosing, nurse, "62.0", reason=REASON)
    [confirmed] = db.scalars(
        select(WeightMeasurement).where(WeightMeasurement.change_reason.is_not(None))
    )
    assert confirmed.change_rules == "change_over_10_percent_in_30_days"


def test_the_days_weight_above_the_plans_max_per_kg_is_a_hard_stop(db, org, nurse):
    # The session's dose is the plan's 35 mg; at 30 kg that is 1.167 mg/kg (maximum 1.0).
    dosing = cleared(db, ready_episode(db, org), nurse)
    answer_weight(db, dosing, nurse, "30.0")
    stop = stops(db, dosing)[STOP]
    assert "35 mg is 1.167 mg/kg" in stop.message
    assert "30.0 kg, checklist" in stop.message
    assert "maximum of 1.000 mg/kg" in stop.message
    assert stop.blocking
    assert stop.overridable
    with pytest.raises(HardStopsUnresolved, match=STOP.value):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)


def test_a_recent_weight_re_checks_the_dose_when_none_is_taken_today(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    weigh(db, dosing.patient_id, org, "30.0", days_ago=3)
    assert "30.0 kg, measured" in stops(db, dosing)[STOP].message


def test_a_dose_within_the_max_per_kg_at_todays_weight_is_no_stop(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    answer_weight(db, dosing, nurse, "70.0")
    assert STOP not in stops(db, dosing)


def test_an_adjusted_weight_plan_re_checks_by_the_adjusted_body_weight(db, org, nurse):
    episode = ready_episode(db, org)
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).one()
    plan.dosing_weight, plan.height_cm = "adjusted", Decimal(150)
    dosing = cleared(db, episode, nurse)
    dosing.planned_dose_mg = Decimal(70)
    # The builders' patient is female; 150 cm: ideal 45.5 kg, adjusted 67.3 kg at 100 kg.
    answer_weight(db, dosing, nurse, "100.0")
    assert "1.040 mg/kg at today's adjusted body weight" in stops(db, dosing)[STOP].message
    plan.dosing_weight = "actual"
    assert STOP not in stops(db, dosing)  # 0.7 mg/kg of the actual weight


def test_only_a_prescriber_overrides_the_stop(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    answer_weight(db, dosing, nurse, "30.0")
    with pytest.raises(Forbidden):
        pre_dose.override_hard_stop(db, dosing=dosing, key=STOP, reason=REASON, by=nurse)
    prescriber = as_role(db, org, Role.prescriber)
    pre_dose.override_hard_stop(db, dosing=dosing, key=STOP, reason=REASON, by=prescriber)
    assert not stops(db, dosing)[STOP].blocking
    pre_dose.start_dosing(db, dosing=dosing, by=nurse)


# Through the API.


def _checked_in_session(client, db, org):
    episode = ready_episode(db, org)
    heads = {role: bearer(db, make_user(db, org, role)) for role in (Role.nurse, Role.prescriber)}
    later = (utcnow() + timedelta(hours=2)).isoformat()
    made = client.post(
        f"/api/v1/episodes/{episode.id}/dosing-sessions",
        json={"scheduled_for": later},
        headers=heads[Role.nurse],
    )
    path = f"/api/v1/dosing-sessions/{made.json()['id']}"
    assert client.post(f"{path}/check-in", headers=heads[Role.nurse]).status_code == 200
    return episode, path, heads[Role.nurse], heads[Role.prescriber]


def test_api_refuses_a_questioned_checklist_weight_and_takes_it_with_a_reason(db, client, org):
    episode, path, nurse, _ = _checked_in_session(client, db, org)
    weigh(db, episode.patient_id, org, "70.0", days_ago=5)
    body = {"key": "weight_kg", "value": "154.3"}
    refused = client.post(f"{path}/checklist", json=body, headers=nurse)
    assert refused.status_code == 409
    assert refused.json()["error"] == "WeightChangeUnconfirmed"
    assert "70.0 kg" in refused.json()["detail"]
    confirmed = client.post(
        f"{path}/checklist", json={**body, "weight_change_reason": REASON}, headers=nurse
    )
    assert confirmed.status_code == 201, confirmed.text
    assert weights_of(db, episode.patient_id) == ["154.3", "70.0"]


def test_api_lists_the_per_kg_stop_and_only_a_prescriber_overrides_it(db, client, org):
    _, path, nurse, prescriber = _checked_in_session(client, db, org)
    sent = client.post(f"{path}/checklist", json={"key": "weight_kg", "value": "30"}, headers=nurse)
    assert sent.status_code == 201, sent.text
    listed = {s["key"]: s for s in client.get(f"{path}/hard-stops", headers=nurse).json()}
    assert "1.167 mg/kg" in listed[STOP.value]["message"]
    body = {"stop_key": STOP.value, "reason": REASON}
    assert client.post(f"{path}/overrides", json=body, headers=nurse).status_code == 403
    assert client.post(f"{path}/overrides", json=body, headers=prescriber).status_code == 201
    listed = {s["key"]: s for s in client.get(f"{path}/hard-stops", headers=nurse).json()}
    assert listed[STOP.value]["blocking"] is False


# The chair page.


def test_chair_page_shows_the_questioned_weight_and_takes_it_with_a_reason(db, client, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    weigh(db, dosing.patient_id, org, "70.0", days_ago=5)
    csrf = web_login(client, nurse.user.email)
    path = f"/dosing-sessions/{dosing.id}/checklist"
    form = {"checklist-weight_kg": "154.3", "csrf_token": csrf}
    refused = client.post(path, data=form, headers={"HX-Request": "true"})
    assert refused.status_code == 409
    assert 'id="e-checklist-weight_kg"' in refused.text
    assert "pounds_typed_as_kilograms" in refused.text
    assert 'name="checklist-weight_change_reason"' in refused.text
    taken = client.post(
        path,
        data={**form, "checklist-weight_change_reason": REASON},
        headers={"HX-Request": "true"},
    )
    assert taken.status_code == 200, taken.text
    assert weights_of(db, dosing.patient_id) == ["154.3", "70.0"]
