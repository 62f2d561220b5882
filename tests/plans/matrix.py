"""Matrix entries of plans, consent, REMS and preparation (see tests/matrix.py).

Prescribers write and sign plans; admins and prescribers change protocol templates; admins
alone rewrite consent documents; clinicians record consent and preparation; prescribers and
nurses record REMS enrolment. Front desk, researchers and patients get none of it.
"""

import uuid
from datetime import timedelta

from openkap.accounts import service as accounts
from openkap.core.models import Role, User
from openkap.core.time import utcnow
from openkap.plans.consent import service as consent
from openkap.plans.consent.defaults import ensure_default_documents
from openkap.plans.models import ConsentDocument, ProtocolTemplate
from openkap.plans.preparation import rems
from openkap.plans.preparation import service as preparation
from openkap.plans.preparation.schemas import (
    ConsentFields,
    PreparationCheckCreate,
    RemsEnrolmentCreate,
)
from openkap.plans.treatment.defaults import ensure_default_templates
from tests.matrix import CLINICIANS, A, Call, N, P, T
from tests.plans.builders import TODAY, make_plan, principal, screened_episode

# Request bodies cannot name seeded records, so the witness has a fixed id.
WITNESS_ID = uuid.UUID("00000000-0000-4000-8000-00000000beef")
PLANNED = {"episode_id": "plan_episode_id"}
UNPLANNED = {"episode_id": "planning_episode_id"}
ADMIN_OR_PRESCRIBER = frozenset({A, P})
DOCUMENT_READERS = frozenset({A, P, N, T})
PRESCRIBER = frozenset({P})
REMS_RECORDERS = frozenset({P, N})
_SIGNED_AT = (utcnow() - timedelta(hours=1)).isoformat()
_SOON = (utcnow() + timedelta(days=2)).isoformat()
CONSENT = {
    "document_key": "iv_racemic",
    "method": "typed",
    "signed_name": "Matrix Patient",
    "signed_at": _SIGNED_AT,
    "witness_id": str(WITNESS_ID),
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

API_CALLS = [
    Call("GET", "/api/v1/protocol-templates", ADMIN_OR_PRESCRIBER, record_route=False),
    Call("GET", "/api/v1/protocol-templates/{template_id}", ADMIN_OR_PRESCRIBER),
    Call(
        "POST",
        "/api/v1/protocol-templates/{template_id}/versions",
        ADMIN_OR_PRESCRIBER,
        {"change_note": "matrix"},
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/plans", CLINICIANS, use=PLANNED),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/plans",
        PRESCRIBER,
        {"template_key": "intranasal_esketamine", "start_on": TODAY.isoformat()},
        use=UNPLANNED,
    ),
    Call("GET", "/api/v1/plans/{plan_id}", CLINICIANS),
    Call("POST", "/api/v1/plans/{plan_id}/sign", PRESCRIBER),
    Call("POST", "/api/v1/plans/{plan_id}/revisions", PRESCRIBER, {"change_reason": "matrix"}),
    Call("GET", "/api/v1/consent-documents", DOCUMENT_READERS, record_route=False),
    Call("GET", "/api/v1/consent-documents/{consent_document_id}", DOCUMENT_READERS),
    Call(
        "POST",
        "/api/v1/consent-documents/{consent_document_id}/versions",
        frozenset({A}),
        {"title": "Matrix consent"},
    ),
    Call("POST", "/api/v1/episodes/{episode_id}/consents", CLINICIANS, CONSENT, use=PLANNED),
    Call("POST", "/api/v1/consents/{consent_id}/withdraw", CLINICIANS, {"reason": "matrix"}),
    Call("GET", "/api/v1/consents/{consent_id}/scan", CLINICIANS),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/rems-enrolment",
        REMS_RECORDERS,
        {"rems_patient_id": "REMS-9", "enrolled_on": TODAY.isoformat()},
        use=UNPLANNED,
    ),
    Call(
        "POST",
        "/api/v1/rems-enrolments/{rems_enrolment_id}/entered-in-error",
        REMS_RECORDERS,
        {"reason": "matrix"},
    ),
    Call("GET", "/api/v1/episodes/{episode_id}/preparation", CLINICIANS, use=PLANNED),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/preparation-checks",
        CLINICIANS,
        {"kind": "pdmp", "performed_on": TODAY.isoformat(), "result": "no_concerns"},
        use=PLANNED,
    ),
    Call(
        "POST",
        "/api/v1/preparation-checks/{preparation_check_id}/entered-in-error",
        CLINICIANS,
        {"reason": "matrix"},
    ),
    Call(
        "POST",
        "/api/v1/episodes/{episode_id}/preparation-sessions",
        CLINICIANS,
        {"scheduled_for": _SOON},
        use=PLANNED,
    ),
    Call(
        "POST",
        "/api/v1/preparation-sessions/{preparation_session_id}/complete",
        CLINICIANS,
        {"intentions": "calm", "education_given": "effects", "set_and_setting": "quiet"},
    ),
    Call(
        "POST",
        "/api/v1/preparation-sessions/{preparation_session_id}/cancel",
        CLINICIANS,
        {"reason": "matrix"},
    ),
]
PAGE_CALLS = [
    Call("GET", "/protocol-templates", ADMIN_OR_PRESCRIBER, record_route=False),
    Call("GET", "/protocol-templates/{template_id}", ADMIN_OR_PRESCRIBER),
    Call("GET", "/episodes/{episode_id}/plan", CLINICIANS, use=PLANNED),
    Call("GET", "/episodes/{episode_id}/plan", CLINICIANS, use=UNPLANNED),
    Call("GET", "/episodes/{episode_id}/preparation", CLINICIANS, use=PLANNED),
    Call(
        "GET",
        "/episodes/{episode_id}/preparation/consents/{consent_id}/scan",
        CLINICIANS,
        use=PLANNED,
    ),
    Call("GET", "/consent-documents", frozenset({A}), record_route=False),
    Call("GET", "/consent-documents/{consent_document_id}", frozenset({A})),
]


def _witness(db, org) -> User:
    witness = User(
        id=WITNESS_ID,
        organization_id=org.id,
        email=f"witness-{org.id}@example.org",
        full_name="Matrix Witness",
        password_hash="never signs in",
        role_rows=accounts.role_rows((Role.front_desk,)),
    )
    db.add(witness)
    db.flush()
    return witness


def _current(db, model, org, key):
    return db.query(model).filter_by(organization_id=org.id, key=key, is_current=True).one()


def seed(db, org, users):
    _witness(db, org)
    ensure_default_templates(db, organization_id=org.id)
    ensure_default_documents(db, organization_id=org.id)
    planning = screened_episode(db, org)
    planned = screened_episode(db, org)
    plan = make_plan(db, users[P], planned, template_key="intranasal_esketamine")
    nurse = principal(users[N])
    given = consent.record_consent(
        db,
        episode=planned,
        data=ConsentFields.model_validate({**CONSENT, "method": "scan"}),
        scan=("consent.png", PNG),
        by=nurse,
    )
    enrolment = rems.record_enrolment(
        db,
        episode=planned,
        data=RemsEnrolmentCreate(rems_patient_id="REMS-1", enrolled_on=TODAY),
        by=nurse,
    )
    check = preparation.record_check(
        db,
        episode=planned,
        data=PreparationCheckCreate(kind="pdmp", performed_on=TODAY, result="no_concerns"),
        by=nurse,
    )
    session = preparation.schedule_session(
        db,
        episode=planned,
        scheduled_for=utcnow() + timedelta(days=1),
        clinician_id=None,
        by=nurse,
    )
    return {
        "template_id": _current(db, ProtocolTemplate, org, "iv_racemic").id,
        "consent_document_id": _current(db, ConsentDocument, org, "iv_racemic").id,
        "plan_episode_id": planned.id,
        "planning_episode_id": planning.id,
        "plan_id": plan.id,
        "consent_id": given.id,
        "rems_enrolment_id": enrolment.id,
        "preparation_check_id": check.id,
        "preparation_session_id": session.id,
    }
