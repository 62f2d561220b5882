"""What staff see and do about a patient's portal access: its status, and closing it."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import InvalidState
from openkap.core.models import User
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.patients.models import Patient
from openkap.patients.service import get_patient
from openkap.portal.errors import InvalidPortalInput
from openkap.portal.models import AccountStatus, PortalAccount, PortalLink

LINKS_SHOWN = 10
MIN_REASON = 10


@dataclass(frozen=True, kw_only=True)
class LinkState:
    """One invitation link as staff see it (never its token)."""

    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    state: str


@dataclass(frozen=True, kw_only=True)
class PortalStatus:
    """A patient's portal access: the account (if any) and the newest links."""

    patient: Patient
    account: PortalAccount | None
    sign_in_email: str | None
    links: list[LinkState]

    @property
    def status(self) -> str:
        return "none" if self.account is None else self.account.status


def _state(link: PortalLink, now: datetime) -> str:
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "live"


def _links(session: Session, account: PortalAccount) -> list[LinkState]:
    rows = session.scalars(
        select(PortalLink)
        .where(PortalLink.account_id == account.id)
        .order_by(PortalLink.created_at.desc())
        .limit(LINKS_SHOWN)
    )
    now = utcnow()
    return [
        LinkState(
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
            revoked_at=row.revoked_at,
            state=_state(row, now),
        )
        for row in rows
    ]


def _account(session: Session, patient: Patient) -> PortalAccount | None:
    return session.scalars(
        select(PortalAccount).where(PortalAccount.patient_id == patient.id)
    ).one_or_none()


def portal_status(session: Session, *, patient_id: uuid.UUID, by: Principal) -> PortalStatus:
    """Return a patient's portal account and newest links; audit the read."""
    require(by, Permission.portal_invite, "Your role does not allow seeing portal access.")
    patient = get_patient(session, patient_id=patient_id, by=by)
    account = _account(session, patient)
    user = session.get(User, account.user_id) if account is not None else None
    audit.record(
        session,
        actor=by.actor,
        action="portal.status.read",
        resource_type="portal_account",
        resource_id=None if account is None else account.id,
        patient_id=patient.id,
    )
    return PortalStatus(
        patient=patient,
        account=account,
        sign_in_email=user.email if user is not None and account and account.has_email else None,
        links=[] if account is None else _links(session, account),
    )


def close_portal(
    session: Session, *, patient_id: uuid.UUID, reason: str, by: Principal
) -> PortalAccount:
    """Close a patient's portal access: the account cannot sign in and its links stop working."""
    require(by, Permission.portal_invite, "Your role does not allow closing portal access.")
    if len(reason.strip()) < MIN_REASON:
        raise InvalidPortalInput("Write the reason in at least 10 characters.", field="reason")
    patient = get_patient(session, patient_id=patient_id, by=by)
    account = _account(session, patient)
    if account is None or account.status != AccountStatus.active:
        raise InvalidState("This patient has no open portal access to close.")
    now = utcnow()
    account.status, account.revoked_at = AccountStatus.revoked.value, now
    account.revoked_reason, account.updated_by_id = reason.strip(), by.user.id
    user = session.get(User, account.user_id)
    if user is not None:
        user.is_active = False
    session.execute(
        update(PortalLink)
        .where(
            PortalLink.account_id == account.id,
            PortalLink.used_at.is_(None),
            PortalLink.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor=by.actor,
        action="portal.close",
        resource_type="portal_account",
        resource_id=account.id,
        patient_id=patient.id,
        detail=reason.strip(),
    )
    return account
