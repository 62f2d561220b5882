"""Every role tried on every endpoint, and users of another clinic on every record.

The expected table is written out here on purpose, independently of the permission table in
src/openkap/core/permissions.py: changing who may do what must change this test too.
"""

from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute

from openkap.app import create_app
from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_org, make_patient, make_user, web_login

A, P, N, T, F, R, PT = (
    Role.admin,
    Role.prescriber,
    Role.nurse,
    Role.therapist,
    Role.front_desk,
    Role.researcher,
    Role.patient,
)
EVERYONE = frozenset(Role)
PATIENT_READERS = frozenset({A, P, N, T, F})
PATIENT_WRITERS = frozenset({A, P, N, F})
CLINICIANS = frozenset({P, N, T})
WEIGHT_WRITERS = frozenset({P, N})


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    allowed: frozenset[Role]
    body: dict | None = None
    record_route: bool = True

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PATIENT = {
    "family_name": "Matrix",
    "given_name": "Test",
    "birth_date": "1990-01-01",
    "sex_at_birth": "male",
}
API_CALLS = [
    Call("GET", "/api/v1/patients", PATIENT_READERS, record_route=False),
    Call("POST", "/api/v1/patients", PATIENT_WRITERS, PATIENT, record_route=False),
    Call("GET", "/api/v1/patients/{patient}", PATIENT_READERS),
    Call("PATCH", "/api/v1/patients/{patient}", PATIENT_WRITERS, {"pronouns": "he/him"}),
    Call(
        "POST",
        "/api/v1/patients/{patient}/entered-in-error",
        frozenset({A, P}),
        {"reason": "matrix test"},
    ),
    Call("GET", "/api/v1/patients/{patient}/weights", CLINICIANS),
    Call(
        "POST",
        "/api/v1/patients/{patient}/weights",
        WEIGHT_WRITERS,
        {"weight_kg": 70, "measured_on": "2026-01-01"},
    ),
    Call(
        "POST",
        "/api/v1/patients/{patient}/weights/{weight}/entered-in-error",
        WEIGHT_WRITERS,
        {"reason": "matrix test"},
    ),
    Call("GET", "/api/v1/users", frozenset({A}), record_route=False),
    Call(
        "POST",
        "/api/v1/users",
        frozenset({A}),
        {
            "email": "new.user@example.org",
            "full_name": "New User",
            "password": "long enough password",
            "roles": ["nurse"],
        },
        record_route=False,
    ),
    Call("GET", "/api/v1/users/{user}", frozenset({A})),
    Call("PUT", "/api/v1/users/{user}", frozenset({A}), {"roles": ["nurse"], "is_active": True}),
    Call("GET", "/api/v1/audit-events", frozenset({A}), record_route=False),
    Call("GET", "/api/v1/me", EVERYONE, record_route=False),
    Call("GET", "/api/v1/tokens", EVERYONE, record_route=False),
    Call("POST", "/api/v1/tokens", EVERYONE, {"name": "matrix"}, record_route=False),
]
PAGE_CALLS = [
    Call("GET", "/patients", PATIENT_READERS, record_route=False),
    Call("GET", "/patients/new", PATIENT_WRITERS, record_route=False),
    Call("GET", "/patients/{patient}", PATIENT_READERS),
    Call("GET", "/patients/{patient}/edit", PATIENT_WRITERS),
    Call("GET", "/admin/users", frozenset({A}), record_route=False),
    Call("GET", "/admin/audit", frozenset({A}), record_route=False),
    Call("GET", "/account", EVERYONE, record_route=False),
]
# Routes that authenticate differently and are tested on their own (sign-in, token revocation).
UNMATRIXED = {"POST /api/v1/auth/token", "POST /api/v1/tokens/{token_id}/revoke"}


@pytest.fixture
def clinic(db):
    org = make_org(db)
    users = {role: make_user(db, org, role) for role in Role}
    patient = make_patient(db, org)
    from datetime import date
    from decimal import Decimal

    from openkap.patients.models import WeightMeasurement

    weight = WeightMeasurement(
        organization_id=org.id,
        patient_id=patient.id,
        weight_kg=Decimal("70.0"),
        measured_on=date(2026, 1, 1),
    )
    db.add(weight)
    db.flush()
    ids = {"patient": patient.id, "weight": weight.id, "user": users[Role.nurse].id}
    return users, ids


def _path(call: Call, ids) -> str:
    return call.path.format(**ids)


def _send(client, call: Call, ids, headers):
    extra = {"If-Match": '"1"'} if call.method == "PATCH" else {}
    return client.request(
        call.method, _path(call, ids), json=call.body, headers={**headers, **extra}
    )


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("call", API_CALLS, ids=str)
def test_api_role_matrix(db, client, clinic, call, role):
    users, ids = clinic
    response = _send(client, call, ids, bearer(db, users[role]))
    if role in call.allowed:
        assert response.status_code < 400, (role, str(call), response.text)
    else:
        assert response.status_code == 403, (role, str(call), response.text)
        assert response.json()["error"] == "Forbidden"


@pytest.mark.parametrize("call", [c for c in API_CALLS if c.record_route], ids=str)
def test_other_clinics_records_do_not_exist_for_any_role(db, client, clinic, call):
    _, ids = clinic
    outsider = make_user(db, make_org(db), *Role)
    response = _send(client, call, ids, bearer(db, outsider))
    assert response.status_code == 404, response.text


@pytest.mark.usefixtures("clinic")
def test_other_clinics_patients_never_appear_in_lists(db, client):
    outsider = make_user(db, make_org(db), *Role)
    listed = client.get("/api/v1/patients", headers=bearer(db, outsider)).json()["items"]
    assert listed == []
    users = client.get("/api/v1/users", headers=bearer(db, outsider)).json()
    assert [u["id"] for u in users] == [str(outsider.id)]


@pytest.mark.parametrize("call", API_CALLS, ids=str)
def test_api_refuses_calls_without_a_token(client, clinic, call):
    _, ids = clinic
    response = _send(client, call, ids, {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("call", PAGE_CALLS, ids=str)
def test_page_role_matrix(db, client, clinic, call, role):
    users, ids = clinic
    web_login(client, users[role].email)
    response = client.get(_path(call, ids), follow_redirects=False)
    expected = 200 if role in call.allowed else 403
    assert response.status_code == expected, (role, str(call))


@pytest.mark.parametrize("call", [c for c in PAGE_CALLS if c.record_route], ids=str)
def test_pages_of_other_clinics_records_are_not_found(db, client, clinic, call):
    _, ids = clinic
    outsider = make_user(db, make_org(db), *Role)
    web_login(client, outsider.email)
    assert client.get(_path(call, ids)).status_code == 404


def test_matrix_covers_every_api_route():
    routes = {
        f"{method} {route.path}"
        for route in create_app(bind=None).routes
        if isinstance(route, APIRoute) and route.path.startswith("/api/")
        for method in route.methods
    }
    covered = {f"{c.method} {c.path}" for c in API_CALLS} | UNMATRIXED
    normalise = {"{patient}": "{patient_id}", "{weight}": "{weight_id}", "{user}": "{user_id}"}
    for short, long in normalise.items():
        covered = {entry.replace(short, long) for entry in covered}
    assert routes - covered == set()


@pytest.mark.parametrize(
    ("role", "landing"),
    [(Role.admin, "/patients"), (Role.front_desk, "/patients"), (Role.nurse, "/patients")],
    ids=lambda v: getattr(v, "value", v),
)
def test_home_sends_staff_to_their_first_page(db, client, role, landing):
    user = make_user(db, make_org(db), role)
    web_login(client, user.email)
    assert client.get("/", follow_redirects=False).headers["location"] == landing


@pytest.mark.parametrize("role", [Role.researcher, Role.patient], ids=lambda r: r.value)
def test_home_tells_roles_without_clinic_pages_so(db, client, role):
    user = make_user(db, make_org(db), role)
    web_login(client, user.email)
    page = client.get("/")
    assert page.status_code == 200
    assert "has no clinic pages to open yet" in page.text
