"""Patient registry through the JSON API."""

from sqlalchemy import select

from openkap.core.models import Role
from openkap.patients.models import PatientRevision
from tests.fixtures.factories import bearer, make_org, make_patient, make_user

NEW_PATIENT = {
    "family_name": "Okonkwo",
    "given_name": "Adaeze",
    "preferred_name": "Ada",
    "pronouns": "she/her",
    "birth_date": "1979-08-21",
    "sex_at_birth": "female",
    "gender_identity": "woman",
    "phone": "+1 (503) 555-0142",
    "email": "ada@example.org",
    "country": "us",
    "emergency_contact_name": "Chidi Okonkwo",
    "emergency_contact_relationship": "spouse",
    "emergency_contact_phone": "+1 503 555 0143",
}


def test_create_patient_returns_record_with_version_etag_and_generated_mrn(db, client):
    desk = make_user(db, make_org(db), Role.front_desk)
    response = client.post("/api/v1/patients", json=NEW_PATIENT, headers=bearer(db, desk))
    assert response.status_code == 201
    body = response.json()
    assert body["preferred_name"] == "Ada"
    assert body["country"] == "US"
    assert body["mrn"].startswith("K")
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/v1/patients/{body['id']}"


def test_mrn_is_unique_within_a_clinic_but_not_across_clinics(db, client):
    org_a, org_b = make_org(db), make_org(db)
    make_patient(db, org_a, mrn="MRN-1")
    duplicate = client.post(
        "/api/v1/patients",
        json={**NEW_PATIENT, "mrn": "MRN-1"},
        headers=bearer(db, make_user(db, org_a, Role.front_desk)),
    )
    assert duplicate.status_code == 409
    assert "MRN-1" in duplicate.json()["detail"]
    elsewhere = client.post(
        "/api/v1/patients",
        json={**NEW_PATIENT, "mrn": "MRN-1"},
        headers=bearer(db, make_user(db, org_b, Role.front_desk)),
    )
    assert elsewhere.status_code == 201


def test_malformed_patient_gets_422_naming_each_field(db, client):
    desk = make_user(db, make_org(db), Role.front_desk)
    bad = {
        **NEW_PATIENT,
        "birth_date": "2999-01-01",
        "sex_at_birth": "x",
        "email": "nope",
        "country": "USA",
        "shoe_size": 42,
    }
    response = client.post("/api/v1/patients", json=bad, headers=bearer(db, desk))
    assert response.status_code == 422
    names = {field["name"] for field in response.json()["fields"]}
    assert {"birth_date", "sex_at_birth", "email", "country", "shoe_size"} <= names
    future = next(f for f in response.json()["fields"] if f["name"] == "birth_date")
    assert "future" in future["message"]


def test_update_with_current_version_succeeds_and_keeps_history(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.nurse))
    response = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"phone": "+1 503 555 0000"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.headers["etag"] == '"2"'
    versions = list(
        db.scalars(select(PatientRevision.version).where(PatientRevision.patient_id == patient.id))
    )
    assert 2 in versions


def test_update_with_stale_version_is_a_409_conflict(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.nurse))
    first = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"pronouns": "they/them"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"pronouns": "she/her"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert second.status_code == 409
    assert second.json()["error"] == "VersionMismatch"
    current = client.get(f"/api/v1/patients/{patient.id}", headers=headers).json()
    assert current["pronouns"] == "they/them"


def test_update_without_if_match_is_refused_with_428(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    response = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"pronouns": "he/him"},
        headers=bearer(db, make_user(db, org, Role.nurse)),
    )
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


def test_update_cannot_empty_a_required_field(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    response = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"family_name": None},
        headers={**bearer(db, make_user(db, org, Role.nurse)), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert "family_name" in response.json()["detail"]


def test_entered_in_error_keeps_the_record_readable_and_frozen(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.prescriber))
    marked = client.post(
        f"/api/v1/patients/{patient.id}/entered-in-error",
        json={"reason": "duplicate of K0001234"},
        headers=headers,
    )
    assert marked.json()["status"] == "entered-in-error"
    again = client.get(f"/api/v1/patients/{patient.id}", headers=headers)
    assert again.json()["error_reason"] == "duplicate of K0001234"
    edit = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"pronouns": "he/him"},
        headers={**headers, "If-Match": f'"{again.json()["version"]}"'},
    )
    assert edit.status_code == 409
    listed = client.get("/api/v1/patients", headers=headers).json()["items"]
    assert patient.id not in {p["id"] for p in listed}


def test_search_by_name_words_mrn_and_birth_date(db, client):
    from datetime import date

    org = make_org(db)
    target = make_patient(
        db,
        org,
        family_name="Lindqvist",
        given_name="Maja",
        birth_date=date(1990, 1, 2),
        mrn="RX-77",
    )
    make_patient(db, org, family_name="Lindqvist", given_name="Erik")
    headers = bearer(db, make_user(db, org, Role.front_desk))

    def ids(**params):
        items = client.get("/api/v1/patients", params=params, headers=headers).json()["items"]
        return [item["id"] for item in items]

    assert ids(q="maja lindq") == [str(target.id)]
    assert ids(q="rx-77") == [str(target.id)]
    assert ids(q="lindqvist", birth_date="1990-01-02") == [str(target.id)]
    assert len(ids(q="lindqvist")) == 2
    assert ids(q="100%_") == []


def test_pagination_walks_every_patient_once_in_name_order(db, client):
    org = make_org(db)
    for name in ["Zeta", "Alpha", "Mu", "Beta", "Kappa"]:
        make_patient(db, org, family_name=name)
    headers = bearer(db, make_user(db, org, Role.front_desk))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/patients", params=params, headers=headers).json()
        seen += [item["family_name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Alpha", "Beta", "Kappa", "Mu", "Zeta"]


def test_page_size_has_a_hard_maximum(db, client):
    headers = bearer(db, make_user(db, make_org(db), Role.front_desk))
    response = client.get("/api/v1/patients", params={"limit": 1000}, headers=headers)
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "limit"


def test_forged_cursor_is_refused_with_a_clear_message(db, client):
    headers = bearer(db, make_user(db, make_org(db), Role.front_desk))
    response = client.get("/api/v1/patients", params={"cursor": "garbage!"}, headers=headers)
    assert response.status_code == 422
    assert "cursor" in response.json()["detail"]


def test_weight_is_recorded_and_listed_newest_first(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.nurse))
    for day, kg in (("2026-01-05", 71.4), ("2026-03-01", 70.2)):
        created = client.post(
            f"/api/v1/patients/{patient.id}/weights",
            json={"weight_kg": kg, "measured_on": day},
            headers=headers,
        )
        assert created.status_code == 201
    listed = client.get(f"/api/v1/patients/{patient.id}/weights", headers=headers).json()
    assert [(w["measured_on"], w["weight_kg"]) for w in listed] == [
        ("2026-03-01", "70.2"),
        ("2026-01-05", "71.4"),
    ]


def test_weight_outside_physiological_bounds_is_refused_naming_the_bound(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.nurse))
    for kg, bound in ((900, "400"), (1.5, "2")):
        response = client.post(
            f"/api/v1/patients/{patient.id}/weights",
            json={"weight_kg": kg, "measured_on": "2026-01-05"},
            headers=headers,
        )
        assert response.status_code == 422
        assert bound in response.json()["fields"][0]["message"]


def test_wrong_weight_is_marked_in_error_not_deleted(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.nurse))
    weight = client.post(
        f"/api/v1/patients/{patient.id}/weights",
        json={"weight_kg": 17.1, "measured_on": "2026-01-05"},
        headers=headers,
    ).json()
    client.post(
        f"/api/v1/patients/{patient.id}/weights/{weight['id']}/entered-in-error",
        json={"reason": "typed 17.1 instead of 71.1"},
        headers=headers,
    )
    listed = client.get(f"/api/v1/patients/{patient.id}/weights", headers=headers).json()
    assert listed[0]["status"] == "entered-in-error"
    assert listed[0]["error_reason"] == "typed 17.1 instead of 71.1"


def test_primary_clinician_must_belong_to_the_clinic(db, client):
    org, other = make_org(db), make_org(db)
    outsider = make_user(db, other, Role.prescriber)
    response = client.post(
        "/api/v1/patients",
        json={**NEW_PATIENT, "primary_clinician_id": str(outsider.id)},
        headers=bearer(db, make_user(db, org, Role.front_desk)),
    )
    assert response.status_code == 422
    assert response.json()["error"] == "UnknownClinician"
