"""The clinic's portal settings page: crisis message, clinic phone, link lifetime and the
preparation instructions; each save is a new version with its reason (administrators)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.portal.schemas import SettingsInput
from openkap.portal.settings import service as settings
from openkap.web.forms import FormFields, InvalidForm, refusal_errors, refusal_status, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Principal, Depends(web_permission(Permission.followup_configure))]
PAGE = "/admin/portal-settings"


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    current = settings.clinic_portal_settings(session, organization_id=principal.organization_id)
    return render(
        request,
        "portal/settings.html",
        principal=principal,
        current=current,
        defaults=settings.DEFAULTS,
        history=settings.settings_history(session, by=principal),
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.get(PAGE, response_class=HTMLResponse)
def settings_page(request: Request, session: DbSession, principal: Manager) -> HTMLResponse:
    return _page(request, session, principal)


@router.post(PAGE, response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def save_settings(
    request: Request, session: DbSession, principal: Manager, fields: FormFields
) -> Response:
    data, errors = validate_form(SettingsInput, fields)
    base = fields.get("base_version", "")
    try:
        if data is None:
            raise InvalidForm(errors)
        settings.save_portal_settings(
            session, data=data, by=principal, base_version=int(base) if base.isdigit() else None
        )
    except (OpenKapError, InvalidForm) as refused:
        return _page(
            request,
            session,
            principal,
            values=fields,
            errors=refusal_errors(refused),
            status=refusal_status(refused),
        )
    return RedirectResponse(f"{PAGE}?saved=1", status_code=303)
