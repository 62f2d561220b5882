"""Ending a user's access: every browser session and every bearer token, when credentials change
(password, reset, MFA reset), when an account is deactivated, on "sign out everywhere", and when a
clinic starts requiring MFA of users who have not enrolled."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.models import ApiToken, Role, User, UserRole, UserSession
from openkap.core.time import utcnow

MFA_ENROLMENT_MESSAGE = (
    "MfaEnrolmentRequired: your clinic requires MFA and this account has not set it up. Sign in "
    "at /login and set it up at /account/mfa; API tokens are issued and accepted once it is on."
)


def mfa_enrolment_due(user: User) -> bool:
    """Whether the clinic requires MFA of this staff user, who has not set it up yet.

    Patients sign in by the portal's own rules (single-use links), not the staff MFA policy.
    """
    return user.organization.require_mfa and not user.mfa_enabled and Role.patient not in user.roles


def end_access(
    session: Session,
    *,
    user: User,
    actor: audit.Actor,
    why: str,
    keep_session_id: uuid.UUID | None = None,
) -> int:
    """End the user's browser sessions (but the one kept) and revoke all tokens; audit the count."""
    now = utcnow()
    live = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    ended = [record for record in live if record.id != keep_session_id]
    for record in ended:
        record.ended_at = now
    sessions_ended = len(ended)
    tokens_revoked = _revoke_tokens(session, user_ids=[user.id], now=now)
    audit.record(
        session,
        actor=actor,
        action="user.access_ended",
        resource_type="user",
        resource_id=user.id,
        detail=f"{why}: {sessions_ended} session(s) ended, {tokens_revoked} token(s) revoked",
    )
    return sessions_ended + tokens_revoked


def revoke_unenrolled_tokens(
    session: Session, *, organization_id: uuid.UUID, actor: audit.Actor
) -> int:
    """Revoke every token of the clinic's staff who have not set up MFA; audit the count."""
    unenrolled = list(
        session.scalars(
            select(User.id).where(
                User.organization_id == organization_id,
                User.totp_secret.is_(None),
                ~User.role_rows.any(UserRole.role == Role.patient.value),
            )
        )
    )
    revoked = _revoke_tokens(session, user_ids=unenrolled, now=utcnow())
    audit.record(
        session,
        actor=actor,
        action="organization.unenrolled_tokens_revoked",
        resource_type="organization",
        resource_id=organization_id,
        detail=f"{revoked} token(s) of {len(unenrolled)} user(s) without MFA revoked",
    )
    return revoked


def _revoke_tokens(session: Session, *, user_ids: list[uuid.UUID], now: datetime) -> int:
    if not user_ids:
        return 0
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id.in_(user_ids), ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)
