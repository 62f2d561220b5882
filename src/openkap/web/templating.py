"""Jinja2 set-up shared by every domain's pages.

A template named "patients/list.html" is loaded from the `templates/` folder of the package
`openkap.patients`, so each domain keeps its own pages beside its code.
"""

import uuid
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import BaseLoader, Environment, TemplateNotFound, select_autoescape

from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal


class DomainLoader(BaseLoader):
    """Load "domain/name.html" from the package openkap.<domain>/templates."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        domain, _, name = template.partition("/")
        if not domain.isidentifier() or not name or ".." in name:
            raise TemplateNotFound(template)
        try:
            source = resources.files(f"openkap.{domain}").joinpath("templates", name)
            text = source.read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as missing:
            raise TemplateNotFound(template) from missing
        return text, str(source), lambda: True


NAVIGATION: list[tuple[str, str, Permission | None]] = [
    ("Patients", "/patients", Permission.patient_read),
    ("Tasks", "/tasks", Permission.task_read),
    ("My portal", "/portal", Permission.portal_use),
    ("Users", "/admin/users", Permission.user_manage),
    ("Audit log", "/admin/audit", Permission.audit_read),
    ("REMS forms", "/rems-forms", Permission.rems_form_submit),
    ("Controlled substances", "/inventory", Permission.inventory_read),
    ("Screening rules", "/admin/rule-set", Permission.ruleset_read),
    ("Dosing thresholds", "/admin/dosing-thresholds", Permission.ruleset_read),
    ("Follow-up settings", "/admin/follow-up", Permission.followup_configure),
    ("Portal settings", "/admin/portal-settings", Permission.followup_configure),
    ("Protocols", "/protocol-templates", Permission.template_manage),
    ("Consent forms", "/consent-documents", Permission.consent_document_manage),
    ("Account", "/account", None),
]

_environment = Environment(
    loader=DomainLoader(), autoescape=select_autoescape(default=True), auto_reload=False
)
templates = Jinja2Templates(env=_environment)


# A domain adds what every page's layout shows (follow-up's urgent-alert badge and banner)
# through this list, so the web layer imports no domain. A provider must not query: it returns
# values the layout reads lazily, so a partial that shows no layout costs nothing.
LayoutProvider = Callable[[Principal, uuid.UUID | None], Mapping[str, Any]]
_LAYOUT_PROVIDERS: list[LayoutProvider] = []


def add_layout_provider(provider: LayoutProvider) -> None:
    """Register what every page's layout receives, given the user and the page's patient."""
    if provider not in _LAYOUT_PROVIDERS:
        _LAYOUT_PROVIDERS.append(provider)


def page_patient_id(context: Mapping[str, Any]) -> uuid.UUID | None:
    """Return the patient a page is about: its `patient`, or the one patient its records name."""
    patient_key = getattr(context.get("patient"), "id", None)
    if isinstance(patient_key, uuid.UUID):
        return patient_key
    named = {context.get("patient_id")} | {
        getattr(value, "patient_id", None) for value in context.values()
    }
    found = {value for value in named if isinstance(value, uuid.UUID)}
    return found.pop() if len(found) == 1 else None


def _layout(principal: Principal | None, context: Mapping[str, Any]) -> dict[str, Any]:
    if principal is None or not _LAYOUT_PROVIDERS:
        return {}
    patient_id = page_patient_id(context)
    return {
        k: v for provider in _LAYOUT_PROVIDERS for k, v in provider(principal, patient_id).items()
    }


def navigation_for(principal: Principal | None) -> list[tuple[str, str]]:
    """Return the menu entries the user's roles allow."""
    if principal is None:
        return []
    return [
        (label, href)
        for label, href, permission in NAVIGATION
        if permission is None or allows(principal.roles, permission)
    ]


def render(
    request: Request,
    template: str,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the layout's context (user, navigation, CSRF token)."""
    csrf = principal.web_session.csrf_token if principal and principal.web_session else ""
    base = {"principal": principal, "navigation": navigation_for(principal), "csrf_token": csrf}
    return templates.TemplateResponse(
        request,
        template,
        {**base, **_layout(principal, context), **context},
        status_code=status_code,
    )
