"""A demo patient who signs in to the portal: patient@demo.openkap.org with the demo password.

Runs after the other generators: it picks the first demo patient with a dosing session still
booked (so questionnaires are due), else one with scores to chart, else the first patient.
"""

import uuid

from sqlalchemy import select

from openkap.accounts.demo import demo_email
from openkap.accounts.service import create_user
from openkap.assessments.models import AssessmentResponse
from openkap.core.demo import DemoContext
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.security import DEMO_PASSWORD, hash_password, new_token
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession, SessionState
from openkap.patients.models import Patient
from openkap.portal.models import PortalAccount

DEMO_PATIENT_HANDLE = "patient"


def _chosen_patient(context: DemoContext) -> uuid.UUID | None:
    session = context.session
    org = context.org.id
    booked = session.scalars(
        select(DosingSession.patient_id)
        .where(
            DosingSession.organization_id == org,
            DosingSession.state == SessionState.scheduled,
            DosingSession.scheduled_for > utcnow(),
        )
        .order_by(DosingSession.scheduled_for)
        .limit(1)
    ).first()
    scored = session.scalars(
        select(AssessmentResponse.patient_id)
        .where(AssessmentResponse.organization_id == org)
        .order_by(AssessmentResponse.completed_at)
        .limit(1)
    ).first()
    return booked or scored or (context.patient_ids[0] if context.patient_ids else None)


def generate(context: DemoContext) -> None:
    """Give one demo patient a portal account with the demo password."""
    patient_id = _chosen_patient(context)
    context.advance(context.patient_count)
    if patient_id is None:
        return
    patient = context.session.get(Patient, (context.org.id, patient_id))
    assert patient is not None
    admin = context.staff.get(Role.admin)
    user = create_user(
        context.session,
        organization_id=context.org.id,
        email=demo_email(DEMO_PATIENT_HANDLE),
        full_name=patient.display_name,
        password=new_token(),
        roles=[Role.patient],
        by=Principal(user=admin[0], client_address="demo") if admin else None,
    )
    # The published demo password is refused to every account a person creates, so it is set here.
    user.password_hash = hash_password(DEMO_PASSWORD)
    context.session.add(
        PortalAccount(
            organization_id=context.org.id,
            patient_id=patient.id,
            user_id=user.id,
            has_email=True,
            password_set_at=utcnow(),
        )
    )
    context.session.flush()
