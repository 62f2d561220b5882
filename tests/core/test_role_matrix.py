"""Every role tried on every endpoint, and users of another clinic on every record.

The expected table is written out here on purpose, independently of the permission table in
src/openkap/core/permissions.py: changing who may do what must change this test too.

`make test` tries each role with a signed-in access token and one outsider holding every role;
`make soak` (figure R3) adds the other credential a client can hold, a personal token, and an
outsider of each single role, so the product role x clinic x credential x operation is tried.
"""

import importlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from openkap.accounts.signin import service as sessions
from openkap.app import create_app
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import session_factory
from openkap.core.deps import SESSION_COOKIE
from openkap.core.models import Role, User
from tests import verification
from tests.fixtures.factories import make_org, make_user
from tests.matrix import Call

# Every domain's matrix module, in pathway order.
MATRIX_MODULES = [
    "tests.core.matrix",
    "tests.episodes.matrix",
    "tests.intake.matrix",
    "tests.intake.matrix_screening",
    "tests.plans.matrix",
    "tests.dosing.matrix",
    "tests.dosing.matrix_administration",
    "tests.dosing.matrix_observations",
    "tests.dosing.matrix_rems",
    "tests.dosing.matrix_thresholds",
    "tests.dosing.matrix_remainder",
    "tests.inventory.matrix",
    "tests.therapy.matrix",
    "tests.followup.matrix",
    "tests.portal.matrix",
    "tests.outcomes.matrix",
]
MATRICES = [importlib.import_module(name) for name in MATRIX_MODULES]
API_CALLS: list[Call] = [call for m in MATRICES for call in m.API_CALLS]
PAGE_CALLS: list[Call] = [call for m in MATRICES for call in m.PAGE_CALLS]
UNMATRIXED: set[str] = {route for m in MATRICES for route in getattr(m, "UNMATRIXED", set())}
CREDENTIALS = ["access"] + (["personal"] if verification.SOAK else [])
# The outsider of another clinic: one holding every role, and in the soak one of each role.
OUTSIDERS = ["every-role"] + ([role.value for role in Role] if verification.SOAK else [])


@dataclass(frozen=True)
class Clinic:
    """The seeded clinic: a user and credentials per role, an outsider, and record ids."""

    users: dict[Role, User]
    bearer: dict[tuple[Role, str], dict[str, str]]
    cookie: dict[Role, str]
    outsider: dict[str, User]
    outsider_bearer: dict[tuple[str, str], dict[str, str]]
    outsider_cookie: dict[str, str]
    ids: dict[str, uuid.UUID]


def _bearers(session, user: User) -> dict[str, dict[str, str]]:
    """The user's API credentials by kind: a signed-in access token and a personal token."""
    _, access = sessions.issue_access_token(session, user=user)
    _, personal = sessions.create_personal_token(
        session, user=user, name="matrix", expires_in_days=None, client_address="matrix"
    )
    return {
        kind: {"Authorization": f"Bearer {token}"}
        for kind, token in [("access", access), ("personal", personal)]
    }


def _cookie(session, user: User) -> str:
    _, cookie = sessions.start_web_session(
        session, user=user, client_address="matrix", mfa_passed=True
    )
    return cookie


def _outsiders(session) -> dict[str, User]:
    """Users of another clinic: one holding every role, and one of each role."""
    other = make_org(session)
    everyone = {"every-role": make_user(session, other, *Role)}
    return everyone | {role.value: make_user(session, other, role) for role in Role}


@pytest.fixture(scope="module")
def matrix_connection(engine):
    """One transaction per module, rolled back at the end; each test runs in a savepoint."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="module")
def clinic(matrix_connection) -> Clinic:
    # Seeding once per module keeps the matrix fast; every test rolls back to this state.
    session = session_factory(matrix_connection)()
    with all_tenants(session):
        org = make_org(session)
        users = {role: make_user(session, org, role) for role in Role}
        ids: dict[str, uuid.UUID] = {}
        for matrix in MATRICES:
            ids.update(matrix.seed(session, org, users))
        outsiders = _outsiders(session)
        bearers = {role: _bearers(session, user) for role, user in users.items()}
        outsider_bearers = {name: _bearers(session, user) for name, user in outsiders.items()}
        clinic = Clinic(
            users=users,
            bearer={(r, kind): b for r, kinds in bearers.items() for kind, b in kinds.items()},
            cookie={role: _cookie(session, user) for role, user in users.items()},
            outsider=outsiders,
            outsider_bearer={
                (name, kind): b
                for name, kinds in outsider_bearers.items()
                for kind, b in kinds.items()
            },
            outsider_cookie={name: _cookie(session, user) for name, user in outsiders.items()},
            ids=ids,
        )
        session.commit()
    return clinic


@pytest.fixture(scope="module")
def module_client(matrix_connection) -> Iterator[TestClient]:
    with TestClient(create_app(bind=matrix_connection), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def matrix_client(matrix_connection, module_client, clinic) -> Iterator[TestClient]:
    savepoint = matrix_connection.begin_nested()
    module_client.cookies.clear()
    yield module_client
    savepoint.rollback()


def _expected_for_outsider(call: Call, outsider: str) -> set[int]:
    """Another clinic's record does not exist (404) for a role that may use the route; a role
    that may not use it is refused, before the record is looked up (403) or by it (404): neither
    tells whether the record exists."""
    if outsider == "every-role" or Role(outsider) in call.allowed:
        return {404}
    return {403, 404}


def _path(call: Call, ids) -> str:
    chosen = {param: ids[key] for param, key in (call.use or {}).items()}
    return call.path.format(**{**ids, **chosen})


def _send(client, call: Call, ids, headers):
    extra = {"If-Match": '"1"'} if call.method in ("PATCH", "POST") else {}
    return client.request(
        call.method, _path(call, ids), json=call.body, data=call.form, headers={**headers, **extra}
    )


@pytest.mark.figure("R3")
@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("call", API_CALLS, ids=str)
def test_api_role_matrix(matrix_client, clinic, call, role, credential):
    response = _send(matrix_client, call, clinic.ids, clinic.bearer[role, credential])
    if role in call.allowed:
        assert response.status_code < 400, (role, str(call), response.text)
    else:
        assert response.status_code == 403, (role, str(call), response.text)
        assert response.json()["error"] == "Forbidden"


@pytest.mark.figure("R3")
@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("call", [c for c in API_CALLS if c.record_route], ids=str)
def test_other_clinics_records_do_not_exist_for_any_role(
    matrix_client, clinic, call, outsider, credential
):
    response = _send(matrix_client, call, clinic.ids, clinic.outsider_bearer[outsider, credential])
    assert response.status_code in _expected_for_outsider(call, outsider), response.text


@pytest.mark.figure("R3")
def test_other_clinics_patients_never_appear_in_lists(matrix_client, clinic):
    headers = clinic.outsider_bearer["every-role", "access"]
    listed = matrix_client.get("/api/v1/patients", headers=headers).json()["items"]
    assert listed == []
    users = matrix_client.get("/api/v1/users", headers=headers).json()
    assert {u["id"] for u in users} == {str(user.id) for user in clinic.outsider.values()}


@pytest.mark.figure("R3")
@pytest.mark.parametrize("call", API_CALLS, ids=str)
def test_api_refuses_calls_without_a_token(matrix_client, clinic, call):
    response = _send(matrix_client, call, clinic.ids, {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.figure("R3")
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("call", PAGE_CALLS, ids=str)
def test_page_role_matrix(matrix_client, clinic, call, role):
    matrix_client.cookies.set(SESSION_COOKIE, clinic.cookie[role])
    response = matrix_client.get(_path(call, clinic.ids), follow_redirects=False)
    expected = 200 if role in call.allowed else 403
    assert response.status_code == expected, (role, str(call))


@pytest.mark.figure("R3")
@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("call", [c for c in PAGE_CALLS if c.record_route], ids=str)
def test_pages_of_other_clinics_records_are_not_found(matrix_client, clinic, call, outsider):
    matrix_client.cookies.set(SESSION_COOKIE, clinic.outsider_cookie[outsider])
    status = matrix_client.get(_path(call, clinic.ids)).status_code
    assert status in _expected_for_outsider(call, outsider), (outsider, str(call))


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
