"""Pages of suitability screening and the clinic's rule sets."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.intake import errors as intake_errors
from openkap.intake.screening import ruleset_approval, rulesets
from openkap.intake.screening import service as screening
from openkap.intake.screening.rule_checks import reading_label
from openkap.intake.screening.rules import CATALOGUE
from openkap.intake.screening.schemas import OverrideCreate, RuleSetRead, ScreeningRead
from openkap.patients.service import get_patient
from openkap.web.forms import FormFields, refusal_errors, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(web_permission(Permission.episode_read))]
Runner = Annotated[Principal, Depends(web_permission(Permission.screening_run))]
Overrider = Annotated[Principal, Depends(web_permission(Permission.screening_override))]
RuleReader = Annotated[Principal, Depends(web_permission(Permission.ruleset_read))]
RuleManager = Annotated[Principal, Depends(web_permission(Permission.ruleset_manage))]
Approver = Annotated[Principal, Depends(web_permission(Permission.settings_approve))]


def _screening_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    episode: Episode,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    records = screening.list_screenings(session, episode=episode, by=principal)
    latest = records[0] if records else None
    refusal = screening.override_refusal(session, run=latest.run) if latest else None
    return render(
        request,
        "intake/screening.html",
        principal=principal,
        episode=episode,
        patient=get_patient(session, patient_id=episode.patient_id, by=principal),
        latest=ScreeningRead.of(latest) if latest else None,
        history=[ScreeningRead.of(record) for record in records],
        names=screening.user_names(
            session,
            user_ids=[r.run.created_by_id for r in records]
            + [o.created_by_id for r in records for o in r.overrides]
            + [o.confirmed_by_id for r in records for o in r.overrides],
        ),
        can_run=allows(principal.roles, Permission.screening_run)
        and episode.state in screening.RUNNABLE_STATES,
        can_override=allows(principal.roles, Permission.screening_override),
        override_refusal=refusal,
        min_justification=screening.MIN_JUSTIFICATION,
        label=reading_label,
        errors=errors or {},
        values=values or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/screening", response_class=HTMLResponse)
def screening_page(
    request: Request, session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> HTMLResponse:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return _screening_page(request, session, principal, episode)


@router.post(
    "/episodes/{episode_id}/screening",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def run_screening(
    request: Request, session: DbSession, principal: Runner, episode_id: uuid.UUID
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    try:
        screening.run_screening(session, episode=episode, by=principal)
    except OpenKapError as refused:
        return _screening_page(
            request,
            session,
            principal,
            episode,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse(f"/episodes/{episode.id}/screening", status_code=303)


@router.post(
    "/episodes/{episode_id}/screenings/{run_id}/override",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def override_screening(
    request: Request,
    session: DbSession,
    principal: Overrider,
    episode_id: uuid.UUID,
    run_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    record = screening.get_screening(session, run_id=run_id, by=principal)
    if record.run.episode_id != episode.id:
        raise intake_errors.ScreeningNotFound("No such screening for this episode.")
    data, errors = validate_form(OverrideCreate, fields)
    try:
        if data is None:
            raise intake_errors.JustificationTooShort(errors.get("justification", "Invalid."))
        screening.override_screening(
            session, run=record.run, justification=data.justification, by=principal
        )
    except OpenKapError as refused:
        key = "justification" if refused.status_code == 422 else "_form"
        return _screening_page(
            request,
            session,
            principal,
            episode,
            errors={key: refused.message},
            values=fields,
            status=refused.status_code,
        )
    return RedirectResponse(f"/episodes/{episode.id}/screening", status_code=303)


def _rule_set_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    org = principal.organization_id
    history = rulesets.list_rule_sets(session, organization_id=org)
    return render(
        request,
        "intake/ruleset.html",
        principal=principal,
        current=RuleSetRead.of(rulesets.current_rule_set(session, organization_id=org)),
        history=history,
        changes=rulesets.describe_history(history),
        names=screening.user_names(session, user_ids=[r.created_by_id for r in history]),
        can_edit=allows(principal.roles, Permission.ruleset_manage),
        can_approve=allows(principal.roles, Permission.settings_approve),
        errors=errors or {},
        values=values or {},
        status_code=status,
    )


@router.get("/admin/rule-set", response_class=HTMLResponse)
def rule_set_page(request: Request, session: DbSession, principal: RuleReader) -> HTMLResponse:
    return _rule_set_page(request, session, principal)


@router.post("/admin/rule-set", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def update_rule_set(
    request: Request, session: DbSession, principal: RuleManager, fields: FormFields
) -> Response:
    entries = _entries_from_form(fields)
    version = fields.get("base_version", "")
    try:
        saved = rulesets.update_rule_set(
            session,
            entries=entries,
            change_note=fields.get("change_note", ""),
            base_version=int(version) if version.isdigit() else None,
            by=principal,
        )
    except OpenKapError as refused:
        key = _form_field_of(refused.field, entries)
        return _rule_set_page(
            request,
            session,
            principal,
            errors={key: refused.message},
            values=fields,
            status=refused.status_code,
        )
    outcome = "saved" if saved.is_current else "proposed"
    return RedirectResponse(f"/admin/rule-set?{outcome}={saved.version}", status_code=303)


@router.post(
    "/admin/rule-set/{version}/approve",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def approve_rule_set(
    request: Request, session: DbSession, principal: Approver, version: int
) -> Response:
    try:
        ruleset_approval.approve_rule_set(session, version=version, by=principal)
    except OpenKapError as refused:
        errors = {"_form": refused.message}
        return _rule_set_page(
            request, session, principal, errors=errors, status=refused.status_code
        )
    return RedirectResponse(f"/admin/rule-set?approved={version}", status_code=303)


def _whole_number(raw: str) -> object:
    # A value that is not a whole number is passed on as text so the rule set check names it.
    text = raw.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def _entries_from_form(fields: dict[str, str]) -> list[dict[str, object]]:
    """Read the rule table: an `enabled.<rule>` checkbox and a `<rule>.<param>` input each."""
    return [
        {
            "rule_id": rule.id,
            "enabled": f"enabled.{rule.id}" in fields,
            "params": {
                p.name: _whole_number(fields.get(f"{rule.id}.{p.name}", "")) for p in rule.params
            },
        }
        for rule in CATALOGUE.values()
    ]


def _form_field_of(field: str | None, entries: list[dict[str, object]]) -> str:
    """Map an error's field (entries.3.params.sbp_above) to the page input that holds it."""
    parts = (field or "").split(".")
    if parts[0] == "change_note":
        return "change_note"
    if len(parts) >= 3 and parts[0] == "entries" and parts[1].isdigit():
        rule_id = entries[int(parts[1])]["rule_id"]
        if parts[2] == "enabled":
            return f"enabled.{rule_id}"
        if parts[2] == "params" and len(parts) == 4:
            return f"{rule_id}.{parts[3]}"
    return "_form"
