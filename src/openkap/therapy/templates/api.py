"""JSON API of the clinic's note templates and of supervision (who co-signs whose notes)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from openkap.core.deps import ApiUser, DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.therapy.notes import supervision
from openkap.therapy.schemas import SupervisionRead, TemplateRead, TemplateVersionCreate
from openkap.therapy.templates import service as templates_catalog

router = APIRouter(tags=["therapy"])

TemplateManager = Annotated[Principal, Depends(api_permission(Permission.note_template_manage))]
UserManager = Annotated[Principal, Depends(api_permission(Permission.user_manage))]


def template_reader(principal: ApiUser) -> Principal:
    """Authenticate a caller who writes notes or manages their templates."""
    templates_catalog.require_template_reader(principal)
    return principal


TemplateReader = Annotated[Principal, Depends(template_reader)]


@router.get(
    "/note-templates", response_model=list[TemplateRead], responses=error_responses(401, 403)
)
def list_templates(session: DbSession, principal: TemplateReader) -> list[TemplateRead]:
    """Return the current version of each of the clinic's note templates."""
    return [
        TemplateRead.model_validate(t)
        for t in templates_catalog.list_current_templates(session, by=principal)
    ]


@router.get(
    "/note-templates/{template_id}",
    response_model=TemplateRead,
    responses=error_responses(401, 403, 404, 422),
)
def read_template(
    session: DbSession, principal: TemplateReader, template_id: uuid.UUID
) -> TemplateRead:
    """Return one version of a note template."""
    return TemplateRead.model_validate(
        templates_catalog.get_template(session, template_id=template_id, by=principal)
    )


@router.post(
    "/note-templates/{template_id}/versions",
    response_model=TemplateRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def new_template_version(
    session: DbSession,
    principal: TemplateManager,
    template_id: uuid.UUID,
    body: TemplateVersionCreate,
) -> TemplateRead:
    """Save a changed template as its next version; the version sent must be the current one."""
    template = templates_catalog.get_template(session, template_id=template_id, by=principal)
    return TemplateRead.model_validate(
        templates_catalog.new_template_version(session, template=template, data=body, by=principal)
    )


@router.get(
    "/supervisions", response_model=list[SupervisionRead], responses=error_responses(401, 403)
)
def list_supervisions(session: DbSession, principal: UserManager) -> list[SupervisionRead]:
    """Return the clinic's current supervisions."""
    return [
        SupervisionRead.model_validate(s)
        for s in supervision.list_supervisions(session, by=principal)
    ]


@router.put(
    "/users/{user_id}/supervisor/{supervisor_id}",
    response_model=SupervisionRead,
    responses=error_responses(401, 403, 404, 422),
)
def set_supervisor(
    session: DbSession, principal: UserManager, user_id: uuid.UUID, supervisor_id: uuid.UUID
) -> SupervisionRead:
    """Make the supervisor co-sign the user's notes from now on (replacing a previous one)."""
    return SupervisionRead.model_validate(
        supervision.set_supervisor(
            session, supervisee_id=user_id, supervisor_id=supervisor_id, by=principal
        )
    )


@router.delete(
    "/users/{user_id}/supervisor",
    response_model=SupervisionRead,
    responses=error_responses(401, 403, 404, 422),
)
def end_supervision(
    session: DbSession, principal: UserManager, user_id: uuid.UUID
) -> SupervisionRead:
    """End the user's supervision; notes they sign later need no co-signature."""
    return SupervisionRead.model_validate(
        supervision.end_supervision(session, supervisee_id=user_id, by=principal)
    )
