"""Weight plausibility: a change over 10 % in 30 days or a pounds-like value needs a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.patients import weights
from openkap.patients.errors import WeightChangeUnconfirmed
from openkap.patients.models import WeightMeasurement
from openkap.patients.schemas import WeightCreate
from tests.fixtures.factories import bearer, make_episode, make_org, make_patient, make_user

TODAY = utcnow().date()


@pytest.fixture
def nurse_and_patient(db):
    org = make_org(db)
    nurse = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    return nurse, make_patient(db, org)


def record(db, by, patient, kg, *, days_ago=0, reason=None):
    data = WeightCreate(
        weight_kg=Decimal(kg),
        measured_on=TODAY - timedelta(days=days_ago),
        confirm_change=reason is not None,
        change_reason=reason,
    )
    return weights.record_weight(db, patient=patient, data=data, by=by)


def count(db, patient):
    query = select(func.count()).where(WeightMeasurement.patient_id == patient.id)
    return db.scalar(query)


def test_change_over_10_percent_within_30_days_is_refused_naming_the_change(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "70.0", days_ago=7)
    with pytest.raises(WeightChangeUnconfirmed) as refused:
        record(db, nurse, patient, "78.0")
    message = refused.value.message
    assert "change_over_10_percent_in_30_days" in message
    assert "78.0 kg on " + TODAY.isoformat() in message
    assert "70.0 kg on " + (TODAY - timedelta(days=7)).isoformat() in message
    assert "11.4 % more" in message
    assert "7 days apart" in message
    assert refused.value.status_code == 409
    assert count(db, patient) == 1


def test_a_change_of_exactly_10_percent_or_after_30_days_is_accepted(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "70.0", days_ago=60)
    record(db, nurse, patient, "77.0", days_ago=31)  # exactly 10 % more, 29 days later
    record(db, nurse, patient, "90.0", days_ago=0)  # 16.9 % more than 77.0, but 31 days later
    assert count(db, patient) == 3


def test_a_loss_over_10_percent_is_refused_too(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "80.0", days_ago=10)
    with pytest.raises(WeightChangeUnconfirmed, match=r"12\.5 % less"):
        record(db, nurse, patient, "70.0")


def test_pounds_typed_as_kilograms_is_refused_whenever_it_comes(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "70.0", days_ago=200)
    with pytest.raises(WeightChangeUnconfirmed) as refused:
        record(db, nurse, patient, "154.3")
    assert "pounds_typed_as_kilograms" in refused.value.message
    assert "change_over_10_percent_in_30_days" not in refused.value.message


def test_a_kilogram_value_after_a_weight_in_pounds_is_questioned(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "154.0", days_ago=100)
    with pytest.raises(WeightChangeUnconfirmed, match="pounds_typed_as_kilograms"):
        record(db, nurse, patient, "70.0")


def test_confirmed_change_keeps_the_reason_and_is_audited(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    first = record(db, nurse, patient, "70.0", days_ago=7)
    weight = record(db, nurse, patient, "60.0", reason="Lost weight in hospital, scale checked.")
    assert weight.change_rules == "change_over_10_percent_in_30_days"
    assert weight.change_reason == "Lost weight in hospital, scale checked."
    assert weight.change_compared_with_id == first.id
    (event,) = [
        e
        for e in db.info[_PENDING_KEY]
        if e["action"] == "weight.change_confirmed" and e["resource_id"] == str(weight.id)
    ]
    assert "rules=change_over_10_percent_in_30_days" in event["detail"]
    assert "percent=-14.3" in event["detail"]
    assert "hospital" not in event["detail"]


def test_a_reason_for_a_plausible_weight_is_not_kept(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "70.0", days_ago=7)
    weight = record(db, nurse, patient, "71.0", reason="Nothing to confirm here at all.")
    assert weight.change_rules is None
    assert weight.change_reason is None


def test_weight_entered_in_error_is_not_the_reference(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "70.0", days_ago=7)
    wrong = record(db, nurse, patient, "154.0", days_ago=3, reason="Confirmed by mistake, sorry.")
    weights.mark_weight_in_error(
        db, patient=patient, weight_id=wrong.id, reason="Pounds, not kg.", by=nurse
    )
    record(db, nurse, patient, "70.5")
    assert count(db, patient) == 3


def test_a_backdated_weight_is_compared_with_the_one_before_it_or_the_first_after(
    db, nurse_and_patient
):
    nurse, patient = nurse_and_patient
    record(db, nurse, patient, "70.0", days_ago=10)
    with pytest.raises(WeightChangeUnconfirmed, match=r"previous weight of 70\.0 kg"):
        record(db, nurse, patient, "90.0", days_ago=20)
    with pytest.raises(WeightChangeUnconfirmed, match=r"70\.0 kg"):
        record(db, nurse, patient, "50.0", days_ago=5)


def test_the_first_weight_needs_no_confirmation(db, nurse_and_patient):
    nurse, patient = nurse_and_patient
    assert record(db, nurse, patient, "154.0").change_rules is None


# The API refuses with the rule's name and figures, and accepts the confirmation.


def post_weight(client, db, user, patient, **body):
    return client.post(
        f"/api/v1/patients/{patient.id}/weights", json=body, headers=bearer(db, user)
    )


def test_api_refuses_a_pounds_like_weight_with_409_and_accepts_it_confirmed(db, client):
    org = make_org(db)
    nurse, patient = make_user(db, org, Role.nurse), make_patient(db, org)
    day = TODAY.isoformat()
    assert (
        post_weight(client, db, nurse, patient, weight_kg=70.0, measured_on=day).status_code == 201
    )
    refused = post_weight(client, db, nurse, patient, weight_kg=154.3, measured_on=day)
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "WeightChangeUnconfirmed"
    for named in ("154.3 kg", "70.0 kg", "120.4 % more", "pounds_typed_as_kilograms"):
        assert named in body["detail"]
    listed = client.get(f"/api/v1/patients/{patient.id}/weights", headers=bearer(db, nurse))
    assert len(listed.json()) == 1
    no_reason = post_weight(
        client, db, nurse, patient, weight_kg=154.3, measured_on=day, confirm_change=True
    )
    assert no_reason.status_code == 422
    confirmed = post_weight(
        client,
        db,
        nurse,
        patient,
        weight_kg=154.3,
        measured_on=day,
        confirm_change=True,
        change_reason="Weighed twice on the clinic scale.",
    )
    assert confirmed.status_code == 201, confirmed.text
    assert (
        confirmed.json()["change_rules"]
        == "change_over_10_percent_in_30_days,pounds_typed_as_kilograms"
    )
    assert confirmed.json()["change_reason"] == "Weighed twice on the clinic scale."


def test_intake_weight_passes_the_same_check(db, client):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    episode = make_episode(db, org)
    day = TODAY.isoformat()
    url = f"/api/v1/episodes/{episode.id}/intake/weights"
    first = client.post(url, json={"weight_kg": 80, "measured_on": day}, headers=bearer(db, nurse))
    assert first.status_code == 201, first.text
    again = client.post(url, json={"weight_kg": 60, "measured_on": day}, headers=bearer(db, nurse))
    assert again.status_code == 409
    assert again.json()["error"] == "WeightChangeUnconfirmed"
