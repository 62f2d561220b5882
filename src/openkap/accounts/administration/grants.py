"""Who may give whom which role: nobody changes their own roles, and the privileged roles (admin,
prescriber) are granted through a recorded grant that a second administrator approves where the
clinic has one. A pending grant gives no permission."""

import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from openkap.accounts.errors import GrantNotPending, SecondApproverRequired, SelfRoleChange
from openkap.core.audit import chain as audit
from openkap.core.errors import NotFound
from openkap.core.models import GrantStatus, Role, RoleGrant, User, UserRole
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow

PRIVILEGED = frozenset({Role.admin, Role.prescriber})

# A check gets the user and the roles about to be taken away, and raises to keep them. Later
# domains register theirs (a course's prescriber keeps the role) so accounts imports none of them.
RoleRemovalCheck = Callable[[Session, User, frozenset[Role]], None]
_REMOVAL_CHECKS: list[RoleRemovalCheck] = []


def add_role_removal_check(check: RoleRemovalCheck) -> None:
    """Register a rule every removal of roles goes through; it raises to refuse the removal."""
    if check not in _REMOVAL_CHECKS:
        _REMOVAL_CHECKS.append(check)


def set_roles(
    session: Session, *, user: User, roles: Iterable[Role], by: Principal | None
) -> list[RoleGrant]:
    """Give a user exactly these roles: others at once, admin and prescriber through a grant."""
    wanted = frozenset(Role(r) for r in roles)
    if by is not None:
        refuse_own_roles(session, user=user, roles=wanted, by=by)
    for check in _REMOVAL_CHECKS:
        check(session, user, frozenset(user.roles - wanted))
    user.role_rows = [row for row in user.role_rows if Role(row.role) in wanted]
    for role in sorted(wanted - user.roles - PRIVILEGED):
        user.role_rows.append(UserRole(role=role.value))
    return [
        _grant(session, user=user, role=role, by=by)
        for role in sorted(wanted & PRIVILEGED - user.roles)
    ]


def refuse_own_roles(
    session: Session, *, user: User, roles: frozenset[Role], by: Principal
) -> None:
    """Refuse, and audit, anyone changing their own roles."""
    if user.id != by.user.id or roles == user.roles:
        return
    wanted = ",".join(sorted(roles))
    audit.record_refusal(
        session,
        actor=by.actor,
        action="user.roles_refused",
        resource_type="user",
        resource_id=user.id,
        detail=f"own roles {','.join(sorted(user.roles))} -> {wanted}",
    )
    raise SelfRoleChange(
        f"SelfRoleChange: you cannot change your own roles ({wanted} asked); another "
        "administrator must do it."
    )


def _approvers(session: Session, *, user: User, by: Principal | None) -> list[uuid.UUID]:
    """Return the active administrators who could approve a grant: neither asker nor grantee."""
    others = {user.id} | ({by.user.id} if by is not None else set())
    return list(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.organization_id == user.organization_id,
                User.is_active.is_(True),
                UserRole.role == Role.admin.value,
                User.id.not_in(others),
            )
        )
    )


def _grant(session: Session, *, user: User, role: Role, by: Principal | None) -> RoleGrant:
    # Without an administrator (a clinic's set-up) nobody could approve: in force at once.
    waiting = _pending(session, user=user, role=role) if by is not None else None
    if waiting is not None:
        return waiting
    second = by is not None and bool(_approvers(session, user=user, by=by))
    grant = RoleGrant(
        organization_id=user.organization_id,
        user_id=user.id,
        role=role.value,
        status=(GrantStatus.pending if second else GrantStatus.immediate).value,
        requested_by_id=by.user.id if by is not None else None,
    )
    session.add(grant)
    if not second:
        user.role_rows.append(UserRole(role=role.value))
    session.flush()
    _audit(session, grant=grant, by=by, action=f"role.grant_{grant.status}")
    return grant


def _pending(session: Session, *, user: User, role: Role) -> RoleGrant | None:
    return session.scalars(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == role.value,
            RoleGrant.status == GrantStatus.pending.value,
        )
    ).first()


def _audit(session: Session, *, grant: RoleGrant, by: Principal | None, action: str) -> None:
    # A grant without an administrator is the bootstrap of a clinic (its first users).
    actor = (
        by.actor
        if by is not None
        else audit.Actor(
            user_id=None, organization_id=grant.organization_id, roles="", client_address=""
        )
    )
    audit.record(
        session,
        actor=actor,
        action=action,
        resource_type="role_grant",
        resource_id=grant.id,
        detail=f"user={grant.user_id} role={grant.role} status={grant.status}",
    )


def _load_pending(session: Session, *, grant_id: uuid.UUID, by: Principal) -> RoleGrant:
    require(by, Permission.user_manage, "Only administrators decide on role grants.")
    grant = session.get(RoleGrant, (by.organization_id, grant_id))
    if grant is None:
        raise NotFound("No such role grant.")
    if grant.status != GrantStatus.pending.value:
        raise GrantNotPending(f"GrantNotPending: this grant is {grant.status}, not pending.")
    return grant


def approve_grant(session: Session, *, grant_id: uuid.UUID, by: Principal) -> RoleGrant:
    """Approve a pending grant as a second administrator; the role is then held."""
    grant = _load_pending(session, grant_id=grant_id, by=by)
    if by.user.id in (grant.requested_by_id, grant.user_id):
        audit.record_refusal(
            session,
            actor=by.actor,
            action="role.grant_approval_refused",
            resource_type="role_grant",
            resource_id=grant.id,
        )
        raise SecondApproverRequired(
            "SecondApproverRequired: the administrator who asked for a grant, or who would "
            "receive it, cannot approve it; another administrator must."
        )
    user = session.get_one(User, grant.user_id)
    if Role(grant.role) not in user.roles:
        user.role_rows.append(UserRole(role=grant.role))
    return _decide(session, grant=grant, status=GrantStatus.approved, by=by)


def decline_grant(session: Session, *, grant_id: uuid.UUID, by: Principal) -> RoleGrant:
    """Decline (or, for the one who asked, withdraw) a pending grant; no role is given."""
    grant = _load_pending(session, grant_id=grant_id, by=by)
    return _decide(session, grant=grant, status=GrantStatus.declined, by=by)


def _decide(session: Session, *, grant: RoleGrant, status: GrantStatus, by: Principal) -> RoleGrant:
    grant.status, grant.decided_by_id, grant.decided_at = status.value, by.user.id, utcnow()
    _audit(session, grant=grant, by=by, action=f"role.grant_{status.value}")
    return grant


def list_grants(session: Session, *, by: Principal, limit: int = 50) -> list[RoleGrant]:
    """Return the clinic's privileged grants, pending ones first, then the newest."""
    require(by, Permission.user_manage, "Only administrators see role grants.")
    waiting = case((RoleGrant.status == GrantStatus.pending.value, 0), else_=1)
    return list(
        session.scalars(
            select(RoleGrant).order_by(waiting, RoleGrant.requested_at.desc()).limit(limit)
        )
    )
