"""Answering a due questionnaire in the portal: start or resume, save each answer, send.

Every answer is saved as it is given, so a patient can stop and come back. A suicide-risk answer
marks the crisis message to be shown next and raises the urgent alert at once; sending records
the response with openkap.assessments (which hands it to the follow-up rules every stored
response goes through: the suicide-risk alert, linked to the one raised here, and relapse) and
marks the due item done in the follow-up schedule.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.assessments.errors import InvalidResponse
from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import CompletedBy
from openkap.assessments.service import record_response
from openkap.core.audit import chain as audit
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.episodes.service import list_episodes
from openkap.instruments import get_instrument
from openkap.portal import contracts
from openkap.portal.access import PortalPatient, audit_read
from openkap.portal.errors import AlreadySubmitted, DraftIncomplete, NotDue, PortalNotFound
from openkap.portal.models import DraftStatus, PortalDraft
from openkap.portal.questionnaires.questions import (
    instrument_of,
    missing_required,
    parse_answer,
    question,
)
from openkap.portal.questionnaires.risk import (
    alert_without_blocking,
    first_risk_answer,
    is_risk_answer,
    raise_risk_alert,
)
from openkap.portal.settings.service import clinic_portal_settings

SETTING = "portal"


def due_for_patient(
    session: Session, *, portal: PortalPatient, now: datetime
) -> list[contracts.DueItem]:
    """Return the patient's questionnaires that are due or overdue, soonest first."""
    items = contracts.due_questionnaires(
        session, patient_id=portal.patient_id, now=now, by=portal.principal
    )
    open_items = [item for item in items if item.status in contracts.OPEN_STATUSES]
    return sorted(open_items, key=lambda item: item.due_at)


def drafts_by_due(
    session: Session, *, portal: PortalPatient, due_ids: list[uuid.UUID]
) -> dict[uuid.UUID, PortalDraft]:
    """Return the patient's drafts of these due items, by due id."""
    if not due_ids:
        return {}
    rows = session.scalars(
        select(PortalDraft).where(
            PortalDraft.patient_id == portal.patient_id, PortalDraft.due_id.in_(due_ids)
        )
    )
    return {row.due_id: row for row in rows}


def _current_episode_id(session: Session, portal: PortalPatient) -> uuid.UUID | None:
    episodes = list_episodes(session, patient=portal.patient)
    still_open = [episode for episode in episodes if episode.closed_at is None]
    chosen = still_open or episodes
    return chosen[0].id if chosen else None


def _episode_id(
    session: Session, portal: PortalPatient, due: contracts.DueItem
) -> uuid.UUID | None:
    # The schedule's item names its episode; a stand-alone questionnaire takes the current one.
    return due.episode_id or _current_episode_id(session, portal)


def _new_draft(session: Session, portal: PortalPatient, due: contracts.DueItem) -> PortalDraft:
    instrument = get_instrument(due.instrument_id)
    if instrument.respondent != "patient":
        raise NotDue(f"{instrument.abbreviation} is completed with a clinician, not online.")
    draft = PortalDraft(
        organization_id=portal.principal.organization_id,
        patient_id=portal.patient_id,
        episode_id=_episode_id(session, portal, due),
        due_id=due.id,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        answers={},
        created_by_id=portal.principal.user.id,
        updated_by_id=portal.principal.user.id,
    )
    try:
        with session.begin_nested():
            session.add(draft)
    except IntegrityError:
        # Two presses of Start at once: the other request's draft is the one to resume.
        return drafts_by_due(session, portal=portal, due_ids=[due.id])[due.id]
    return draft


def start_questionnaire(
    session: Session, *, portal: PortalPatient, due_id: uuid.UUID, now: datetime
) -> PortalDraft:
    """Open the draft of one of the patient's due questionnaires, or resume the one begun."""
    existing = drafts_by_due(session, portal=portal, due_ids=[due_id]).get(due_id)
    if existing is not None:
        return existing
    items = contracts.due_questionnaires(
        session, patient_id=portal.patient_id, now=now, by=portal.principal
    )
    due = next((item for item in items if item.id == due_id), None)
    if due is None:
        raise PortalNotFound("No such questionnaire.")
    if due.status not in contracts.OPEN_STATUSES:
        raise NotDue("This questionnaire is no longer open. Your clinic will send the next one.")
    draft = _new_draft(session, portal, due)
    audit.record(
        session,
        actor=portal.principal.actor,
        action="portal.questionnaire.start",
        resource_type="portal_draft",
        resource_id=draft.id,
        patient_id=portal.patient_id,
        detail=f"instrument={draft.instrument_id}",
    )
    return draft


def get_draft(session: Session, *, portal: PortalPatient, draft_id: uuid.UUID) -> PortalDraft:
    """Return one of the patient's own drafts (another patient's does not exist here)."""
    draft = session.get(PortalDraft, (portal.principal.organization_id, draft_id))
    if draft is None or draft.patient_id != portal.patient_id:
        raise PortalNotFound("No such questionnaire.")
    audit_read(portal, session, what="draft", resource_id=draft.id)
    return draft


def _require_open(draft: PortalDraft) -> None:
    if draft.status != DraftStatus.open:
        raise AlreadySubmitted("These answers were already sent to your clinic.")


@dataclass(frozen=True, kw_only=True)
class SavedAnswer:
    """What saving an answer changed: whether it was a suicide-risk answer."""

    value: int | None
    risk: bool


def save_answer(
    session: Session, *, portal: PortalPatient, draft: PortalDraft, number: int, raw: str | None
) -> SavedAnswer:
    """Save the answer to one question; a risk answer raises the alert and the crisis message."""
    _require_open(draft)
    current = question(draft, number)
    value = parse_answer(current.item, raw, may_skip=current.skippable)
    draft.answers = {**draft.answers, str(number): value}
    draft.updated_by_id = portal.principal.user.id
    instrument = instrument_of(draft)
    risk = is_risk_answer(instrument, number, value)
    if risk and value is not None:
        settings = clinic_portal_settings(session, organization_id=draft.organization_id)
        draft.crisis_pending, draft.crisis_settings_version = True, settings.version
        alert_without_blocking(
            session, portal=portal, draft=draft, instrument=instrument, number=number, value=value
        )
    session.flush()
    audit.record(
        session,
        actor=portal.principal.actor,
        action="portal.answer.save",
        resource_type="portal_draft",
        resource_id=draft.id,
        patient_id=portal.patient_id,
        detail=f"item {number}",
    )
    return SavedAnswer(value=value, risk=risk)


def acknowledge_crisis(session: Session, *, portal: PortalPatient, draft: PortalDraft) -> None:
    """Record that the patient has seen the crisis message and may go on."""
    if not draft.crisis_pending:
        return
    draft.crisis_pending = False
    session.flush()
    audit.record(
        session,
        actor=portal.principal.actor,
        action="portal.crisis.seen",
        resource_type="portal_draft",
        resource_id=draft.id,
        patient_id=portal.patient_id,
        detail=f"portal settings version {draft.crisis_settings_version}",
    )


def _answers_in_order(draft: PortalDraft) -> list[int | None]:
    return [draft.answers.get(str(item.number)) for item in instrument_of(draft).items]


def _record(session: Session, portal: PortalPatient, draft: PortalDraft) -> AssessmentResponse:
    episode = None
    if draft.episode_id is not None:
        episode = session.get(Episode, (draft.organization_id, draft.episode_id))
    try:
        return record_response(
            session,
            patient=portal.patient,
            episode=episode,
            instrument_id=draft.instrument_id,
            answers=_answers_in_order(draft),
            completed_by=CompletedBy.patient,
            by=portal.principal,
            setting=SETTING,
            alert_id=draft.risk_alert_id,
        )
    except InvalidResponse as invalid:
        raise DraftIncomplete(invalid.message, field=invalid.field) from None


def _alert_if_still_missing(session: Session, portal: PortalPatient, draft: PortalDraft) -> None:
    # A risk answer whose alert could not be raised when it was saved: raise it now, or fail.
    instrument = instrument_of(draft)
    found = first_risk_answer(instrument, draft.answers)
    if draft.risk_alert_id is None and found is not None:
        number, value = found
        raise_risk_alert(
            session, portal=portal, draft=draft, instrument=instrument, number=number, value=value
        )


def submit_questionnaire(
    session: Session, *, portal: PortalPatient, draft: PortalDraft
) -> AssessmentResponse:
    """Send the answers: record the response (alert and relapse rules run), mark it done."""
    _require_open(draft)
    missing = missing_required(draft)
    if missing is not None:
        raise DraftIncomplete(
            f"Question {missing.position} has no answer yet.", field=f"question-{missing.number}"
        )
    _alert_if_still_missing(session, portal, draft)
    response = _record(session, portal, draft)
    contracts.mark_done(session, due_id=draft.due_id, response_id=response.id, by=portal.principal)
    draft.status, draft.response_id = DraftStatus.submitted.value, response.id
    draft.submitted_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=portal.principal.actor,
        action="portal.questionnaire.submit",
        resource_type="assessment_response",
        resource_id=response.id,
        patient_id=portal.patient_id,
        detail=f"draft {draft.id}",
    )
    return response
