"""Page of the clinic's vital-sign thresholds: read by prescribers, changed by administrators."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.settings import guard_rails
from openkap.dosing.thresholds import service as threshold_settings
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS, VitalThresholds
from openkap.web.forms import FormFields
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(web_permission(Permission.ruleset_read))]
Manager = Annotated[Principal, Depends(web_permission(Permission.ruleset_manage))]
Approver = Annotated[Principal, Depends(web_permission(Permission.settings_approve))]
PAGE = "/admin/dosing-thresholds"
# The whole-number thresholds a clinic edits on the page; plausibility bounds stay in the API.
EDITABLE = tuple(
    name for name, info in VitalThresholds.model_fields.items() if info.annotation is int
)


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    org = principal.organization_id
    return render(
        request,
        "dosing/thresholds.html",
        principal=principal,
        current=threshold_settings.clinic_thresholds(session, organization_id=org),
        version=threshold_settings.current_version(session, organization_id=org),
        history=threshold_settings.threshold_history(session, by=principal),
        defaults=DEFAULT_THRESHOLDS,
        editable=EDITABLE,
        rails=guard_rails.DOSING_THRESHOLD_RAILS,
        can_edit=allows(principal.roles, Permission.ruleset_manage),
        can_approve=allows(principal.roles, Permission.settings_approve),
        errors=errors or {},
        values=values or {},
        status_code=status,
    )


@router.get(PAGE, response_class=HTMLResponse)
def thresholds_page(request: Request, session: DbSession, principal: Reader) -> HTMLResponse:
    return _page(request, session, principal)


def _submitted(fields: dict[str, str]) -> dict[str, object]:
    current = dict(DEFAULT_THRESHOLDS.model_dump(mode="json"))
    for name in EDITABLE:
        raw = fields.get(name, "").strip()
        # Text that is not a whole number is passed on so the validation names the field.
        current[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    current["source"] = fields.get("source", "").strip()
    return current


@router.post(PAGE, response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def save_thresholds(
    request: Request, session: DbSession, principal: Manager, fields: FormFields
) -> Response:
    version = fields.get("base_version", "")
    try:
        saved = threshold_settings.save_thresholds(
            session,
            values=_submitted(fields),
            reason=fields.get("reason", ""),
            base_version=int(version) if version.isdigit() else None,
            by=principal,
        )
    except OpenKapError as refused:
        on_page = refused.field in {*EDITABLE, "source", "reason"}
        errors = {refused.field if on_page and refused.field else "_form": refused.message}
        return _page(
            request, session, principal, errors=errors, values=fields, status=refused.status_code
        )
    outcome = "proposed" if saved.approval == "pending" else "saved"
    return RedirectResponse(f"{PAGE}?{outcome}={saved.set_version}", status_code=303)


@router.post(
    PAGE + "/{set_version}/approve",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def approve_thresholds(
    request: Request, session: DbSession, principal: Approver, set_version: int
) -> Response:
    try:
        threshold_settings.approve_thresholds(session, set_version=set_version, by=principal)
    except OpenKapError as refused:
        errors = {"_form": refused.message}
        return _page(request, session, principal, errors=errors, status=refused.status_code)
    return RedirectResponse(f"{PAGE}?approved={set_version}", status_code=303)
