"""Page of the clinic's follow-up settings, changed by a clinic administrator."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.followup.settings import service as settings
from openkap.followup.settings.service import ON_CALL_ROLES, FollowupRules
from openkap.web.forms import FormFields
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Configurer = Annotated[Principal, Depends(web_permission(Permission.followup_configure))]
PAGE = "/admin/follow-up"
LISTS = ("instruments", "ptsd_instruments", "ptsd_diagnosis_prefixes", "relapse_instruments")
NUMBERS = (
    "before_session_opens_hours",
    "before_session_grace_hours",
    "after_induction_window_days",
    "integration_closes_hours",
    "escalation_minutes",
    "relapse_confirm_min_days",
    "relapse_confirm_max_days",
)
WINDOW_PARTS = ("opens_hours", "due_hours", "closes_hours")


def form_values(rules: FollowupRules) -> dict[str, str]:
    """Return the settings as the page's text fields."""
    values = {name: ", ".join(getattr(rules, name)) for name in LISTS}
    values |= {name: str(getattr(rules, name)) for name in NUMBERS}
    values["after_induction_weeks"] = ", ".join(str(w) for w in rules.after_induction_weeks)
    for index, point in enumerate(rules.after_first_dose):
        for part in WINDOW_PARTS:
            values[f"after_first_dose.{index}.{part}"] = str(getattr(point, part))
    values["on_call_role"], values["source"] = rules.on_call_role.value, rules.source
    return values


def _number(raw: str) -> object:
    # Text that is not a whole number is passed on so the validation names the field.
    return int(raw) if raw.strip().isdigit() else raw.strip()


def submitted_values(fields: dict[str, str], current: FollowupRules) -> dict[str, Any]:
    """Turn the page's text fields into settings values, keeping the time points' names."""
    values: dict[str, Any] = {
        n: [p.strip() for p in fields.get(n, "").split(",") if p.strip()] for n in LISTS
    }
    values |= {name: _number(fields.get(name, "")) for name in NUMBERS}
    weeks = [part for part in fields.get("after_induction_weeks", "").split(",") if part.strip()]
    values["after_induction_weeks"] = [_number(week) for week in weeks]
    values["after_first_dose"] = [
        {
            "key": point.key,
            "label": point.label,
            **{p: _number(fields.get(f"after_first_dose.{i}.{p}", "")) for p in WINDOW_PARTS},
        }
        for i, point in enumerate(current.after_first_dose)
    ]
    values["on_call_role"] = fields.get("on_call_role", "")
    values["source"] = fields.get("source", "").strip()
    return values


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    rules, version = settings.rules_in_force(session, organization_id=principal.organization_id)
    return render(
        request,
        "followup/settings.html",
        principal=principal,
        rules=rules,
        version=version,
        values=values or {**form_values(rules), "base_version": str(version)},
        history=settings.settings_history(session, by=principal),
        roles=[(role.value, role.value.capitalize()) for role in ON_CALL_ROLES],
        errors=errors or {},
        status_code=status,
    )


@router.get(PAGE, response_class=HTMLResponse)
def settings_page(request: Request, session: DbSession, principal: Configurer) -> HTMLResponse:
    return _page(request, session, principal)


@router.post(PAGE, response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def save_settings(
    request: Request, session: DbSession, principal: Configurer, fields: FormFields
) -> Response:
    current, _ = settings.rules_in_force(session, organization_id=principal.organization_id)
    version = fields.get("base_version", "")
    try:
        settings.save_settings(
            session,
            values=submitted_values(fields, current),
            reason=fields.get("reason", ""),
            base_version=int(version) if version.isdigit() else None,
            by=principal,
        )
    except OpenKapError as refused:
        field = refused.field or "_form"
        errors = {field if field in fields else "_form": refused.message, "_form": refused.message}
        return _page(
            request, session, principal, errors=errors, values=fields, status=refused.status_code
        )
    return RedirectResponse(f"{PAGE}?saved=1", status_code=303)
