"""Signing in: password and one-time-code checks under the throttle, browser sessions and bearer
tokens."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.accounts.errors import (
    ClinicChoiceNeeded,
    InvalidCredentials,
    LoginThrottled,
    TokenLifetimeTooLong,
)
from openkap.accounts.service import check_mfa_code
from openkap.accounts.signin import throttle
from openkap.core.audit import chain as audit
from openkap.core.config import get_settings
from openkap.core.models import ApiToken, Organization, User, UserSession
from openkap.core.principal import actor_for
from openkap.core.security import hash_password, new_token, token_digest, verify_password
from openkap.core.time import utcnow

# Verifying against a real hash when the account is unknown keeps response times alike, so timing
# does not reveal which e-mail addresses have accounts.
_DUMMY_HASH = hash_password("openkap-timing-equaliser")
_LAST_SEEN_RESOLUTION = timedelta(minutes=1)

LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class LoginOutcome:
    """The result of a password check: a user, or the error to show."""

    user: User | None
    error: LoginThrottled | InvalidCredentials | ClinicChoiceNeeded | None
    # The password was right but the account uses MFA: the sign-in is decided by the code.
    second_factor_due: bool = False


def find_users_by_email(session: Session, *, email: str, clinic: str | None = None) -> list[User]:
    """Return the accounts with this e-mail address (at most one per clinic), of one clinic when
    its short name is given."""
    if "\x00" in email or (clinic and "\x00" in clinic):
        return []
    query = select(User).where(User.email == email.strip().lower())
    if clinic:
        query = query.join(Organization).where(Organization.slug == clinic.strip().lower())
    return list(session.scalars(query))


def find_user_in_clinic(session: Session, *, email: str, organization_id: uuid.UUID) -> User | None:
    """Return the clinic's account with this e-mail address, if any."""
    if "\x00" in email:
        return None
    return session.scalars(
        select(User).where(
            User.organization_id == organization_id, User.email == email.strip().lower()
        )
    ).one_or_none()


def _password_holders(candidates: list[User], password: str) -> list[User]:
    """The active accounts among the candidates whose password this is."""
    if not candidates:
        verify_password(_DUMMY_HASH, password)
    return [u for u in candidates if verify_password(u.password_hash, password) and u.is_active]


def _throttled(
    session: Session, *, email: str, actor: audit.Actor, user_id: uuid.UUID | None
) -> LoginThrottled | None:
    """Refuse (and audit) a sign-in step when the account or the address failed too often."""
    refused = throttle.refusal(session, email=email, client_address=actor.client_address)
    if refused is None:
        return None
    audit.record(
        session,
        actor=actor,
        action="login.throttled",
        resource_type="user",
        resource_id=user_id,
        detail="address" if refused.by_address else "account",
    )
    return refused.error


def authenticate(
    session: Session, *, email: str, password: str, client_address: str, clinic: str | None = None
) -> LoginOutcome:
    """Check a password, throttling repeated failures per account; every outcome is audited.

    A right password of an account with MFA is not yet a sign-in: nothing is counted until the
    code is checked (`pass_second_factor`), so a wrong code is a failure the throttle counts. An
    e-mail may have an account at several clinics; the password picks the account, and the
    clinic's short name is asked for only when the same password opens more than one.
    """
    candidates = find_users_by_email(session, email=email, clinic=clinic)
    only = candidates[0] if len(candidates) == 1 else None
    actor = actor_for(only, client_address=client_address)
    throttled = _throttled(session, email=email, actor=actor, user_id=only.id if only else None)
    if throttled:
        return LoginOutcome(user=None, error=throttled)
    holders = _password_holders(candidates, password)
    if len(holders) > 1:
        return LoginOutcome(user=None, error=_choose_clinic(holders))
    user = holders[0] if holders else only
    actor = actor_for(user, client_address=client_address)
    if holders and user is not None and user.mfa_enabled:
        return LoginOutcome(user=user, error=None, second_factor_due=True)
    _record_attempt(
        session, email=email, actor=actor, user=user, succeeded=bool(holders), step="password"
    )
    if not holders:
        return LoginOutcome(user=None, error=InvalidCredentials("E-mail or password is incorrect."))
    return LoginOutcome(user=user, error=None)


def _choose_clinic(holders: list[User]) -> ClinicChoiceNeeded:
    # Only someone holding the password of each account learns the clinics' short names.
    names = ", ".join(sorted(u.organization.slug for u in holders))
    return ClinicChoiceNeeded(
        "ClinicChoiceNeeded: this e-mail and password open accounts at more than one clinic "
        f"({names}); enter the clinic's short name as well."
    )


def _record_attempt(
    session: Session,
    *,
    email: str,
    actor: audit.Actor,
    user: User | None,
    succeeded: bool,
    step: str,
) -> None:
    throttle.count_attempt(
        session, email=email, client_address=actor.client_address, succeeded=succeeded
    )
    audit.record(
        session,
        actor=actor,
        action="login.succeeded" if succeeded else "login.failed",
        resource_type="user",
        resource_id=user.id if user else None,
        detail=step,
    )


def start_web_session(
    session: Session, *, user: User, client_address: str, mfa_passed: bool
) -> tuple[UserSession, str]:
    """Open a browser session; returns the record and the raw cookie token."""
    token = new_token()
    record = UserSession(
        token_hash=token_digest(token),
        user_id=user.id,
        csrf_token=new_token(),
        mfa_passed=mfa_passed,
        client_address=client_address[:64],
    )
    session.add(record)
    return record, token


def _session_expired(record: UserSession, now: datetime) -> bool:
    settings = get_settings()
    idle = timedelta(minutes=settings.session_idle_minutes)
    absolute = timedelta(hours=settings.session_absolute_hours)
    return now - record.last_seen_at > idle or now - record.created_at > absolute


def resolve_web_session(session: Session, *, token: str) -> UserSession | None:
    """Return the live session for a cookie token, ending it if it has timed out."""
    record = session.scalars(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    ).one_or_none()
    if record is None or record.ended_at is not None:
        return None
    now = utcnow()
    if _session_expired(record, now):
        record.ended_at = now
        return None
    # Refreshing at most once a minute spares a write per request; the idle limit is in minutes.
    if now - record.last_seen_at > _LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
    return record


def end_web_session(session: Session, *, record: UserSession) -> None:
    """Sign a browser session out."""
    record.ended_at = utcnow()


def issue_access_token(session: Session, *, user: User) -> tuple[ApiToken, str]:
    """Issue a short-lived bearer token for the OAuth2 password flow."""
    minutes = get_settings().access_token_minutes
    return _new_api_token(
        session,
        user=user,
        name="password flow",
        kind="access",
        expires_at=utcnow() + timedelta(minutes=minutes),
    )


def create_personal_token(
    session: Session, *, user: User, name: str, expires_in_days: int | None, client_address: str
) -> tuple[ApiToken, str]:
    """Create a named, revocable personal API token, expiring within the clinic's limit."""
    limit = user.organization.personal_token_max_days
    if expires_in_days is not None and expires_in_days > limit:
        raise TokenLifetimeTooLong(
            f"TokenLifetimeTooLong: expires_in_days is {expires_in_days}; personal tokens of this "
            f"clinic expire within 1-{limit} days.",
            field="expires_in_days",
        )
    expires_at = utcnow() + timedelta(days=expires_in_days or limit)
    record, raw = _new_api_token(
        session, user=user, name=name, kind="personal", expires_at=expires_at
    )
    audit.record(
        session,
        actor=actor_for(user, client_address=client_address),
        action="token.created",
        resource_type="api_token",
        resource_id=record.id,
    )
    return record, raw


def _new_api_token(
    session: Session, *, user: User, name: str, kind: str, expires_at: datetime | None
) -> tuple[ApiToken, str]:
    raw = new_token("okp_")
    record = ApiToken(
        token_hash=token_digest(raw),
        user_id=user.id,
        name=name,
        kind=kind,
        prefix=raw[:8],
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    return record, raw


def list_personal_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """List a user's personal tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.kind == "personal")
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(
    session: Session, *, user: User, token_id: uuid.UUID, client_address: str
) -> ApiToken | None:
    """Revoke one of the user's own tokens; returns None when it is not theirs."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        return None
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record(
            session,
            actor=actor_for(user, client_address=client_address),
            action="token.revoked",
            resource_type="api_token",
            resource_id=record.id,
        )
    return record


def resolve_bearer(session: Session, *, token: str) -> User | None:
    """Return the active user a bearer token belongs to, if the token is live."""
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(token))
    ).one_or_none()
    now = utcnow()
    if found is None:
        return None
    record, user = found
    if record.revoked_at is not None or not user.is_active:
        return None
    # A token without an expiry is refused: every token expires (personal ones within the limit).
    if record.expires_at is None or record.expires_at <= now:
        return None
    # Recorded to the minute: a write on every call would make each API request a token update.
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
        record.last_used_at = now
    return user


def pending_web_session(session: Session, *, token: str) -> tuple[UserSession, User] | None:
    """Return a live session still waiting for its second factor, with its user."""
    record = resolve_web_session(session, token=token)
    user = session.get(User, record.user_id) if record else None
    if record is None or user is None or record.mfa_passed or not user.mfa_enabled:
        return None
    return record, user


def pass_second_factor(
    session: Session, *, user: User, code: str, client_address: str
) -> LoginThrottled | InvalidCredentials | None:
    """Check a sign-in TOTP code: it decides the sign-in, under the same throttle as passwords."""
    actor = actor_for(user, client_address=client_address)
    throttled = _throttled(session, email=user.email, actor=actor, user_id=user.id)
    if throttled:
        return throttled
    passed = check_mfa_code(session, user=user, code=code)
    _record_attempt(
        session,
        email=user.email,
        actor=actor,
        user=user,
        succeeded=passed,
        step="password and code",
    )
    if passed:
        return None
    return InvalidCredentials(
        "That one-time code is not valid. Enter the current code from your authenticator app."
    )
