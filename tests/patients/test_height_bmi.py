"""Height on the patient record, BMI beside each weight, and the intake's height kept in step."""

from decimal import Decimal

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.patients.body import bmi, record_height
from openkap.patients.models import PatientRevision
from openkap.patients.schemas import HeightSet
from tests.fixtures.factories import bearer, make_episode, make_org, make_patient, make_user


def test_bmi_is_kg_per_square_metre_to_one_decimal_half_up():
    assert bmi(Decimal("70.0"), Decimal("175.0")) == Decimal("22.9")
    assert bmi(Decimal("70.0"), None) is None
    assert bmi(None, Decimal("175.0")) is None


def test_height_is_kept_in_the_record_revisions(db):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    record_height(db, patient=patient, data=HeightSet(height_cm=Decimal("170.0")), by=nurse)
    record_height(db, patient=patient, data=HeightSet(height_cm=Decimal("171.5")), by=nurse)
    snapshots = db.query(PatientRevision).filter_by(patient_id=patient.id).all()
    assert [s.snapshot["height_cm"] for s in sorted(snapshots, key=lambda s: s.version)] == [
        "170.0",
        "171.5",
    ]


def test_front_desk_may_not_record_a_height_even_through_the_service(db):
    org = make_org(db)
    desk = Principal(user=make_user(db, org, Role.front_desk), client_address="test")
    with pytest.raises(Forbidden):
        record_height(db, patient=make_patient(db, org), data=HeightSet(height_cm=170), by=desk)


def test_api_records_height_and_lists_weights_with_their_bmi(db, client):
    org = make_org(db)
    nurse, patient = make_user(db, org, Role.nurse), make_patient(db, org)
    headers = bearer(db, nurse)
    base = f"/api/v1/patients/{patient.id}"
    day = utcnow().date().isoformat()
    client.post(f"{base}/weights", json={"weight_kg": 81, "measured_on": day}, headers=headers)
    assert client.put(f"{base}/height", json={"height_cm": 99}, headers=headers).status_code == 422
    assert client.put(f"{base}/height", json={"height_cm": 251}, headers=headers).status_code == 422
    done = client.put(f"{base}/height", json={"height_cm": 180}, headers=headers)
    assert done.status_code == 200, done.text
    assert Decimal(done.json()["height_cm"]) == Decimal(180)
    listed = client.get(f"{base}/weights", headers=headers).json()
    assert Decimal(listed[0]["bmi"]) == Decimal("25.0")


def test_height_from_the_intake_reaches_the_patient_record(db, client):
    org = make_org(db)
    therapist = make_user(db, org, Role.therapist)
    episode = make_episode(db, org)
    headers = bearer(db, therapist)
    url = f"/api/v1/episodes/{episode.id}/intake"
    intake = client.get(url, headers=headers)
    version = intake.headers["ETag"]
    saved = client.patch(url, json={"height_cm": 164}, headers={**headers, "If-Match": version})
    assert saved.status_code == 200, saved.text
    patient = client.get(f"/api/v1/patients/{episode.patient_id}", headers=headers).json()
    assert Decimal(patient["height_cm"]) == Decimal(164)
