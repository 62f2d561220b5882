"""A second person proving who they are inside someone else's request: a witness.

The witness types their own e-mail and password (and, with MFA enrolled, their current
authenticator code). The password is verified as at sign-in and under the same per-account
throttle; a failure counts even though the refused request writes nothing else
(core.db.keep_despite_rollback).
"""

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkap.accounts.errors import WitnessNotConfirmed, WitnessThrottled
from openkap.accounts.service import check_mfa_code
from openkap.accounts.signin import throttle
from openkap.accounts.signin.service import _DUMMY_HASH, find_user_in_clinic
from openkap.core.audit import chain as audit
from openkap.core.db import keep_despite_rollback
from openkap.core.models import User
from openkap.core.principal import actor_for
from openkap.core.security import verify_password


class ConfirmedBy(enum.StrEnum):
    """How a witness proved who they are, as the record keeps it."""

    password = "password"  # noqa: S105 - the name of a method, not a secret
    password_totp = "password+totp"  # noqa: S105


@dataclass(frozen=True, kw_only=True)
class ConfirmedIdentity:
    """A person who proved who they are in this request, and how."""

    user: User
    method: ConfirmedBy


def _keep_failure(
    session: Session, *, email: str, user: User | None, client_address: str, action: str
) -> None:
    actor = actor_for(user, client_address=client_address)
    user_id: uuid.UUID | None = user.id if user else None

    def write(kept: Session) -> None:
        if action != "witness.throttled":
            throttle.count_attempt(
                kept, email=email, client_address=client_address, succeeded=False
            )
        audit.record(kept, actor=actor, action=action, resource_type="user", resource_id=user_id)

    keep_despite_rollback(session, write)


def _refuse_if_throttled(
    session: Session, *, email: str, user: User | None, client_address: str
) -> None:
    refused = throttle.refusal(session, email=email, client_address=client_address)
    if refused is None:
        return
    _keep_failure(
        session, email=email, user=user, client_address=client_address, action="witness.throttled"
    )
    raise WitnessThrottled(f"The witness could not confirm who they are: {refused.error.message}")


def _check_code(
    session: Session, *, email: str, user: User, code: str | None, client_address: str
) -> None:
    if code and check_mfa_code(session, user=user, code=code.strip()):
        return
    _keep_failure(
        session, email=email, user=user, client_address=client_address, action="witness.mfa_failed"
    )
    raise WitnessNotConfirmed(
        "The witness could not confirm who they are: they have MFA, so enter the current "
        "code from their authenticator app.",
        field="witness_totp",
    )


def confirm_identity(
    session: Session,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    client_address: str,
    organization_id: uuid.UUID,
) -> ConfirmedIdentity:
    """Check a witness's own credentials like a sign-in: throttled, audited, MFA when enrolled."""
    # A witness is of the recorder's clinic: the e-mail is looked up there only.
    user = find_user_in_clinic(session, email=email, organization_id=organization_id)
    _refuse_if_throttled(session, email=email, user=user, client_address=client_address)
    matches = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not user.is_active or not matches:
        _keep_failure(
            session, email=email, user=user, client_address=client_address, action="witness.failed"
        )
        raise WitnessNotConfirmed(
            "The witness could not confirm who they are: their e-mail or password is "
            "incorrect (the witness types their own).",
            field="witness_password",
        )
    if user.mfa_enabled:
        _check_code(session, email=email, user=user, code=totp_code, client_address=client_address)
    throttle.count_attempt(session, email=email, client_address=client_address, succeeded=True)
    actor = actor_for(user, client_address=client_address)
    audit.record(
        session, actor=actor, action="witness.confirmed", resource_type="user", resource_id=user.id
    )
    method = ConfirmedBy.password_totp if user.mfa_enabled else ConfirmedBy.password
    return ConfirmedIdentity(user=user, method=method)
