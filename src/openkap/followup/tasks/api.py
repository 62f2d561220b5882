"""JSON API of the task inbox, due items and schedules, and relapse checks.

Reviews and maintenance courses (followup.reviews.api) and settings and urgent alerts
(followup.settings.api) join it in the domain's router (followup/__init__). Routes check
permissions; the services check them again.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.time import utcnow
from openkap.followup.models import DueItem
from openkap.followup.reviews import relapse
from openkap.followup.schedule import service as schedule
from openkap.followup.schedule.regenerate import load_episode
from openkap.followup.schemas import (
    DueItemRead,
    DueQuestionnaireRead,
    InboxRead,
    MarkDone,
    MissedAcknowledge,
    RelapseCheckRead,
    ReviewRead,
    TaskRead,
)
from openkap.followup.tasks import service as tasks

router = APIRouter(prefix="/api/v1", tags=["followup"])

TaskReader = Annotated[Principal, Depends(api_permission(Permission.task_read))]
TaskUpdater = Annotated[Principal, Depends(api_permission(Permission.task_update))]
Clinician = Annotated[Principal, Depends(api_permission(Permission.clinical_read))]
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def item_read(item: DueItem) -> DueItemRead:
    """Describe a stored item with its status as of now."""
    return DueItemRead(
        id=item.id,
        patient_id=item.patient_id,
        episode_id=item.episode_id,
        kind=item.kind,
        instrument_id=item.instrument_id or None,
        dosing_session_id=item.dosing_session_id,
        reason=item.reason,
        opens_at=item.opens_at,
        due_at=item.due_at,
        closes_at=item.closes_at,
        status=schedule.display_status(item, utcnow()),
        response_id=item.response_id,
        done_at=item.done_at,
        acknowledged_at=item.acknowledged_at,
        acknowledgement=item.acknowledgement,
        settings_version=item.settings_version,
    )


@router.get("/tasks", response_model=InboxRead, responses=error_responses(401, 403, 422))
def read_inbox(
    db: DbSession,
    principal: TaskReader,
    view: tasks.View | None = None,
    category: tasks.Category | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InboxRead:
    """Return the caller's tasks (mine, or my role's): counts per category and one page."""
    box = tasks.inbox(
        db, by=principal, now=utcnow(), view=view, category=category, limit=limit, offset=offset
    )
    return InboxRead(
        view=box.view.value,
        counts={c.value: n for c, n in box.counts.items()},
        category=box.category.value,
        items=[TaskRead.model_validate(task) for task in box.items],
        total=box.total,
        offset=box.offset,
        limit=box.limit,
        next_offset=box.next_offset,
    )


@router.get(
    "/patients/{patient_id}/due-questionnaires",
    response_model=list[DueQuestionnaireRead],
    responses=READ_ERRORS,
)
def read_due_questionnaires(
    db: DbSession, principal: TaskReader, patient_id: uuid.UUID
) -> list[DueQuestionnaireRead]:
    """Return the questionnaires the patient may complete now, soonest to close first."""
    due = schedule.due_questionnaires(db, patient_id=patient_id, now=utcnow(), by=principal)
    return [DueQuestionnaireRead.model_validate(item) for item in due]


@router.get(
    "/episodes/{episode_id}/follow-up", response_model=list[DueItemRead], responses=READ_ERRORS
)
def read_schedule(
    db: DbSession,
    principal: Clinician,
    episode_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DueItemRead]:
    """Regenerate the episode's follow-up schedule and return a page of it, in due order."""
    items = schedule.episode_schedule(db, episode_id=episode_id, now=utcnow(), by=principal)
    return [item_read(item) for item in items[offset : offset + limit]]


@router.post(
    "/episodes/{episode_id}/relapse-check", response_model=RelapseCheckRead, responses=WRITE_ERRORS
)
def check_relapse(db: DbSession, principal: Clinician, episode_id: uuid.UUID) -> RelapseCheckRead:
    """Apply the relapse rule now; a loss of response opens a booster/maintenance review."""
    opened = relapse.evaluate_relapse(db, episode_id=episode_id, by=principal)
    still_open = relapse.open_review_of(db, episode=load_episode(db, episode_id=episode_id))
    return RelapseCheckRead(
        opened=None if opened is None else ReviewRead.model_validate(opened),
        open_review_id=None if still_open is None else still_open.id,
    )


@router.post("/due-items/{due_id}/done", response_model=DueItemRead, responses=WRITE_ERRORS)
def mark_done(
    db: DbSession, principal: TaskUpdater, due_id: uuid.UUID, body: MarkDone
) -> DueItemRead:
    """Record that a questionnaire item was answered by a stored response."""
    return item_read(
        schedule.mark_done(db, due_id=due_id, response_id=body.response_id, by=principal)
    )


@router.post("/due-items/{due_id}/acknowledge", response_model=DueItemRead, responses=WRITE_ERRORS)
def acknowledge_missed(
    db: DbSession, principal: TaskUpdater, due_id: uuid.UUID, body: MissedAcknowledge
) -> DueItemRead:
    """Note what was done about a missed item; it leaves the task inbox and is kept."""
    return item_read(schedule.acknowledge_missed(db, due_id=due_id, note=body.note, by=principal))
