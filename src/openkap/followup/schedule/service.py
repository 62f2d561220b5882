"""The follow-up schedule: what is due for a patient now, marking it done, keeping it current.

Stored items say open, done, missed or cancelled; what a person sees is read from the times:
upcoming (window not open yet), due (open, before the due time), overdue (past the due time,
window still open), missed, done. Schedules are regenerated when their sources changed since the
last run (see `refresh_stale`), so readers never work from a copy that drifted.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession
from openkap.episodes.models import Episode, EpisodeTransition
from openkap.followup import therapy_link
from openkap.followup.errors import (
    DueItemNotFound,
    DueItemRefused,
    InvalidFollowupInput,
    ResponseNotFound,
)
from openkap.followup.models import DueItem, ItemKind, ItemStatus, ScheduleState
from openkap.followup.schedule.regenerate import actor_of, regenerate_schedule
from openkap.followup.settings.service import rules_in_force
from openkap.patients.errors import PatientNotFound
from openkap.patients.models import Patient

__all__ = [
    "DueQuestionnaire",
    "acknowledge_missed",
    "display_status",
    "due_questionnaires",
    "episode_schedule",
    "mark_done",
    "refresh_stale",
    "regenerate_schedule",
]

MAX_DUE = 50
MIN_NOTE = 10
REFRESH_BATCH = 25


@dataclass(frozen=True, kw_only=True)
class DueQuestionnaire:
    """A questionnaire a patient is asked to complete, and where it stands now."""

    id: uuid.UUID
    instrument_id: str
    due_at: datetime
    window_ends_at: datetime
    reason: str
    status: str
    window_opens_at: datetime
    patient_id: uuid.UUID
    episode_id: uuid.UUID


def display_status(item: DueItem, now: datetime) -> str:
    """Return upcoming, due, overdue, missed, done or cancelled, as of `now`."""
    if item.status != ItemStatus.open.value:
        return item.status
    if now < item.opens_at:
        return "upcoming"
    if now < item.due_at:
        return "due"
    return "overdue" if now < item.closes_at else ItemStatus.missed.value


def as_due_questionnaire(item: DueItem, now: datetime) -> DueQuestionnaire:
    """Describe a stored questionnaire item for the portal and the pages."""
    return DueQuestionnaire(
        id=item.id,
        instrument_id=item.instrument_id,
        due_at=item.due_at,
        window_ends_at=item.closes_at,
        reason=item.reason,
        status=display_status(item, now),
        window_opens_at=item.opens_at,
        patient_id=item.patient_id,
        episode_id=item.episode_id,
    )


def _stale_condition(version: int, now: datetime) -> ColumnElement[bool]:
    refreshed = ScheduleState.refreshed_at
    same = Episode.organization_id
    return or_(
        ScheduleState.id.is_(None),
        ScheduleState.settings_version != version,
        exists().where(
            DosingSession.organization_id == same,
            DosingSession.episode_id == Episode.id,
            DosingSession.updated_at > refreshed,
        ),
        exists().where(
            EpisodeTransition.organization_id == same,
            EpisodeTransition.episode_id == Episode.id,
            EpisodeTransition.at > refreshed,
        ),
        exists().where(
            AssessmentResponse.organization_id == same,
            AssessmentResponse.patient_id == Episode.patient_id,
            AssessmentResponse.updated_at > refreshed,
        ),
        exists().where(
            DueItem.organization_id == same,
            DueItem.episode_id == Episode.id,
            DueItem.status == ItemStatus.open.value,
            DueItem.closes_at <= now,
            DueItem.kind.in_(_settled_by_time()),
        ),
    )


def _settled_by_time() -> list[str]:
    # An integration item is settled from the therapy domain's notes; while it cannot tell, the
    # item stays open, and must not keep its schedule stale for ever.
    if therapy_link.knows_integration_notes():
        return [kind.value for kind in ItemKind]
    return [ItemKind.questionnaire.value]


def stale_episode_ids(
    session: Session,
    *,
    organization_id: uuid.UUID,
    now: datetime,
    patient_id: uuid.UUID | None = None,
    limit: int = REFRESH_BATCH,
) -> list[uuid.UUID]:
    """Return episodes with dosing whose schedule is older than its sources, or has passed items."""
    _, version = rules_in_force(session, organization_id=organization_id)
    query = (
        select(Episode.id)
        .outerjoin(
            ScheduleState,
            and_(
                ScheduleState.organization_id == Episode.organization_id,
                ScheduleState.episode_id == Episode.id,
            ),
        )
        .where(
            Episode.organization_id == organization_id,
            exists().where(
                DosingSession.organization_id == Episode.organization_id,
                DosingSession.episode_id == Episode.id,
            ),
            _stale_condition(version, now),
        )
        .order_by(Episode.id)
        .limit(limit)
    )
    if patient_id is not None:
        query = query.where(Episode.patient_id == patient_id)
    return list(session.scalars(query))


def refresh_stale(
    session: Session,
    *,
    organization_id: uuid.UUID,
    now: datetime,
    by: Principal | None = None,
    patient_id: uuid.UUID | None = None,
    limit: int = REFRESH_BATCH,
) -> int:
    """Regenerate a batch of stale schedules (of one patient when given); return how many."""
    stale = stale_episode_ids(
        session, organization_id=organization_id, now=now, patient_id=patient_id, limit=limit
    )
    for episode_id in stale:
        regenerate_schedule(session, episode_id=episode_id, now=now, by=by)
    return len(stale)


def _clinic_of(session: Session, patient_id: uuid.UUID) -> uuid.UUID:
    found = session.scalars(select(Patient.organization_id).where(Patient.id == patient_id)).first()
    if found is None:
        raise PatientNotFound("No such patient.")
    return found


def due_questionnaires(
    session: Session, *, patient_id: uuid.UUID, now: datetime, by: Principal | None = None
) -> list[DueQuestionnaire]:
    """Return the questionnaires a patient may complete now (due or overdue), soonest first."""
    organization_id = _clinic_of(session, patient_id)
    refresh_stale(session, organization_id=organization_id, now=now, by=by, patient_id=patient_id)
    items = session.scalars(
        select(DueItem)
        .where(
            DueItem.organization_id == organization_id,
            DueItem.patient_id == patient_id,
            DueItem.kind == ItemKind.questionnaire.value,
            DueItem.status == ItemStatus.open.value,
            DueItem.opens_at <= now,
            DueItem.closes_at > now,
        )
        .order_by(DueItem.closes_at, DueItem.instrument_id)
        .limit(MAX_DUE)
    ).all()
    audit.record(
        session,
        actor=actor_of(by, organization_id),
        action="followup_schedule.due_questionnaires",
        resource_type="patient",
        resource_id=patient_id,
        patient_id=patient_id,
        detail=f"count={len(items)}",
    )
    return [as_due_questionnaire(item, now) for item in items]


def get_due_item(session: Session, *, due_id: uuid.UUID, organization_id: uuid.UUID) -> DueItem:
    """Return one due item of the clinic, or refuse."""
    item = session.get(DueItem, (organization_id, due_id))
    if item is None:
        raise DueItemNotFound("No such follow-up item.")
    return item


def _response_for(session: Session, item: DueItem, response_id: uuid.UUID) -> AssessmentResponse:
    response = session.get(AssessmentResponse, (item.organization_id, response_id))
    if response is None:
        raise ResponseNotFound("No such questionnaire response.")
    if response.patient_id != item.patient_id or response.instrument_id != item.instrument_id:
        raise InvalidFollowupInput(
            f"The response must be the same patient's {item.instrument_id} questionnaire.",
            field="response_id",
        )
    if response.status != "active":
        raise InvalidFollowupInput("The response was marked entered-in-error.", field="response_id")
    return response


def _check_markable(item: DueItem, response_id: uuid.UUID) -> bool:
    """Refuse what cannot be marked done; True when it is already done with this response."""
    if item.kind != ItemKind.questionnaire.value:
        raise DueItemRefused("Only a questionnaire item is done by a response.")
    if item.status == ItemStatus.cancelled.value:
        raise DueItemRefused("The item was cancelled; it is no longer asked for.")
    if item.status == ItemStatus.done.value:
        if item.response_id != response_id:
            raise DueItemRefused("The item is already done with another response.")
        return True
    return False


def mark_done(
    session: Session, *, due_id: uuid.UUID, response_id: uuid.UUID, by: Principal
) -> DueItem:
    """Record that a questionnaire item was answered by this response (a late answer counts)."""
    if not (allows(by.roles, Permission.task_update) or allows(by.roles, Permission.portal_use)):
        raise Forbidden("Your role does not allow completing follow-up items.")
    item = get_due_item(session, due_id=due_id, organization_id=by.organization_id)
    response = _response_for(session, item, response_id)
    if _check_markable(item, response_id):
        return item
    item.status, item.response_id = ItemStatus.done.value, response.id
    item.done_at, item.updated_by_id = response.completed_at, by.user.id
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="followup_item.done",
        resource_type="followup_due_item",
        resource_id=item.id,
        patient_id=item.patient_id,
        detail=f"response={response.id}",
    )
    return item


def episode_schedule(
    session: Session, *, episode_id: uuid.UUID, now: datetime, by: Principal
) -> list[DueItem]:
    """Regenerate and return an episode's whole follow-up schedule, in due order."""
    require(by, Permission.clinical_read, "Only clinicians read an episode's follow-up schedule.")
    return regenerate_schedule(session, episode_id=episode_id, now=now, by=by)


def acknowledge_missed(session: Session, *, due_id: uuid.UUID, note: str, by: Principal) -> DueItem:
    """Note what was done about a missed item; it then leaves the task inbox, and is kept."""
    require(by, Permission.task_update, "Your role does not allow updating tasks.")
    item = get_due_item(session, due_id=due_id, organization_id=by.organization_id)
    if item.kind == ItemKind.integration.value:
        require(by, Permission.clinical_read, "Only clinicians act on missed integration sessions.")
    if item.status != ItemStatus.missed.value:
        raise DueItemRefused(f"Only a missed item is acknowledged; this one is {item.status}.")
    if item.acknowledged_at is not None:
        raise DueItemRefused("The missed item was already acknowledged.")
    if len(note.strip()) < MIN_NOTE:
        raise InvalidFollowupInput("Write what was done in at least 10 characters.", field="note")
    item.acknowledged_at, item.acknowledged_by_id = utcnow(), by.user.id
    item.acknowledgement, item.updated_by_id = note.strip(), by.user.id
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="followup_item.acknowledge",
        resource_type="followup_due_item",
        resource_id=item.id,
        patient_id=item.patient_id,
    )
    return item
