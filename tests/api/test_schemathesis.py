"""A schemathesis run over every operation of the JSON API, as an admin, a prescriber and a nurse.

The run uses its own migrated SQLite database, so what the API commits persists between requests
(created patients can then be read, updated and marked in error). Path parameters are sometimes
replaced by ids of real records, including another clinic's, so the run reaches past 404s.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine

from openkap.accounts.signin import service as sessions
from openkap.app import create_app
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import build_engine, session_scope
from openkap.core.models import Role
from openkap.patients.models import WeightMeasurement
from tests import verification
from tests.fixtures.factories import make_org, make_patient, make_user

ROLES = ["admin", "prescriber", "nurse"]
# Cases per operation and role: about 20,000 requests in `make test`, 100,000 in `make soak`.
EXAMPLES = verification.size(8, 150)
REQUESTS_TARGET = verification.size(20_000, 100_000)
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]

# The OpenAPI document does not depend on the database: read it from an app on an unused engine.
_RAW_SCHEMA = create_app(bind=create_engine("sqlite://")).openapi()
schema = schemathesis.openapi.from_dict(
    _RAW_SCHEMA, config=schemathesis.Config.from_dict({"seed": 1})
)

# Ids of seeded records, by path parameter name; filled by the `fuzz_target` fixture.
_KNOWN_IDS: dict[str, list[str]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Offer real ids (ours and another clinic's) beside the generated ones."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *_KNOWN_IDS.get(name, [])])
            for name, value in path_parameters.items()
        }
    )


@schema.hook
def flatmap_headers(context: Any, headers: dict[str, Any] | None) -> Any:
    """Offer If-Match versions a record can really have, so updates get past the 428."""
    if not headers or "if-match" not in headers:
        return st.just(headers)
    versions = st.sampled_from([headers["if-match"], '"1"', '"2"', 'W/"1"'])
    return versions.map(lambda version: {**headers, "if-match": version})


@dataclass(frozen=True)
class FuzzTarget:
    app: FastAPI
    tokens: dict[str, str]
    other_clinic_ids: frozenset[str]
    engine: Any


# Operations that end the caller's own access (signing out everywhere), or every unenrolled user's
# in the clinic (requiring MFA): each call runs as a new user of a clinic of its own, so the rest
# of the run keeps its tokens.
ACCESS_ENDING = {("POST", "/api/v1/me/sign-out-everywhere"), ("PUT", "/api/v1/sign-in-policy")}


def _throwaway_token(engine: Any, role: str) -> str:
    with session_scope(engine) as db, all_tenants(db):
        return sessions.issue_access_token(db, user=make_user(db, make_org(db), Role(role)))[1]


def _seed(engine: Any) -> tuple[dict[str, str], dict[str, list[str]], set[str]]:
    with session_scope(engine) as db, all_tenants(db):
        org, other = make_org(db), make_org(db, name="Other clinic")
        admin = make_user(db, org, Role.admin)
        prescriber = make_user(db, org, Role.prescriber)
        spare = make_user(db, org, Role.nurse)
        nurse = make_user(db, org, Role.nurse)
        stranger = make_user(db, other, Role.admin)
        patients = [make_patient(db, org) for _ in range(3)]
        foreign = make_patient(db, other)
        weights = [
            WeightMeasurement(
                organization_id=p.organization_id,
                patient_id=p.id,
                weight_kg=Decimal("72.5"),
                measured_on=date(2024, 1, 15),
                created_by_id=prescriber.id,
                updated_by_id=prescriber.id,
            )
            for p in (patients[0], foreign)
        ]
        db.add_all(weights)
        db.flush()
        spare_tokens = [
            sessions.create_personal_token(
                db, user=user, name="spare", expires_in_days=30, client_address="test"
            )[0]
            for user in (admin, prescriber, stranger)
        ]
        tokens = {
            "admin": sessions.issue_access_token(db, user=admin)[1],
            "prescriber": sessions.issue_access_token(db, user=prescriber)[1],
            "nurse": sessions.issue_access_token(db, user=nurse)[1],
        }
        known = {
            "patient_id": [str(p.id) for p in [*patients, foreign]],
            "weight_id": [str(w.id) for w in weights],
            # Not the callers themselves: the run must not lock its own accounts out.
            "user_id": [str(spare.id), str(stranger.id)],
            "token_id": [str(t.id) for t in spare_tokens],
        }
        foreign_ids = {
            str(foreign.id),
            str(weights[1].id),
            str(stranger.id),
            str(spare_tokens[2].id),
        }
        return tokens, known, foreign_ids


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    """A migrated SQLite database with two clinics, their staff and patients, and the app on it."""
    path = Path(tmp_path_factory.mktemp("fuzz")) / "openkap.sqlite3"
    engine = build_engine(f"sqlite:///{path}")
    upgrade(engine)
    tokens, known, foreign_ids = _seed(engine)
    _KNOWN_IDS.update(known)
    yield FuzzTarget(create_app(bind=engine), tokens, frozenset(foreign_ids), engine)
    _KNOWN_IDS.clear()
    engine.dispose()


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_answers_within_its_openapi_contract(
    case: schemathesis.Case,
    role: str,
    fuzz_target: FuzzTarget,
    fuzz_requests: Counter[tuple[str, int]],
    figures: dict[str, verification.Figure],
) -> None:
    token = fuzz_target.tokens[role]
    if (case.method.upper(), case.path) in ACCESS_ENDING:
        token = _throwaway_token(fuzz_target.engine, role)
    headers = {"Authorization": f"Bearer {token}"}
    response = case.call(app=fuzz_target.app, headers=headers)
    fuzz_requests[role, response.status_code] += 1
    try:
        case.validate_response(
            response, checks=CHECKS, headers=headers, transport_kwargs={"app": fuzz_target.app}
        )
    except Exception:
        verification.add(figures, "R2", measured=1, target=REQUESTS_TARGET, failures=1)
        raise
    verification.add(figures, "R2", measured=1, target=REQUESTS_TARGET)
    used_ids = {str(value) for value in (case.path_parameters or {}).values()}
    if used_ids & fuzz_target.other_clinic_ids and response.status_code < 400:
        pytest.fail(f"another clinic's record answered {response.status_code}: {case.path}")
