"""Who is using the portal: a patient's own account, and through it their one record.

Every portal read goes through `portal_patient`, so a patient reaches only records of their own
clinic (the tenant scope) that carry their own patient id (checked by each service).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.patients.models import Patient, RecordStatus
from openkap.portal.errors import NotAPortalAccount, PortalClosed, PortalNotFound
from openkap.portal.models import AccountStatus, PortalAccount


@dataclass(frozen=True, kw_only=True)
class PortalPatient:
    """A signed-in patient: their credential, portal account and patient record."""

    principal: Principal
    account: PortalAccount
    patient: Patient

    @property
    def patient_id(self) -> uuid.UUID:
        return self.patient.id


def account_of_user(session: Session, *, user_id: uuid.UUID) -> PortalAccount | None:
    """Return the portal account a user signs in with, if any."""
    return session.scalars(
        select(PortalAccount).where(PortalAccount.user_id == user_id)
    ).one_or_none()


def portal_patient(session: Session, *, by: Principal) -> PortalPatient:
    """Return the caller's own patient record, refusing staff and closed accounts."""
    require(by, Permission.portal_use, "The portal is for patients.")
    account = account_of_user(session, user_id=by.user.id)
    if account is None:
        raise PortalNotFound(
            "This account is not linked to a patient record. Ask your clinic for an invitation."
        )
    # Invitations make accounts holding the patient role alone; anything more is a staff account.
    if by.roles != frozenset({Role.patient}):
        raise NotAPortalAccount("The portal is for patients; staff accounts cannot open it.")
    if account.status != AccountStatus.active:
        raise PortalClosed("Your clinic has closed your portal access. Please call the clinic.")
    patient = session.get(Patient, (by.organization_id, account.patient_id))
    if patient is None or patient.status != RecordStatus.active:
        raise PortalClosed("Your portal access is not available. Please call the clinic.")
    return PortalPatient(principal=by, account=account, patient=patient)


def audit_read(portal: PortalPatient, session: Session, *, what: str, resource_id: object) -> None:
    """Record a patient's read of their own records in the audit log."""
    audit.record(
        session,
        actor=portal.principal.actor,
        action=f"portal.{what}.read",
        resource_type=f"portal_{what}",
        resource_id=resource_id,
        patient_id=portal.patient_id,
    )
