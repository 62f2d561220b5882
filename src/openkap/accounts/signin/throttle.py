"""The sign-in throttle: failed attempts counted per account and per network address, in one
window, for every step that checks a credential (password, one-time code, a witness's
confirmation). A success, or an administrator's unlock, ends an account's run of failures."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.accounts.errors import LoginThrottled
from openkap.core.config import get_settings
from openkap.core.models import LoginAttempt, User
from openkap.core.security import token_digest
from openkap.core.time import utcnow


def account_key(email: str) -> str:
    """The key attempts are counted under: a hash of the e-mail, so unknown accounts count too."""
    return token_digest(email.strip().lower())


@dataclass(frozen=True, kw_only=True)
class Refusal:
    """Why the throttle refuses a step now: whose failures, and the message to show."""

    by_address: bool
    error: LoginThrottled


def _window() -> timedelta:
    return timedelta(minutes=get_settings().login_window_minutes)


def _account_failures(session: Session, *, key: str, since: datetime) -> list[datetime]:
    last_reset = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.account_key == key,
            LoginAttempt.succeeded.is_(True) | LoginAttempt.unlocked_by_id.is_not(None),
        )
    )
    start = max(since, last_reset) if last_reset else since
    return list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.account_key == key,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > start,
            )
            .order_by(LoginAttempt.attempted_at)
        )
    )


def _address_failures(session: Session, *, client_address: str, since: datetime) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.client_address == client_address[:64],
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > since,
            )
            .order_by(LoginAttempt.attempted_at)
        )
    )


def _retry_minutes(first: datetime) -> int:
    return max(1, int((first + _window() - utcnow()).total_seconds() // 60) + 1)


def _refused(first: datetime, *, by_address: bool) -> Refusal:
    minutes = _retry_minutes(first)
    whose = "from this network address" if by_address else "for this account"
    return Refusal(
        by_address=by_address,
        error=LoginThrottled(
            f"Too many failed sign-in attempts {whose}. Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or ask your clinic administrator to help."
        ),
    )


def refusal(session: Session, *, email: str, client_address: str) -> Refusal | None:
    """Return why a credential check must not run now, or None when it may."""
    settings = get_settings()
    since = utcnow() - _window()
    failures = _account_failures(session, key=account_key(email), since=since)
    if len(failures) >= settings.login_max_failures:
        return _refused(failures[0], by_address=False)
    if not client_address:
        return None
    from_address = _address_failures(session, client_address=client_address, since=since)
    if len(from_address) >= settings.login_address_max_failures:
        return _refused(from_address[0], by_address=True)
    return None


def count_attempt(session: Session, *, email: str, client_address: str, succeeded: bool) -> None:
    """Record one credential check for the throttle."""
    session.add(
        LoginAttempt(
            account_key=account_key(email),
            client_address=client_address[:64],
            succeeded=succeeded,
        )
    )


def unlock(session: Session, *, user: User, by_id: uuid.UUID) -> None:
    """End the account's run of failed sign-ins, as a success would, so the throttle lets it in."""
    session.add(LoginAttempt(account_key=account_key(user.email), unlocked_by_id=by_id))


def locked(session: Session, *, user: User) -> bool:
    """Whether the account has failed too often recently to try again now."""
    since = utcnow() - _window()
    failures = _account_failures(session, key=account_key(user.email), since=since)
    return len(failures) >= get_settings().login_max_failures
