"""JSON API of protocol templates and treatment plans.

Consent, REMS and preparation endpoints are in plans.preparation.api; the domain's router
(plans/__init__) joins them.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes.service import get_episode
from openkap.plans.models import TreatmentPlan
from openkap.plans.treatment import service, templates
from openkap.plans.treatment.schemas import (
    PlanCreate,
    PlanDetail,
    PlannedSessionRead,
    PlanRead,
    PlanRevise,
    TemplateRead,
    TemplateVersionCreate,
)

router = APIRouter(prefix="/api/v1", tags=["plans"])

TemplateManager = Annotated[Principal, Depends(api_permission(Permission.template_manage))]
EpisodeReader = Annotated[Principal, Depends(api_permission(Permission.episode_read))]
PlanWriter = Annotated[Principal, Depends(api_permission(Permission.plan_write))]
PlanSigner = Annotated[Principal, Depends(api_permission(Permission.plan_sign))]

READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


@router.get(
    "/protocol-templates",
    response_model=list[TemplateRead],
    responses=error_responses(401, 403),
)
def list_templates(session: DbSession, principal: TemplateManager) -> list[TemplateRead]:
    """Return the current version of each of the clinic's protocol templates."""
    return [
        TemplateRead.model_validate(t)
        for t in templates.list_current_templates(session, by=principal)
    ]


@router.get("/protocol-templates/{template_id}", response_model=TemplateRead, responses=READ_ERRORS)
def read_template(
    session: DbSession, principal: TemplateManager, template_id: uuid.UUID
) -> TemplateRead:
    """Return one version of a protocol template."""
    return TemplateRead.model_validate(
        templates.get_template(session, template_id=template_id, by=principal)
    )


@router.post(
    "/protocol-templates/{template_id}/versions",
    response_model=TemplateRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def new_template_version(
    session: DbSession,
    principal: TemplateManager,
    template_id: uuid.UUID,
    body: TemplateVersionCreate,
) -> TemplateRead:
    """Save a changed template as its next version; the current version must be the one sent."""
    template = templates.get_template(session, template_id=template_id, by=principal)
    return TemplateRead.model_validate(
        templates.new_template_version(session, template=template, data=body, by=principal)
    )


@router.get("/episodes/{episode_id}/plans", response_model=list[PlanRead], responses=READ_ERRORS)
def list_plans(
    session: DbSession, principal: EpisodeReader, episode_id: uuid.UUID
) -> list[PlanRead]:
    """Return every version of the episode's treatment plan, newest first."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return [
        PlanRead.model_validate(p)
        for p in service.list_plans(session, episode=episode, by=principal)
    ]


@router.post(
    "/episodes/{episode_id}/plans",
    response_model=PlanDetail,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_plan(
    session: DbSession,
    principal: PlanWriter,
    episode_id: uuid.UUID,
    body: PlanCreate,
    response: Response,
) -> PlanDetail:
    """Create the episode's plan from a template; a dose outside its bounds needs a reason."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    plan = service.create_plan(session, episode=episode, data=body, by=principal)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return _detail(session, plan)


def _detail(session: DbSession, plan: TreatmentPlan) -> PlanDetail:
    sessions = [
        PlannedSessionRead.model_validate(s) for s in service.plan_sessions(session, plan=plan)
    ]
    return PlanDetail(**PlanRead.model_validate(plan).model_dump(), sessions=sessions)


@router.get("/plans/{plan_id}", response_model=PlanDetail, responses=READ_ERRORS)
def read_plan(session: DbSession, principal: EpisodeReader, plan_id: uuid.UUID) -> PlanDetail:
    """Return one plan version with its planned sessions."""
    return _detail(session, service.get_plan(session, plan_id=plan_id, by=principal))


@router.post("/plans/{plan_id}/sign", response_model=PlanRead, responses=WRITE_ERRORS)
def sign_plan(session: DbSession, principal: PlanSigner, plan_id: uuid.UUID) -> PlanRead:
    """Sign a draft plan version (prescribers only)."""
    plan = service.get_plan(session, plan_id=plan_id, by=principal)
    return PlanRead.model_validate(service.sign_plan(session, plan=plan, by=principal))


@router.post(
    "/plans/{plan_id}/revisions",
    response_model=PlanDetail,
    status_code=201,
    responses=WRITE_ERRORS,
)
def revise_plan(
    session: DbSession, principal: PlanWriter, plan_id: uuid.UUID, body: PlanRevise
) -> PlanDetail:
    """Make the next version of a plan; the version revised is superseded, never edited."""
    plan = service.get_plan(session, plan_id=plan_id, by=principal)
    return _detail(session, service.revise_plan(session, plan=plan, data=body, by=principal))
