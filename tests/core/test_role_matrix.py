"""Every role tried on every endpoint, and users of another clinic on every record.

The expected table is written out here on purpose, independently of the permission table in
src/openkap/core/permissions.py: changing who may do what must change this test too.
"""

import importlib

import pytest

from openkap.app import create_app
from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_org, make_user, web_login
from tests.matrix import Call

# Every domain's matrix module, in pathway order.
MATRIX_MODULES = [
    "tests.core.matrix",
    "tests.episodes.matrix",
    "tests.intake.matrix",
    "tests.intake.matrix_screening",
    "tests.plans.matrix",
]
MATRICES = [importlib.import_module(name) for name in MATRIX_MODULES]
API_CALLS: list[Call] = [call for m in MATRICES for call in m.API_CALLS]
PAGE_CALLS: list[Call] = [call for m in MATRICES for call in m.PAGE_CALLS]
UNMATRIXED: set[str] = {route for m in MATRICES for route in getattr(m, "UNMATRIXED", set())}


@pytest.fixture
def clinic(db):
    org = make_org(db)
    users = {role: make_user(db, org, role) for role in Role}
    ids = {}
    for matrix in MATRICES:
        ids.update(matrix.seed(db, org, users))
    db.flush()
    return users, ids


def _path(call: Call, ids) -> str:
    chosen = {param: ids[key] for param, key in (call.use or {}).items()}
    return call.path.format(**{**ids, **chosen})


def _send(client, call: Call, ids, headers):
    extra = {"If-Match": '"1"'} if call.method == "PATCH" else {}
    return client.request(
        call.method, _path(call, ids), json=call.body, data=call.form, headers={**headers, **extra}
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
    spec = create_app(bind=None).openapi()
    routes = {
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }
    assert "GET /api/v1/patients/{patient_id}" in routes
    covered = {str(call) for call in API_CALLS} | UNMATRIXED
    assert routes - covered == set()
    assert covered - routes == set(), "the matrix names routes the API does not have"


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
