"""JSON API of booster/maintenance reviews and maintenance course approvals."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.time import utcnow
from openkap.followup.errors import VersionRequired
from openkap.followup.reviews import maintenance
from openkap.followup.reviews import service as reviews
from openkap.followup.schedule.regenerate import load_episode
from openkap.followup.schemas import (
    ApprovalRead,
    MaintenanceApprove,
    MaintenanceRead,
    ReviewDecide,
    ReviewRead,
)

router = APIRouter()

Clinician = Annotated[Principal, Depends(api_permission(Permission.clinical_read))]
Prescriber = Annotated[Principal, Depends(api_permission(Permission.maintenance_approve))]
READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def parse_if_match(if_match: str | None) -> int:
    """Return the version an If-Match header names, or refuse a change that names none."""
    value = (if_match or "").strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise VersionRequired(
            'Send the record\'s version in the If-Match header (the ETag you read, e.g. "3").'
        )
    return int(value)


@router.get("/reviews/{review_id}", response_model=ReviewRead, responses=READ_ERRORS)
def read_review(
    db: DbSession, principal: Clinician, review_id: uuid.UUID, response: Response
) -> ReviewRead:
    """Return a booster/maintenance review with its evidence; the ETag carries its version."""
    review = reviews.get_review(db, review_id=review_id, by=principal)
    response.headers["ETag"] = f'"{review.version}"'
    return ReviewRead.model_validate(review)


@router.post(
    "/reviews/{review_id}/decision",
    response_model=ReviewRead,
    responses=error_responses(401, 403, 404, 409, 422, 428),
)
def decide(
    db: DbSession,
    principal: Prescriber,
    review_id: uuid.UUID,
    body: ReviewDecide,
    response: Response,
    if_match: Annotated[str | None, Header(description='The version read, e.g. "1"')] = None,
) -> ReviewRead:
    """Record the prescriber's decision (booster course, maintenance, no change) and reason."""
    review = reviews.decide_review(
        db,
        review_id=review_id,
        decision=body.decision,
        reason=body.reason,
        expected_version=parse_if_match(if_match),
        by=principal,
    )
    response.headers["ETag"] = f'"{review.version}"'
    return ReviewRead.model_validate(review)


@router.get(
    "/episodes/{episode_id}/maintenance", response_model=MaintenanceRead, responses=READ_ERRORS
)
def read_maintenance(db: DbSession, principal: Clinician, episode_id: uuid.UUID) -> MaintenanceRead:
    """Return the maintenance course in force, how much of it is used, and every approval."""
    history = maintenance.approval_history(db, episode_id=episode_id, by=principal)
    episode = load_episode(db, episode_id=episode_id)
    in_force = maintenance.current_approval(db, episode=episode)
    allowed, message = maintenance.maintenance_allows(db, episode_id=episode_id, on=utcnow().date())
    return MaintenanceRead(
        in_force=None if in_force is None else ApprovalRead.model_validate(in_force),
        sessions_used=None
        if in_force is None
        else maintenance.sessions_used(db, approval=in_force),
        allows_today=allowed,
        message=message,
        history=[ApprovalRead.model_validate(row) for row in history],
    )


@router.post(
    "/episodes/{episode_id}/maintenance-approvals",
    response_model=ApprovalRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def approve(
    db: DbSession, principal: Prescriber, episode_id: uuid.UUID, body: MaintenanceApprove
) -> ApprovalRead:
    """Approve a maintenance course (sessions and end date), superseding the previous one."""
    approval = maintenance.approve_maintenance(
        db,
        episode_id=episode_id,
        sessions_approved=body.sessions_approved,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        reason=body.reason,
        review_id=body.review_id,
        by=principal,
    )
    return ApprovalRead.model_validate(approval)
