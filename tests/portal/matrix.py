"""Matrix entries of the portal domain (see tests/matrix.py).

Patients (and only patients) use the portal pages, and only with their own record; staff who
work with patients (prescribers, nurses, therapists, front desk) invite them and see or close
their portal access; clinic administrators change the portal settings. The invitation page is
reached without signing in, by whoever holds the link.
"""

from openkap.assessments.schemas import CompletedBy
from openkap.assessments.service import record_response
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.portal.access import portal_patient
from openkap.portal.links import service as links
from openkap.portal.models import PortalAccount
from openkap.portal.questionnaires.service import start_questionnaire
from tests.fixtures.factories import make_patient
from tests.matrix import EVERYONE, PT, A, Call, F, N, P, T
from tests.portal.builders import due_item, patient_course

INVITERS = frozenset({P, N, T, F})
PATIENT = frozenset({PT})
ADMIN = frozenset({A})
INVITED = {"patient_id": "portal_invited_patient_id"}
DRAFT = "/portal/questionnaires/{portal_draft_id}"

API_CALLS = [
    Call("POST", "/api/v1/patients/{patient_id}/portal-invitations", INVITERS, {}, use=INVITED),
    Call("GET", "/api/v1/patients/{patient_id}/portal", INVITERS, use=INVITED),
    Call(
        "POST",
        "/api/v1/patients/{patient_id}/portal/close",
        INVITERS,
        {"reason": "The patient asked to stop."},
        use=INVITED,
    ),
]
PAGE_CALLS = [
    Call("GET", "/portal", PATIENT, record_route=False),
    Call("GET", DRAFT + "/questions/1", PATIENT),
    Call("GET", DRAFT + "/support", PATIENT),
    Call("GET", DRAFT + "/review", PATIENT),
    Call("GET", "/portal/results/{portal_response_id}", PATIENT),
    Call("GET", "/portal/sessions", PATIENT, record_route=False),
    Call("GET", "/portal/plan", PATIENT, record_route=False),
    Call("GET", "/portal/progress", PATIENT, record_route=False),
    Call("GET", "/portal/start/{portal_link_token}", EVERYONE, record_route=False),
    Call("GET", "/patients/{patient_id}/portal", INVITERS, use=INVITED),
    Call("GET", "/admin/portal-settings", ADMIN, record_route=False),
]


def seed(db, org, users):
    course = patient_course(db, org)
    account_user = users[Role.patient]
    db.add(
        PortalAccount(
            organization_id=org.id,
            patient_id=course.patient.id,
            user_id=account_user.id,
            has_email=True,
        )
    )
    db.flush()
    patient_principal = Principal(user=account_user, client_address="matrix")
    portal = portal_patient(db, by=patient_principal)
    draft = start_questionnaire(
        db, portal=portal, due_id=due_item(db, course.patient).id, now=utcnow()
    )
    nurse = Principal(user=users[Role.nurse], client_address="matrix")
    response = record_response(
        db,
        patient=course.patient,
        episode=course.episode,
        instrument_id="gad7",
        answers=[1] * 7,
        completed_by=CompletedBy.patient,
        by=nurse,
    )
    invited = make_patient(db, org)
    invitation = links.invite_patient(db, patient_id=invited.id, email=None, by=nurse)
    db.flush()
    return {
        "portal_draft_id": draft.id,
        "portal_response_id": response.id,
        "portal_invited_patient_id": invited.id,
        "portal_link_token": invitation.token,
    }
