"""Malformed input gets 422 naming the fields; unknown and other clinics' records get one 404."""

import uuid

import pytest

from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_org, make_patient, make_user

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def auth(db):
    """Headers of a prescriber, who may read patients and their clinical data."""
    org = make_org(db)
    return bearer(db, make_user(db, org, Role.prescriber))


def _assert_validation_error(response):
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "ValidationError"
    assert body["fields"], body
    assert all(field["name"] and field["message"] for field in body["fields"])
    return body


def test_malformed_json_body_is_422_with_fields(client, auth):
    response = client.post(
        "/api/v1/patients", content=b'{"family_name": "Doe",', headers={**auth, **JSON}
    )
    _assert_validation_error(response)


def test_body_that_is_not_utf8_is_422_with_fields(client, auth):
    response = client.post(
        "/api/v1/patients", content=b'{"family_name": "\xff\xfe"}', headers={**auth, **JSON}
    )
    _assert_validation_error(response)


def test_wrong_field_type_in_body_names_the_field(client, auth):
    response = client.post(
        "/api/v1/patients",
        json={"family_name": 3, "given_name": "Ann", "birth_date": "1980-01-01"},
        headers=auth,
    )
    names = {field["name"] for field in _assert_validation_error(response)["fields"]}
    assert {"family_name", "sex_at_birth"} <= names


@pytest.mark.parametrize(
    ("parameter", "value"), [("limit", "many"), ("birth_date", "yesterday"), ("limit", "0")]
)
def test_wrong_query_parameter_is_422_naming_it(client, auth, parameter, value):
    response = client.get("/api/v1/patients", params={parameter: value}, headers=auth)
    names = [field["name"] for field in _assert_validation_error(response)["fields"]]
    assert any(name.endswith(parameter) for name in names), names


def test_malformed_patient_id_is_422(client, auth):
    response = client.get("/api/v1/patients/not-a-uuid", headers=auth)
    names = [field["name"] for field in _assert_validation_error(response)["fields"]]
    assert any(name.endswith("patient_id") for name in names), names


def test_unknown_patient_id_is_404(client, auth):
    response = client.get(f"/api/v1/patients/{uuid.uuid4()}", headers=auth)
    assert response.status_code == 404
    assert response.json() == {"error": "PatientNotFound", "detail": "No such patient."}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/patients/{id}", None),
        ("GET", "/api/v1/patients/{id}/weights", None),
        (
            "POST",
            "/api/v1/patients/{id}/weights",
            {"weight_kg": "70.5", "measured_on": "2024-01-02"},
        ),
        ("POST", "/api/v1/patients/{id}/entered-in-error", {"reason": "duplicate record"}),
    ],
)
def test_other_clinics_patient_is_404_like_an_unknown_one(client, db, auth, method, path, body):
    foreign = make_patient(db, make_org(db, name="Other clinic"))

    def answer(patient_id):
        response = client.request(method, path.format(id=patient_id), json=body, headers=auth)
        return response.status_code, response.json()

    not_found = (404, {"error": "PatientNotFound", "detail": "No such patient."})
    assert answer(foreign.id) == answer(uuid.uuid4()) == not_found


@pytest.mark.parametrize("authenticated", [True, False])
def test_unknown_route_under_api_is_json_404(client, auth, authenticated):
    response = client.get("/api/v1/no-such-resource", headers=auth if authenticated else {})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "NotFound"


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/api/v1/patients", {"params": {"q": "ann\x00"}}),
        (
            "POST",
            "/api/v1/auth/token",
            {"data": {"username": "a\x00@example.org", "password": "x"}},
        ),
        (
            "POST",
            "/api/v1/patients",
            {
                "json": {
                    "family_name": "Doe\x00",
                    "given_name": "Ann",
                    "birth_date": "1980-01-01",
                    "sex_at_birth": "female",
                }
            },
        ),
    ],
)
def test_text_with_a_nul_character_is_not_a_server_error(client, auth, method, path, kwargs):
    # PostgreSQL cannot store NUL in text; the API must refuse it (422), not fail with a 500.
    response = client.request(method, path, headers=auth, **kwargs)
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
