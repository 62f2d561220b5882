"""Matrix entries of the foundation: patients, weights, users, audit, tokens."""

from datetime import date
from decimal import Decimal

from openkap.core.models import Role, RoleGrant, SecurityAlert
from openkap.patients.models import WeightMeasurement
from tests.fixtures.factories import make_patient, make_user
from tests.matrix import CLINICIANS, EVERYONE, PATIENT_READERS, PATIENT_WRITERS, A, Call, N, P

PATIENT = {
    "family_name": "Matrix",
    "given_name": "Test",
    "birth_date": "1990-01-01",
    "sex_at_birth": "male",
}
# A user none of the matrix's callers signs in as, whose access the administrator may end.
STAFF = {"user_id": "staff_id"}
API_CALLS = [
    Call("GET", "/api/v1/patients", PATIENT_READERS, record_route=False),
    Call("POST", "/api/v1/patients", PATIENT_WRITERS, PATIENT, record_route=False),
    Call("GET", "/api/v1/patients/{patient_id}", PATIENT_READERS),
    Call("PATCH", "/api/v1/patients/{patient_id}", PATIENT_WRITERS, {"pronouns": "he/him"}),
    Call(
        "POST",
        "/api/v1/patients/{patient_id}/entered-in-error",
        frozenset({A, P}),
        {"reason": "matrix test"},
    ),
    Call("GET", "/api/v1/patients/{patient_id}/weights", CLINICIANS),
    Call(
        "POST",
        "/api/v1/patients/{patient_id}/weights",
        frozenset({P, N}),
        {"weight_kg": 70, "measured_on": "2026-01-01"},
    ),
    Call("PUT", "/api/v1/patients/{patient_id}/height", CLINICIANS, {"height_cm": 170}),
    Call(
        "POST",
        "/api/v1/patients/{patient_id}/weights/{weight_id}/entered-in-error",
        frozenset({P, N}),
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
    Call("GET", "/api/v1/users/{user_id}", frozenset({A})),
    Call("PUT", "/api/v1/users/{user_id}", frozenset({A}), {"roles": ["nurse"], "is_active": True}),
    *(
        Call("POST", f"/api/v1/users/{{user_id}}/{action}", frozenset({A}), use=STAFF)
        for action in ("end-sessions", "unlock", "reset-mfa")
    ),
    Call(
        "POST",
        "/api/v1/users/{user_id}/password",
        frozenset({A}),
        {"new_password": "tangerine lighthouse marble violin"},
        use=STAFF,
    ),
    Call("GET", "/api/v1/security-alerts", frozenset({A}), record_route=False),
    Call("POST", "/api/v1/security-alerts/{alert_id}/acknowledge", frozenset({A})),
    Call("GET", "/api/v1/role-grants", frozenset({A}), record_route=False),
    Call("POST", "/api/v1/role-grants/{grant_id}/approve", frozenset({A})),
    Call("POST", "/api/v1/role-grants/{grant_id}/decline", frozenset({A})),
    Call("GET", "/api/v1/audit-events", frozenset({A}), record_route=False),
    Call("GET", "/api/v1/me", EVERYONE, record_route=False),
    Call("GET", "/api/v1/tokens", EVERYONE, record_route=False),
    Call("POST", "/api/v1/tokens", EVERYONE, {"name": "matrix"}, record_route=False),
]
PAGE_CALLS = [
    Call("GET", "/patients", PATIENT_READERS, record_route=False),
    Call("GET", "/patients/new", PATIENT_WRITERS, record_route=False),
    Call("GET", "/patients/{patient_id}", PATIENT_READERS),
    Call("GET", "/patients/{patient_id}/edit", PATIENT_WRITERS),
    Call("GET", "/admin/users", frozenset({A}), record_route=False),
    Call("GET", "/admin/audit", frozenset({A}), record_route=False),
    Call("GET", "/account", EVERYONE, record_route=False),
]
# Routes that authenticate differently or end the callers' own access, tested on their own
# (sign-in, token revocation, signing out everywhere, the clinic's sign-in policy).
UNMATRIXED = {
    "POST /api/v1/auth/token",
    "POST /api/v1/tokens/{token_id}/revoke",
    "POST /api/v1/me/sign-out-everywhere",
    "PUT /api/v1/sign-in-policy",
}


def _alert(db, org):
    alert = SecurityAlert(organization_id=org.id, kind="repeated_refusals", detail="matrix")
    db.add(alert)
    db.flush()
    return alert


def seed(db, org, users):
    patient = make_patient(db, org)
    weight = WeightMeasurement(
        organization_id=org.id,
        patient_id=patient.id,
        weight_kg=Decimal("70.0"),
        measured_on=date(2026, 1, 1),
    )
    db.add(weight)
    # A pending grant asked for by the clinic's set-up, so the clinic's administrator may decide.
    grant = RoleGrant(organization_id=org.id, user_id=users[N].id, role="prescriber")
    db.add(grant)
    db.flush()
    return {
        "patient_id": patient.id,
        "weight_id": weight.id,
        "user_id": users[N].id,
        "grant_id": grant.id,
        "staff_id": make_user(db, org, Role.therapist).id,
        "alert_id": _alert(db, org).id,
    }
