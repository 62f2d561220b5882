"""Administration JSON API: users, privileged role grants and the audit log."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from openkap.accounts import service as accounts
from openkap.accounts.administration import access, grants, refusals
from openkap.accounts.schemas import (
    AccessEnded,
    PasswordReset,
    RoleGrantRead,
    SecurityAlertRead,
    SignInPolicy,
    UserCreate,
    UserRead,
)
from openkap.admin.service import AuditFilter, list_audit_events
from openkap.core.deps import DbSession, api_permission
from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.schemas import NO_NUL, InputModel

router = APIRouter(prefix="/api/v1", tags=["administration"])
Admin = Annotated[Principal, Depends(api_permission(Permission.user_manage))]
Auditor = Annotated[Principal, Depends(api_permission(Permission.audit_read))]


class UserUpdate(InputModel):
    roles: list[Role] = Field(min_length=1)
    is_active: bool


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    id: uuid.UUID
    occurred_at: datetime
    user_id: uuid.UUID | None
    user_roles: str
    action: str
    resource_type: str
    resource_id: str | None
    patient_id: uuid.UUID | None
    client_address: str
    detail: str


class AuditPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: int | None = Field(description="Pass as `before` for older events")


@router.get("/users", response_model=list[UserRead], responses=error_responses(401, 403))
def list_users(session: DbSession, principal: Admin) -> list[UserRead]:
    """List the clinic's users."""
    users = accounts.list_users(session, organization_id=principal.organization_id)
    return [UserRead.model_validate(u) for u in users]


@router.post(
    "/users",
    response_model=UserRead,
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
)
def create_user(session: DbSession, principal: Admin, body: UserCreate) -> UserRead:
    """Create a user in the caller's clinic."""
    user = accounts.create_user(
        session,
        organization_id=principal.organization_id,
        email=body.email,
        full_name=body.full_name,
        password=body.password,
        roles=body.roles,
        by=principal,
    )
    return UserRead.model_validate(user)


@router.get(
    "/users/{user_id}", response_model=UserRead, responses=error_responses(401, 403, 404, 422)
)
def read_user(session: DbSession, principal: Admin, user_id: uuid.UUID) -> UserRead:
    """Return one user of the clinic."""
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    return UserRead.model_validate(user)


@router.put(
    "/users/{user_id}",
    response_model=UserRead,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def update_user(
    session: DbSession, principal: Admin, user_id: uuid.UUID, body: UserUpdate
) -> UserRead:
    """Set a user's roles and whether the account may sign in."""
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    user = accounts.update_user(
        session, user=user, roles=body.roles, is_active=body.is_active, by=principal
    )
    return UserRead.model_validate(user)


@router.post(
    "/users/{user_id}/end-sessions",
    response_model=AccessEnded,
    responses=error_responses(400, 401, 403, 404, 422),
)
def end_sessions(session: DbSession, principal: Admin, user_id: uuid.UUID) -> AccessEnded:
    """End every browser session and revoke every token of a user of the clinic."""
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    return AccessEnded(ended=access.end_sessions(session, user=user, by=principal))


@router.post(
    "/users/{user_id}/unlock",
    response_model=UserRead,
    responses=error_responses(400, 401, 403, 404, 422),
)
def unlock_user(session: DbSession, principal: Admin, user_id: uuid.UUID) -> UserRead:
    """Let a user whose sign-ins are throttled try again at once."""
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    access.unlock(session, user=user, by=principal)
    return UserRead.model_validate(user)


@router.post(
    "/users/{user_id}/password",
    response_model=UserRead,
    responses=error_responses(400, 401, 403, 404, 422),
)
def reset_password(
    session: DbSession, principal: Admin, user_id: uuid.UUID, body: PasswordReset
) -> UserRead:
    """Set a new password for a user who lost theirs; their sessions and tokens end."""
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    access.reset_password(session, user=user, new_password=body.new_password, by=principal)
    return UserRead.model_validate(user)


@router.post(
    "/users/{user_id}/reset-mfa",
    response_model=UserRead,
    responses=error_responses(400, 401, 403, 404, 422),
)
def reset_mfa(session: DbSession, principal: Admin, user_id: uuid.UUID) -> UserRead:
    """Remove a user's authenticator (lost or replaced); their sessions and tokens end."""
    user = accounts.get_user(session, organization_id=principal.organization_id, user_id=user_id)
    access.reset_mfa(session, user=user, by=principal)
    return UserRead.model_validate(user)


@router.put(
    "/sign-in-policy", response_model=SignInPolicy, responses=error_responses(401, 403, 422)
)
def set_sign_in_policy(session: DbSession, principal: Admin, body: SignInPolicy) -> SignInPolicy:
    """Require MFA of the clinic's staff or not, and how long personal tokens may live."""
    accounts.set_mfa_requirement(session, principal=principal, required=body.require_mfa)
    accounts.set_token_policy(session, principal=principal, max_days=body.personal_token_max_days)
    return body


@router.get(
    "/security-alerts", response_model=list[SecurityAlertRead], responses=error_responses(401, 403)
)
def list_security_alerts(session: DbSession, principal: Admin) -> list[SecurityAlertRead]:
    """List the clinic's unacknowledged security alerts (users refused again and again)."""
    alerts = refusals.open_alerts(session, by=principal)
    return [SecurityAlertRead.model_validate(a) for a in alerts]


@router.post(
    "/security-alerts/{alert_id}/acknowledge",
    response_model=SecurityAlertRead,
    responses=error_responses(401, 403, 404, 422),
)
def acknowledge_security_alert(
    session: DbSession, principal: Admin, alert_id: uuid.UUID
) -> SecurityAlertRead:
    """Mark a security alert seen."""
    alert = refusals.acknowledge(session, alert_id=alert_id, by=principal)
    return SecurityAlertRead.model_validate(alert)


@router.get("/role-grants", response_model=list[RoleGrantRead], responses=error_responses(401, 403))
def list_role_grants(session: DbSession, principal: Admin) -> list[RoleGrantRead]:
    """List grants of the admin and prescriber roles: pending ones first, then the newest."""
    return [RoleGrantRead.model_validate(g) for g in grants.list_grants(session, by=principal)]


@router.post(
    "/role-grants/{grant_id}/approve",
    response_model=RoleGrantRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def approve_role_grant(session: DbSession, principal: Admin, grant_id: uuid.UUID) -> RoleGrantRead:
    """Approve a pending grant as a second administrator (not the asker, not the grantee)."""
    return RoleGrantRead.model_validate(
        grants.approve_grant(session, grant_id=grant_id, by=principal)
    )


@router.post(
    "/role-grants/{grant_id}/decline",
    response_model=RoleGrantRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def decline_role_grant(session: DbSession, principal: Admin, grant_id: uuid.UUID) -> RoleGrantRead:
    """Decline, or withdraw, a pending grant; the role is not given."""
    return RoleGrantRead.model_validate(
        grants.decline_grant(session, grant_id=grant_id, by=principal)
    )


@router.get("/audit-events", response_model=AuditPage, responses=error_responses(401, 403, 422))
def audit_events(
    session: DbSession,
    principal: Auditor,
    patient_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """List audit events, newest first; filter by patient to see who accessed a record."""
    events, cursor = list_audit_events(
        session,
        by=principal,
        where=AuditFilter(patient_id=patient_id, user_id=user_id, action=action),
        before_seq=before,
        limit=limit,
    )
    return AuditPage(items=[AuditEventRead.model_validate(e) for e in events], next_cursor=cursor)
