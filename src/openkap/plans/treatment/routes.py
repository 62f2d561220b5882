"""Pages of protocol templates and of an episode's treatment plan.

Preparation pages are in plans.preparation.routes, consent pages in plans.consent; the domain's
page router (plans/__init__) joins them.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.patients.service import get_patient
from openkap.plans import readiness
from openkap.plans.access import user_names
from openkap.plans.errors import PlanNotFound
from openkap.plans.models import ProtocolTemplate, TreatmentPlan
from openkap.plans.treatment import preview, service, templates
from openkap.plans.treatment.page_forms import PHASE_ROWS, template_form_data, template_form_values
from openkap.plans.treatment.schemas import PlanCreate, PlanRevise, TemplateVersionCreate
from openkap.web.forms import (
    FormFields,
    FormLists,
    InvalidForm,
    refusal_errors,
    refusal_status,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
TemplateManager = Annotated[Principal, Depends(web_permission(Permission.template_manage))]
EpisodeReader = Annotated[Principal, Depends(web_permission(Permission.episode_read))]
PlanWriter = Annotated[Principal, Depends(web_permission(Permission.plan_write))]
PlanSigner = Annotated[Principal, Depends(web_permission(Permission.plan_sign))]


@router.get("/protocol-templates", response_class=HTMLResponse)
def template_list(request: Request, session: DbSession, principal: TemplateManager) -> HTMLResponse:
    return render(
        request,
        "plans/templates_list.html",
        principal=principal,
        templates=templates.list_current_templates(session, by=principal),
    )


def _template_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    template: ProtocolTemplate,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    history = templates.template_history(session, template=template)
    return render(
        request,
        "plans/template_detail.html",
        principal=principal,
        protocol=template,
        history=history,
        names=user_names(session, [t.created_by_id for t in history]),
        values=values if values is not None else template_form_values(template),
        errors=errors or {},
        phase_rows=range(1, PHASE_ROWS + 1),
        status_code=status,
    )


@router.get("/protocol-templates/{template_id}", response_class=HTMLResponse)
def template_page(
    request: Request, session: DbSession, principal: TemplateManager, template_id: uuid.UUID
) -> HTMLResponse:
    template = templates.get_template(session, template_id=template_id, by=principal)
    return _template_page(request, session, principal, template)


@router.post(
    "/protocol-templates/{template_id}/versions",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def save_template_version(
    request: Request,
    session: DbSession,
    principal: TemplateManager,
    template_id: uuid.UUID,
    fields: FormFields,
    lists: FormLists,
) -> Response:
    template = templates.get_template(session, template_id=template_id, by=principal)
    # Sources may be longer than the shared form reader keeps; read them whole.
    fields = {**fields, "source": (lists.get("source") or [""])[0]}
    data, errors = validate_form(TemplateVersionCreate, template_form_data(fields))
    try:
        if data is None:
            raise InvalidForm(errors)
        saved = templates.new_template_version(session, template=template, data=data, by=principal)
    except (OpenKapError, InvalidForm) as refused:
        return _template_page(
            request,
            session,
            principal,
            template,
            values=fields,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"/protocol-templates/{saved.id}", status_code=303)


def _plan_of(
    session: DbSession, principal: Principal, episode: Episode, plan_id: uuid.UUID
) -> TreatmentPlan:
    plan = service.get_plan(session, plan_id=plan_id, by=principal)
    if plan.episode_id != episode.id:
        raise PlanNotFound("No such treatment plan for this episode.")
    return plan


def _plan_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    episode: Episode,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    plan = readiness.current_plan(session, episode=episode)
    versions = service.list_plans(session, episode=episode, by=principal)
    can_write = allows(principal.roles, Permission.plan_write)
    return render(
        request,
        "plans/plan.html",
        principal=principal,
        episode=episode,
        patient=get_patient(session, patient_id=episode.patient_id, by=principal),
        plan=plan,
        protocol=templates.get_template(session, template_id=plan.template_id, by=principal)
        if plan
        else None,
        sessions=service.plan_sessions(session, plan=plan) if plan else [],
        versions=versions,
        names=user_names(session, [v.signed_by_id for v in versions]),
        previews=preview.preview_doses(session, episode=episode, by=principal) if can_write else [],
        can_write=can_write,
        can_sign=allows(principal.roles, Permission.plan_sign),
        values=values or {},
        today=utcnow().date().isoformat(),
        errors=errors or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/plan", response_class=HTMLResponse)
def plan_page(
    request: Request, session: DbSession, principal: EpisodeReader, episode_id: uuid.UUID
) -> HTMLResponse:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return _plan_page(request, session, principal, episode)


@router.post(
    "/episodes/{episode_id}/plan", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def create_plan(
    request: Request,
    session: DbSession,
    principal: PlanWriter,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    data, errors = validate_form(PlanCreate, fields)
    try:
        if data is None:
            raise InvalidForm(errors)
        service.create_plan(session, episode=episode, data=data, by=principal)
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
    return RedirectResponse(f"/episodes/{episode.id}/plan", status_code=303)


@router.post(
    "/episodes/{episode_id}/plan/{plan_id}/sign",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def sign_plan(
    request: Request,
    session: DbSession,
    principal: PlanSigner,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    plan = _plan_of(session, principal, episode, plan_id)
    try:
        service.sign_plan(session, plan=plan, by=principal)
    except OpenKapError as refused:
        return _plan_page(
            request,
            session,
            principal,
            episode,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse(f"/episodes/{episode.id}/plan", status_code=303)


@router.post(
    "/episodes/{episode_id}/plan/{plan_id}/revise",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def revise_plan(
    request: Request,
    session: DbSession,
    principal: PlanWriter,
    episode_id: uuid.UUID,
    plan_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    plan = _plan_of(session, principal, episode, plan_id)
    data, errors = validate_form(PlanRevise, fields)
    try:
        if data is None:
            raise InvalidForm(errors)
        service.revise_plan(session, plan=plan, data=data, by=principal)
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
    return RedirectResponse(f"/episodes/{episode.id}/plan", status_code=303)
