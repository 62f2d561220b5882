"""What a patient reads in the portal: due questionnaires, upcoming sessions, the integration
plan shared with them, and their own scores. Every read is scoped to their record and audited."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.dosing.models import DosingSession, SessionState
from openkap.instruments import Instrument, get_instrument
from openkap.portal import contracts
from openkap.portal.access import PortalPatient, audit_read
from openkap.portal.errors import PortalNotFound
from openkap.portal.models import DraftStatus, PortalDraft
from openkap.portal.questionnaires.questions import answered_count
from openkap.portal.questionnaires.service import drafts_by_due, due_for_patient
from openkap.therapy.models import IntegrationPlan

# The route of a dosing session in the patient's words.
ROUTE_WORDS = {
    "iv": "Ketamine infusion (through a drip in your arm)",
    "im": "Ketamine injection (into a muscle of your arm)",
    "intranasal": "Esketamine nasal spray",
    "sublingual": "Ketamine lozenge (held under the tongue)",
}
SESSIONS_SHOWN = 10
RESPONSES_CHARTED = 500
# A session that started a little while ago is still "today's session" for the patient.
SESSION_GRACE = timedelta(hours=2)


@dataclass(frozen=True, kw_only=True)
class DueEntry:
    """A due questionnaire on the home page, with the patient's progress in it."""

    due: contracts.DueItem
    instrument: Instrument
    draft: PortalDraft | None
    answered: int
    asked: int


def _entry(due: contracts.DueItem, draft: PortalDraft | None) -> DueEntry:
    instrument = get_instrument(due.instrument_id)
    answered, asked = answered_count(draft) if draft is not None else (0, len(instrument.items))
    return DueEntry(due=due, instrument=instrument, draft=draft, answered=answered, asked=asked)


def due_entries(session: Session, *, portal: PortalPatient, now: datetime) -> list[DueEntry]:
    """Return the patient's open questionnaires with any answers begun; audit the read."""
    items = [
        item
        for item in due_for_patient(session, portal=portal, now=now)
        if get_instrument(item.instrument_id).respondent == "patient"
    ]
    drafts = drafts_by_due(session, portal=portal, due_ids=[item.id for item in items])
    entries = [
        _entry(item, drafts.get(item.id))
        for item in items
        if drafts.get(item.id) is None or drafts[item.id].status == DraftStatus.open
    ]
    audit_read(portal, session, what="questionnaires", resource_id=None)
    return entries


def pending_crisis(session: Session, *, portal: PortalPatient) -> PortalDraft | None:
    """Return a draft whose crisis message the patient has not seen yet, if any."""
    return session.scalars(
        select(PortalDraft)
        .where(
            PortalDraft.patient_id == portal.patient_id,
            PortalDraft.status == DraftStatus.open,
            PortalDraft.crisis_pending.is_(True),
        )
        .limit(1)
    ).first()


def upcoming_sessions(
    session: Session, *, portal: PortalPatient, now: datetime, limit: int = SESSIONS_SHOWN
) -> list[DosingSession]:
    """Return the patient's next scheduled dosing sessions, soonest first; audit the read."""
    rows = list(
        session.scalars(
            select(DosingSession)
            .where(
                DosingSession.patient_id == portal.patient_id,
                DosingSession.state == SessionState.scheduled,
                DosingSession.scheduled_for >= now - SESSION_GRACE,
            )
            .order_by(DosingSession.scheduled_for)
            .limit(limit)
        )
    )
    audit_read(portal, session, what="sessions", resource_id=None)
    return rows


def shared_plan(session: Session, *, portal: PortalPatient) -> IntegrationPlan | None:
    """Return the integration plan version shared with the patient, if any; audit the read."""
    plan = contracts.current_plan_for_patient(session, patient_id=portal.patient_id)
    if plan is not None and plan.patient_id != portal.patient_id:
        # A plan for anyone else is never shown, whatever the lookup returned.
        plan = None
    audit_read(portal, session, what="integration_plan", resource_id=plan.id if plan else None)
    return plan


def own_responses(
    session: Session, *, portal: PortalPatient, limit: int = RESPONSES_CHARTED
) -> list[AssessmentResponse]:
    """Return the patient's own active responses, oldest first (the newest `limit`)."""
    rows = list(
        session.scalars(
            select(AssessmentResponse)
            .where(
                AssessmentResponse.patient_id == portal.patient_id,
                AssessmentResponse.status == "active",
            )
            .order_by(AssessmentResponse.completed_at.desc())
            .limit(limit)
        )
    )
    audit_read(portal, session, what="scores", resource_id=None)
    return rows[::-1]


def own_response(
    session: Session, *, portal: PortalPatient, response_id: uuid.UUID
) -> AssessmentResponse:
    """Return one of the patient's own responses (another patient's does not exist here)."""
    response = session.get(AssessmentResponse, (portal.principal.organization_id, response_id))
    if response is None or response.patient_id != portal.patient_id:
        raise PortalNotFound("No such result.")
    audit_read(portal, session, what="response", resource_id=response.id)
    return response
