"""Administration pages: users and roles, MFA policy, audit log."""

import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.accounts import service as accounts
from openkap.accounts.administration import access, grants, refusals
from openkap.accounts.schemas import SignInPolicy, UserCreate
from openkap.accounts.signin import throttle
from openkap.admin.service import AuditFilter, list_audit_events, user_names
from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.web.forms import FormFields, FormLists, refusal_errors, validate_form
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(web_permission(Permission.user_manage))]
Auditor = Annotated[Principal, Depends(web_permission(Permission.audit_read))]
ROLES = list(Role)


def _roles_from(lists: dict[str, list[str]]) -> list[str]:
    return [r for r in lists.get("roles", []) if r in {role.value for role in Role}]


def _users_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    users = accounts.list_users(session, organization_id=principal.organization_id)
    role_grants = grants.list_grants(session, by=principal)
    return render(
        request,
        "admin/users.html",
        principal=principal,
        users=users,
        roles=ROLES,
        grants=role_grants,
        pending={(g.user_id, g.role) for g in role_grants if g.status == "pending"},
        names={u.id: u.full_name for u in users},
        locked={u.id for u in users if throttle.locked(session, user=u)},
        alerts=refusals.open_alerts(session, by=principal),
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, session: DbSession, principal: Admin) -> HTMLResponse:
    return _users_page(request, session, principal)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def create_user(
    request: Request, session: DbSession, principal: Admin, fields: FormFields, lists: FormLists
) -> Response:
    data, errors = validate_form(UserCreate, {**fields, "roles": _roles_from(lists)})
    if data is None:
        return _users_page(request, session, principal, values=fields, errors=errors, status=422)
    try:
        accounts.create_user(
            session,
            organization_id=principal.organization_id,
            email=data.email,
            full_name=data.full_name,
            password=data.password,
            roles=data.roles,
            by=principal,
        )
    except OpenKapError as refused:
        return _users_page(
            request,
            session,
            principal,
            values=fields,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post(
    "/admin/users/{user_id}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def update_user(
    request: Request,
    session: DbSession,
    principal: Admin,
    user_id: uuid.UUID,
    fields: FormFields,
    lists: FormLists,
) -> Response:
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    roles = [Role(r) for r in _roles_from(lists)]
    if not roles:
        return _users_page(
            request,
            session,
            principal,
            status=422,
            errors={"_form": f"{user.full_name} needs at least one role."},
        )
    try:
        accounts.update_user(
            session, user=user, roles=roles, is_active=fields.get("is_active") == "on", by=principal
        )
    except OpenKapError as refused:
        return _users_page(
            request,
            session,
            principal,
            errors=refusal_errors(refused),
            status=refused.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post(
    "/admin/users/{user_id}/password",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def reset_password(
    request: Request, session: DbSession, principal: Admin, user_id: uuid.UUID, fields: FormFields
) -> Response:
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    try:
        access.reset_password(
            session, user=user, new_password=fields.get("new_password", ""), by=principal
        )
    except OpenKapError as refused:
        errors = {"_form": f"{user.full_name}: {refused.message}"}
        return _users_page(request, session, principal, errors=errors, status=refused.status_code)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/security-alerts/{alert_id}/acknowledge", dependencies=[Depends(csrf_protect)])
def acknowledge_security_alert(
    session: DbSession, principal: Admin, alert_id: uuid.UUID
) -> Response:
    refusals.acknowledge(session, alert_id=alert_id, by=principal)
    return RedirectResponse("/admin/users", status_code=303)


@router.post(
    "/admin/role-grants/{grant_id}/{decision}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def decide_role_grant(
    request: Request,
    session: DbSession,
    principal: Admin,
    grant_id: uuid.UUID,
    decision: Literal["approve", "decline"],
) -> Response:
    decide = grants.approve_grant if decision == "approve" else grants.decline_grant
    try:
        decide(session, grant_id=grant_id, by=principal)
    except OpenKapError as refused:
        return _users_page(
            request,
            session,
            principal,
            errors={"_form": refused.message},
            status=refused.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/mfa-policy", dependencies=[Depends(csrf_protect)])
def mfa_policy(
    request: Request, session: DbSession, principal: Admin, fields: FormFields
) -> Response:
    policy, errors = validate_form(
        SignInPolicy,
        {
            "require_mfa": fields.get("require_mfa") == "on",
            "personal_token_max_days": fields.get("personal_token_max_days") or "90",
        },
    )
    if policy is None:
        return _users_page(request, session, principal, errors=errors, status=422)
    accounts.set_mfa_requirement(session, principal=principal, required=policy.require_mfa)
    accounts.set_token_policy(session, principal=principal, max_days=policy.personal_token_max_days)
    return RedirectResponse("/admin/users", status_code=303)


ACCESS_ACTIONS: dict[str, Callable[..., object]] = {
    "end-sessions": access.end_sessions,
    "unlock": access.unlock,
    "reset-mfa": access.reset_mfa,
}


@router.post(
    "/admin/users/{user_id}/access/{action}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def change_access(
    request: Request,
    session: DbSession,
    principal: Admin,
    user_id: uuid.UUID,
    action: Literal["end-sessions", "unlock", "reset-mfa"],
) -> Response:
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    try:
        ACCESS_ACTIONS[action](session, user=user, by=principal)
    except OpenKapError as refused:
        return _users_page(
            request, session, principal, errors=refusal_errors(refused), status=refused.status_code
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    session: DbSession,
    principal: Auditor,
    patient_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> HTMLResponse:
    where = AuditFilter(patient_id=patient_id, user_id=user_id)
    events, cursor = list_audit_events(
        session, by=principal, where=where, before_seq=before, limit=100
    )
    return render(
        request,
        "admin/audit.html",
        principal=principal,
        events=events,
        cursor=cursor,
        names=user_names(session, by=principal),
        where=where,
    )
