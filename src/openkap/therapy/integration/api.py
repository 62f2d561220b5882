"""JSON API of an episode's integration plan: read, version history, save, share."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from openkap.core.config import get_settings
from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes.service import get_episode
from openkap.therapy.errors import IntegrationPlanNotFound
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.notes.views import IF_MATCH, parse_if_match, with_etag
from openkap.therapy.schemas import IntegrationPlanPage, IntegrationPlanRead, IntegrationPlanSave

router = APIRouter(tags=["therapy"])

Reader = Annotated[Principal, Depends(api_permission(Permission.note_read))]
Writer = Annotated[Principal, Depends(api_permission(Permission.integration_plan_write))]
PLAN = "/episodes/{episode_id}/integration-plan"


@router.get(PLAN, response_model=IntegrationPlanRead, responses=error_responses(401, 403, 404, 422))
def read_plan(
    session: DbSession, principal: Reader, episode_id: uuid.UUID, response: Response
) -> IntegrationPlanRead:
    """Return the current version of the episode's integration plan; the ETag is its version."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    plan = integration_plan.read_current_plan(session, episode=episode, by=principal)
    if plan is None:
        raise IntegrationPlanNotFound("This episode has no integration plan yet.")
    with_etag(response, plan.plan_version)
    return IntegrationPlanRead.model_validate(plan)


@router.get(
    f"{PLAN}/versions",
    response_model=IntegrationPlanPage,
    responses=error_responses(401, 403, 404, 422),
)
def list_versions(
    session: DbSession,
    principal: Reader,
    episode_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> IntegrationPlanPage:
    """Return a page of the plan's versions, newest first."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    plans, next_offset = integration_plan.plan_versions(
        session,
        episode=episode,
        by=principal,
        limit=min(limit, get_settings().page_size_max),
        offset=offset,
    )
    return IntegrationPlanPage(
        items=[IntegrationPlanRead.model_validate(p) for p in plans], next_offset=next_offset
    )


@router.post(
    PLAN,
    response_model=IntegrationPlanRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422, 428),
)
def save_plan(
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    body: IntegrationPlanSave,
    response: Response,
    if_match: Annotated[str | None, IF_MATCH] = None,
) -> IntegrationPlanRead:
    """Save the next version of the plan; If-Match names the version it replaces ("0" first)."""
    based_on = parse_if_match(if_match)
    episode = get_episode(session, episode_id=episode_id, by=principal)
    plan = integration_plan.save_plan(
        session, episode=episode, data=body, based_on_version=based_on, by=principal
    )
    with_etag(response, plan.plan_version)
    response.headers["Location"] = f"/api/v1/integration-plans/{plan.id}"
    return IntegrationPlanRead.model_validate(plan)


@router.get(
    "/integration-plans/{plan_id}",
    response_model=IntegrationPlanRead,
    responses=error_responses(401, 403, 404, 422),
)
def read_version(session: DbSession, principal: Reader, plan_id: uuid.UUID) -> IntegrationPlanRead:
    """Return one version of an integration plan."""
    return IntegrationPlanRead.model_validate(
        integration_plan.get_plan_version(session, plan_id=plan_id, by=principal)
    )


@router.post(
    "/integration-plans/{plan_id}/share",
    response_model=IntegrationPlanRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def share_plan(session: DbSession, principal: Writer, plan_id: uuid.UUID) -> IntegrationPlanRead:
    """Show this version, the current one, to the patient in the portal."""
    plan = integration_plan.get_plan_version(session, plan_id=plan_id, by=principal)
    return IntegrationPlanRead.model_validate(
        integration_plan.share_plan(session, plan=plan, by=principal)
    )
