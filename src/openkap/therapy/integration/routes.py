"""The integration plan page of an episode: the current version, a form that saves the next
version, sharing with the patient, and the version history."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.patients.service import get_patient
from openkap.plans.access import user_names
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.page_forms import CONTACT_ROWS, plan_form_values, plan_save_data
from openkap.therapy.schemas import IntegrationPlanSave
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(web_permission(Permission.note_read))]
Writer = Annotated[Principal, Depends(web_permission(Permission.integration_plan_write))]
HISTORY_PAGE = 20


def _plan_page(
    request: Request,
    session: Session,
    principal: Principal,
    episode: Episode,
    *,
    offset: int = 0,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    plan = integration_plan.read_current_plan(session, episode=episode, by=principal)
    versions, next_offset = integration_plan.plan_versions(
        session, episode=episode, by=principal, limit=HISTORY_PAGE, offset=offset
    )
    return render(
        request,
        "therapy/integration_plan.html",
        principal=principal,
        episode=episode,
        patient=get_patient(session, patient_id=episode.patient_id, by=principal),
        plan=plan,
        versions=versions,
        offset=offset,
        next_offset=next_offset,
        names=user_names(session, [v.created_by_id for v in versions]),
        can_write=allows(principal.roles, Permission.integration_plan_write),
        contact_rows=range(CONTACT_ROWS),
        values=values if values is not None else plan_form_values(plan),
        errors=errors or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/integration-plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    session: DbSession,
    principal: Reader,
    episode_id: uuid.UUID,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return _plan_page(request, session, principal, episode, offset=offset)


@router.post(
    "/episodes/{episode_id}/integration-plan",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def save_plan(
    request: Request,
    session: DbSession,
    principal: Writer,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    data, errors = validate_form(IntegrationPlanSave, plan_save_data(fields))
    based_on = fields.get("based_on", "")
    try:
        if data is None or not based_on.isdigit():
            raise InvalidForm(errors or {"_form": "The form is missing the plan version; reload."})
        integration_plan.save_plan(
            session, episode=episode, data=data, based_on_version=int(based_on), by=principal
        )
    except (OpenKapError, InvalidForm) as refused:
        return _plan_page(
            request,
            session,
            principal,
            episode,
            values=fields,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/episodes/{episode.id}/integration-plan", status_code=303)


@router.post(
    "/integration-plans/{plan_id}/share",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def share_plan(
    request: Request, session: DbSession, principal: Writer, plan_id: uuid.UUID
) -> Response:
    plan = integration_plan.get_plan_version(session, plan_id=plan_id, by=principal)
    episode = get_episode(session, episode_id=plan.episode_id, by=principal)
    try:
        integration_plan.share_plan(session, plan=plan, by=principal)
    except OpenKapError as refused:
        return _plan_page(
            request,
            session,
            principal,
            episode,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse(f"/episodes/{episode.id}/integration-plan", status_code=303)
