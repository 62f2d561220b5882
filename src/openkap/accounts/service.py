"""Organisations, users, roles, passwords and MFA."""

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.accounts.administration.grants import set_roles
from openkap.accounts.credentials.revocation import end_access, revoke_unenrolled_tokens
from openkap.accounts.errors import EmailTaken, InvalidMfaCode, WeakPassword
from openkap.core.audit import chain as audit
from openkap.core.audit.chain import AuditChainHead
from openkap.core.dea import dea_registration_problem
from openkap.core.errors import BadRequest, NotFound
from openkap.core.models import Organization, Role, Site, User, UserRole
from openkap.core.principal import Principal
from openkap.core.security import (
    hash_password,
    new_totp_secret,
    password_problem,
    totp_matching_step,
    verify_password,
)
from openkap.core.time import utcnow

# The longest any clinic may let a personal API token live.
PERSONAL_TOKEN_MAX_DAYS = 365


def create_organization(
    session: Session, *, name: str, slug: str, require_mfa: bool = False
) -> Organization:
    """Create a clinic and start its audit chain."""
    organization = Organization(name=name, slug=slug, require_mfa=require_mfa)
    session.add(organization)
    session.flush()
    session.add(AuditChainHead(organization_id=organization.id))
    return organization


def create_site(
    session: Session,
    *,
    organization: Organization,
    name: str,
    address: str = "",
    dea_registration: str = "",
    phone: str = "",
) -> Site:
    """Add a site (a physical location) to a clinic, with its DEA registration if it has one."""
    problem = dea_registration and dea_registration_problem(dea_registration)
    if problem:
        raise BadRequest(problem, status_code=422, field="dea_registration")
    site = Site(
        organization_id=organization.id,
        name=name,
        address=address,
        dea_registration=dea_registration,
        phone=phone.strip(),
    )
    session.add(site)
    return site


def check_password(password: str, *personal: str) -> None:
    """Refuse a new password that is short, common, guessable or made of the account's words."""
    problem = password_problem(password, *personal)
    if problem:
        raise WeakPassword(problem)


def role_rows(roles: Iterable[Role]) -> list[UserRole]:
    return [UserRole(role=Role(role).value) for role in sorted(set(roles))]


def create_user(
    session: Session,
    *,
    organization_id: uuid.UUID,
    email: str,
    full_name: str,
    password: str,
    roles: Iterable[Role],
    by: Principal | None,
) -> User:
    """Create a user account in a clinic."""
    check_password(password, email, full_name)
    email = email.strip().lower()
    taken = select(User.id).where(User.organization_id == organization_id, User.email == email)
    if session.scalars(taken).first() is not None:
        raise EmailTaken(f"A user of this clinic already has the e-mail {email}.")
    user = User(
        organization_id=organization_id,
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role_rows=[],
    )
    session.add(user)
    session.flush()
    set_roles(session, user=user, roles=roles, by=by)
    if by is not None:
        audit.record(
            session,
            actor=by.actor,
            action="user.created",
            resource_type="user",
            resource_id=user.id,
        )
    return user


def list_users(session: Session, *, organization_id: uuid.UUID) -> list[User]:
    """List a clinic's users by name."""
    return list(
        session.scalars(
            select(User).where(User.organization_id == organization_id).order_by(User.full_name)
        )
    )


def get_user(session: Session, *, organization_id: uuid.UUID, user_id: uuid.UUID) -> User:
    """Return a user of this clinic, or NotFound (other clinics' users do not exist here)."""
    user = session.get(User, user_id)
    if user is None or user.organization_id != organization_id:
        raise NotFound("No such user.")
    return user


def update_user(
    session: Session, *, user: User, roles: Iterable[Role], is_active: bool, by: Principal
) -> User:
    """Change a user's roles and whether the account may sign in; privileged roles are granted."""
    new_roles = sorted(set(roles))
    if user.id == by.user.id and not is_active:
        raise BadRequest("You cannot deactivate yourself.")
    set_roles(session, user=user, roles=new_roles, by=by)
    if user.is_active and not is_active:
        end_access(session, user=user, actor=by.actor, why="account deactivated")
    user.is_active = is_active
    audit.record(
        session,
        actor=by.actor,
        action="user.updated",
        resource_type="user",
        resource_id=user.id,
        detail=f"roles={','.join(new_roles)} active={is_active}",
    )
    return user


def change_password(session: Session, *, principal: Principal, current: str, new: str) -> None:
    """Change one's own password after checking the current one."""
    user = principal.user
    if not verify_password(user.password_hash, current):
        raise BadRequest("The current password is incorrect.")
    check_password(new, user.email, user.full_name)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    audit.record(
        session,
        actor=principal.actor,
        action="password.changed",
        resource_type="user",
        resource_id=user.id,
    )
    keep = principal.web_session.id if principal.web_session else None
    end_access(
        session, user=user, actor=principal.actor, why="password changed", keep_session_id=keep
    )


def begin_mfa_enrolment(session: Session, *, user: User) -> str:
    """Create a pending TOTP secret for the user to add to an authenticator app."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = new_totp_secret()
    return user.totp_pending_secret


def confirm_mfa_enrolment(session: Session, *, principal: Principal, code: str) -> None:
    """Turn MFA on once the user proves the authenticator works."""
    user = principal.user
    secret = user.totp_pending_secret
    if secret is None:
        raise BadRequest("Start MFA enrolment before confirming it.")
    step = totp_matching_step(secret, code, after_step=None)
    if step is None:
        raise InvalidMfaCode("That code does not match. Check the time on your device and retry.")
    user.totp_secret, user.totp_pending_secret, user.totp_last_step = secret, None, step
    audit.record(
        session,
        actor=principal.actor,
        action="mfa.enabled",
        resource_type="user",
        resource_id=user.id,
    )


def check_mfa_code(session: Session, *, user: User, code: str) -> bool:
    """Verify a sign-in code, refusing a code that was already used."""
    if user.totp_secret is None:
        return False
    step = totp_matching_step(user.totp_secret, code, after_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def disable_mfa(session: Session, *, principal: Principal, password: str) -> None:
    """Turn MFA off after re-checking the password; refused where the clinic requires it."""
    user = principal.user
    if user.organization.require_mfa:
        raise BadRequest("Your clinic requires MFA, so it cannot be turned off.")
    if not verify_password(user.password_hash, password):
        raise BadRequest("The password is incorrect.")
    user.totp_secret = user.totp_pending_secret = None
    audit.record(
        session,
        actor=principal.actor,
        action="mfa.disabled",
        resource_type="user",
        resource_id=user.id,
    )
    keep = principal.web_session.id if principal.web_session else None
    end_access(
        session, user=user, actor=principal.actor, why="MFA turned off", keep_session_id=keep
    )


def set_token_policy(session: Session, *, principal: Principal, max_days: int) -> None:
    """Set how long the clinic's personal API tokens may live (1-365 days); existing ones keep
    their expiry."""
    if not 1 <= max_days <= PERSONAL_TOKEN_MAX_DAYS:
        raise BadRequest(
            f"personal_token_max_days is {max_days}; allowed 1-{PERSONAL_TOKEN_MAX_DAYS}.",
            field="personal_token_max_days",
        )
    principal.user.organization.personal_token_max_days = max_days
    audit.record(
        session,
        actor=principal.actor,
        action="organization.token_policy",
        resource_type="organization",
        resource_id=principal.organization_id,
        detail=f"personal_token_max_days={max_days}",
    )


def set_mfa_requirement(session: Session, *, principal: Principal, required: bool) -> None:
    """Require (or stop requiring) MFA of the clinic's staff; requiring it revokes the tokens of
    those who have not set it up."""
    principal.user.organization.require_mfa = required
    if required:
        revoke_unenrolled_tokens(
            session, organization_id=principal.organization_id, actor=principal.actor
        )
    audit.record(
        session,
        actor=principal.actor,
        action="organization.mfa_requirement",
        resource_type="organization",
        resource_id=principal.organization_id,
        detail=f"required={required}",
    )
