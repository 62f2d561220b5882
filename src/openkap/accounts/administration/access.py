"""What an administrator does to another user's access: end their sessions, unlock a throttled
sign-in, reset a lost password or authenticator. Each is audited; none applies to the
administrator's own account (they use their own account page)."""

from sqlalchemy.orm import Session

from openkap.accounts.credentials.revocation import end_access
from openkap.accounts.service import check_password
from openkap.accounts.signin import throttle
from openkap.core.audit import chain as audit
from openkap.core.errors import BadRequest
from openkap.core.models import User
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.security import hash_password
from openkap.core.time import utcnow


def _check(by: Principal, user: User, what: str) -> None:
    require(by, Permission.user_manage, f"Only an administrator may {what}.")
    if user.id == by.user.id:
        raise BadRequest(f"You cannot {what} for yourself; use your account page.")


def end_sessions(session: Session, *, user: User, by: Principal) -> int:
    """End every session and token of a user of the clinic; return how many."""
    _check(by, user, "end a user's sessions")
    return end_access(session, user=user, actor=by.actor, why="ended by an administrator")


def unlock(session: Session, *, user: User, by: Principal) -> None:
    """Let a throttled user try to sign in again at once."""
    _check(by, user, "unlock a sign-in")
    throttle.unlock(session, user=user, by_id=by.user.id)
    audit.record(
        session, actor=by.actor, action="user.unlocked", resource_type="user", resource_id=user.id
    )


def reset_password(session: Session, *, user: User, new_password: str, by: Principal) -> None:
    """Give a user who lost their password a new one; all their sessions and tokens end."""
    _check(by, user, "reset a password")
    check_password(new_password, user.email, user.full_name)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    audit.record(
        session, actor=by.actor, action="password.reset", resource_type="user", resource_id=user.id
    )
    end_access(session, user=user, actor=by.actor, why="password reset")


def reset_mfa(session: Session, *, user: User, by: Principal) -> None:
    """Remove a user's authenticator (lost or replaced) and end all their access."""
    _check(by, user, "reset MFA")
    user.totp_secret = user.totp_pending_secret = None
    user.totp_last_step = None
    audit.record(
        session, actor=by.actor, action="mfa.reset", resource_type="user", resource_id=user.id
    )
    end_access(session, user=user, actor=by.actor, why="MFA reset")
