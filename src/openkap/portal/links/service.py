"""Invitation links: single-use, expiring, and stored only as the SHA-256 of their token.

Opening a link (GET) never uses it up, so a messaging app that previews links cannot spend it;
the patient's own button press (POST) does, atomically, so two presses cannot both get in.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.accounts.service import create_user
from openkap.accounts.signin.service import find_user_in_clinic, start_web_session
from openkap.core.audit import chain as audit
from openkap.core.config import get_settings
from openkap.core.database.tenancy import all_tenants, bind_tenant
from openkap.core.errors import Conflict, InvalidState
from openkap.core.models import Role, User
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, actor_for, require
from openkap.core.security import hash_password, new_token, password_problem, token_digest
from openkap.core.time import utcnow
from openkap.patients.models import Patient, RecordStatus
from openkap.patients.service import get_patient
from openkap.portal.errors import InvalidPortalInput, LinkRefused
from openkap.portal.models import AccountStatus, PortalAccount, PortalLink
from openkap.portal.settings.service import clinic_portal_settings

START_PATH = "/portal/start/"
PLACEHOLDER_DOMAIN = "patients.invalid"
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True, kw_only=True)
class Invitation:
    """A new link; `token` exists only here, to be shown once to the inviting staff member."""

    link: PortalLink
    account: PortalAccount
    token: str
    sign_in_email: str | None

    @property
    def path(self) -> str:
        return START_PATH + self.token


def link_url(path: str) -> str:
    """Return the absolute address of a portal path as the patient will open it: from the
    configured public address, so a forged Host header cannot redirect a patient's link."""
    return get_settings().public_base_url.rstrip("/") + path


def _account_for(session: Session, patient: Patient) -> PortalAccount | None:
    return session.scalars(
        select(PortalAccount).where(PortalAccount.patient_id == patient.id)
    ).one_or_none()


def _check_email_free(
    session: Session, *, email: str, user_id: uuid.UUID | None, organization_id: uuid.UUID
) -> None:
    # Within the clinic only: the front desk learns nothing of other clinics' accounts.
    holder = find_user_in_clinic(session, email=email, organization_id=organization_id)
    if holder is not None and holder.id != user_id:
        raise InvalidPortalInput(
            f"Another account of this clinic already signs in with {email}; use another e-mail.",
            field="email",
        )


def _new_account(
    session: Session, *, patient: Patient, email: str | None, by: Principal
) -> PortalAccount:
    if email:
        _check_email_free(
            session, email=email, user_id=None, organization_id=patient.organization_id
        )
    user = create_user(
        session,
        organization_id=patient.organization_id,
        email=email or f"portal-{uuid.uuid4().hex}@{PLACEHOLDER_DOMAIN}",
        full_name=patient.display_name,
        # Unknown to anyone: the patient opens the portal by link until they choose a password.
        password=new_token(),
        roles=[Role.patient],
        by=by,
    )
    account = PortalAccount(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        user_id=user.id,
        has_email=bool(email),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(account)
    session.flush()
    return account


def _reopen(session: Session, *, account: PortalAccount, email: str | None) -> None:
    user = session.get(User, account.user_id)
    assert user is not None
    if email and email.strip().lower() != user.email:
        _check_email_free(
            session, email=email, user_id=user.id, organization_id=user.organization_id
        )
        user.email, account.has_email = email.strip().lower(), True
    user.is_active = True
    account.status, account.revoked_at, account.revoked_reason = AccountStatus.active, None, None


def _revoke_live_links(session: Session, *, account: PortalAccount) -> None:
    session.execute(
        update(PortalLink)
        .where(
            PortalLink.account_id == account.id,
            PortalLink.used_at.is_(None),
            PortalLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def invite_patient(
    session: Session, *, patient_id: uuid.UUID, email: str | None, by: Principal
) -> Invitation:
    """Create (or reopen) a patient's portal account and a new single-use link to it."""
    require(by, Permission.portal_invite, "Your role does not allow portal invitations.")
    patient = get_patient(session, patient_id=patient_id, by=by)
    if patient.status != RecordStatus.active:
        raise InvalidState("This record was entered in error; it cannot be invited.")
    account = _account_for(session, patient)
    if account is None:
        try:
            with session.begin_nested():
                account = _new_account(session, patient=patient, email=email, by=by)
        except IntegrityError:
            raise Conflict(
                "Someone else invited this patient (or took this e-mail) at the same moment; "
                "reload the page and try again."
            ) from None
    else:
        _reopen(session, account=account, email=email)
        _revoke_live_links(session, account=account)
    return _issue_link(session, account=account, by=by)


def _issue_link(session: Session, *, account: PortalAccount, by: Principal) -> Invitation:
    settings = clinic_portal_settings(session, organization_id=account.organization_id)
    token = new_token()
    link = PortalLink(
        organization_id=account.organization_id,
        patient_id=account.patient_id,
        account_id=account.id,
        token_hash=token_digest(token),
        expires_at=utcnow() + timedelta(hours=settings.link_expiry_hours),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="portal.invite",
        resource_type="portal_link",
        resource_id=link.id,
        patient_id=account.patient_id,
        detail=f"expires {link.expires_at.isoformat(timespec='minutes')}",
    )
    user = session.get(User, account.user_id)
    email = user.email if user is not None and account.has_email else None
    return Invitation(link=link, account=account, token=token, sign_in_email=email)


@dataclass(frozen=True, kw_only=True)
class OpenedLink:
    """A live link with its account, found from the token the patient holds."""

    link: PortalLink
    account: PortalAccount
    user: User


def _refuse(session: Session, *, link: PortalLink | None, reason: str, client: str) -> None:
    # Recorded in the clinic's own chain when the link is known, so its access log shows it.
    actor = audit.Actor(
        user_id=None,
        organization_id=None if link is None else link.organization_id,
        roles="",
        client_address=client,
    )
    audit.record(
        session,
        actor=actor,
        action="portal.link.refused",
        resource_type="portal_link",
        resource_id=None if link is None else link.id,
        patient_id=None if link is None else link.patient_id,
        detail=reason,
    )


def _find(session: Session, token: str) -> PortalLink | None:
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isprintable():
        return None
    # The link is how a patient without a session arrives: the clinic is not known until found.
    with all_tenants(session):
        return session.scalars(
            select(PortalLink).where(PortalLink.token_hash == token_digest(token))
        ).first()


_REFUSALS = {
    "unknown": (
        404,
        "This link is not valid. Check that you opened the whole link, or ask your clinic "
        "for a new one.",
    ),
    "revoked": (410, "This link was replaced or withdrawn by your clinic. Ask for a new one."),
    "used": (
        410,
        "This link has already been used. Sign in with your e-mail and password, or ask your "
        "clinic for a new link.",
    ),
    "expired": (410, "This link has expired. Ask your clinic for a new one."),
}


def _problem(link: PortalLink | None, account: PortalAccount | None) -> str | None:
    if link is None or account is None:
        return "unknown"
    if link.revoked_at is not None or account.status != AccountStatus.active:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= utcnow():
        return "expired"
    return None


def open_link(session: Session, *, token: str, client_address: str) -> OpenedLink:
    """Return the live link for a token, or refuse saying plainly why it cannot be used."""
    link = _find(session, token)
    account = None
    if link is not None:
        bind_tenant(session, link.organization_id)
        account = session.get(PortalAccount, (link.organization_id, link.account_id))
    problem = _problem(link, account)
    user = session.get(User, account.user_id) if account is not None else None
    if problem is None and (user is None or not user.is_active):
        problem = "revoked"
    if problem is not None or link is None or account is None or user is None:
        reason = problem or "unknown"
        _refuse(session, link=link, reason=reason, client=client_address)
        status, message = _REFUSALS[reason]
        raise LinkRefused(message, reason=reason, status_code=status)
    return OpenedLink(link=link, account=account, user=user)


def _spend(session: Session, link: PortalLink) -> bool:
    now = utcnow()
    result = session.execute(
        update(PortalLink)
        .where(PortalLink.id == link.id, PortalLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    link.used_at = now
    return bool(result.rowcount == 1)


def _check_password(opened: OpenedLink, password: str) -> None:
    if not opened.account.has_email:
        raise InvalidPortalInput(
            "Your clinic has not given this account a sign-in e-mail, so a password cannot be "
            "set. Open your questionnaires instead, or ask the clinic to add your e-mail.",
            field="password",
        )
    problem = password_problem(password, opened.user.email, opened.user.full_name)
    if problem:
        raise InvalidPortalInput(problem, field="password")


def _set_password(opened: OpenedLink, password: str) -> None:
    now = utcnow()
    opened.user.password_hash = hash_password(password)
    opened.user.password_changed_at = now
    opened.account.password_set_at = now


def use_link(
    session: Session, *, token: str, password: str | None, client_address: str
) -> tuple[User, str]:
    """Spend a live link: set the password if one is chosen, and start a browser session.

    Returns the user and the session cookie's token.
    """
    opened = open_link(session, token=token, client_address=client_address)
    # Everything that can refuse runs before the link is spent or the password changed.
    if password is not None:
        _check_password(opened, password)
    if not _spend(session, opened.link):
        _refuse(session, link=opened.link, reason="used", client=client_address)
        status, message = _REFUSALS["used"]
        raise LinkRefused(message, reason="used", status_code=status)
    if password is not None:
        _set_password(opened, password)
    opened.account.last_opened_at = utcnow()
    audit.record(
        session,
        actor=actor_for(opened.user, client_address=client_address),
        action="portal.link.used",
        resource_type="portal_link",
        resource_id=opened.link.id,
        patient_id=opened.link.patient_id,
        detail="password set" if password is not None else "opened",
    )
    # A patient who turned on MFA still passes it: the link replaces the password, not the code.
    _, cookie = start_web_session(
        session,
        user=opened.user,
        client_address=client_address,
        mfa_passed=not opened.user.mfa_enabled,
    )
    return opened.user, cookie
