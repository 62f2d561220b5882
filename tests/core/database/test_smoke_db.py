from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_org, make_patient, make_user


def test_api_reads_patient_created_in_test_transaction(db, client):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    patient = make_patient(db, org)
    response = client.get(f"/api/v1/patients/{patient.id}", headers=bearer(db, nurse))
    assert response.status_code == 200
    assert response.json()["mrn"] == patient.mrn
