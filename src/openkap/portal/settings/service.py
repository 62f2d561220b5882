"""A clinic's portal settings: the crisis message, the clinic's phone, how long an invitation
link lives, and the preparation instructions shown before each dosing session.

A clinic without a saved version uses the defaults below. Each change is a new version with its
reason, so the crisis message a patient was shown on any day can be told later.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Conflict
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.portal.errors import InvalidPortalInput
from openkap.portal.models import PortalSettings
from openkap.portal.schemas import SettingsInput

DEFAULT_CRISIS_MESSAGE = (
    "If you are thinking about harming yourself, call or text 988 (Suicide & Crisis Lifeline) "
    "or call 911 in an emergency."
)
DEFAULT_LINK_EXPIRY_HOURS = 72
DEFAULT_PREPARATION = (
    "Do not eat for 4 hours before your session; clear fluids are fine until 2 hours before.\n"
    "Bring an adult who will take you home: you cannot leave alone.\n"
    "Do not drive, cycle or operate machinery until the next day, after a night's sleep.\n"
    "Take your usual medicines unless your prescriber told you otherwise, and bring a list.\n"
    "Wear comfortable clothes; you may bring an eye mask and your own music."
)
MIN_REASON = 10


@dataclass(frozen=True, kw_only=True)
class ClinicPortalSettings:
    """The settings in force for one clinic (version 0: the defaults)."""

    version: int
    crisis_message: str
    clinic_phone: str
    link_expiry_hours: int
    preparation_instructions: str

    @property
    def preparation_steps(self) -> list[str]:
        """The preparation instructions, one per line, blank lines left out."""
        return [line.strip() for line in self.preparation_instructions.splitlines() if line.strip()]


DEFAULTS = ClinicPortalSettings(
    version=0,
    crisis_message=DEFAULT_CRISIS_MESSAGE,
    clinic_phone="",
    link_expiry_hours=DEFAULT_LINK_EXPIRY_HOURS,
    preparation_instructions=DEFAULT_PREPARATION,
)


def _newest(session: Session, organization_id: uuid.UUID) -> PortalSettings | None:
    # Filtered explicitly too: the invitation link is resolved before the tenant scope is bound.
    return session.scalars(
        select(PortalSettings)
        .where(PortalSettings.organization_id == organization_id)
        .order_by(PortalSettings.settings_version.desc())
        .limit(1)
    ).first()


def clinic_portal_settings(session: Session, *, organization_id: uuid.UUID) -> ClinicPortalSettings:
    """Return the portal settings in force for a clinic (the defaults until one is saved)."""
    row = _newest(session, organization_id)
    if row is None:
        return DEFAULTS
    return ClinicPortalSettings(
        version=row.settings_version,
        crisis_message=row.crisis_message,
        clinic_phone=row.clinic_phone,
        link_expiry_hours=row.link_expiry_hours,
        preparation_instructions=row.preparation_instructions,
    )


def settings_history(session: Session, *, by: Principal, limit: int = 50) -> list[PortalSettings]:
    """Return the newest saved versions of the clinic's portal settings, newest first."""
    require(by, Permission.followup_configure, "Only a clinic administrator sees portal settings.")
    return list(
        session.scalars(
            select(PortalSettings)
            .where(PortalSettings.organization_id == by.organization_id)
            .order_by(PortalSettings.settings_version.desc())
            .limit(limit)
        )
    )


def _check_base(session: Session, *, organization_id: uuid.UUID, base_version: int | None) -> int:
    newest = _newest(session, organization_id)
    in_force = 0 if newest is None else newest.settings_version
    if base_version is not None and base_version != in_force:
        raise Conflict(
            f"Version {in_force} was saved after the version {base_version} you edited; "
            "reload and make your change again."
        )
    return in_force


def save_portal_settings(
    session: Session, *, data: SettingsInput, by: Principal, base_version: int | None = None
) -> PortalSettings:
    """Save a new version of the clinic's portal settings with the reason for the change."""
    require(by, Permission.followup_configure, "Only a clinic administrator changes the portal.")
    if len(data.change_reason.strip()) < MIN_REASON:
        raise InvalidPortalInput(
            "Write the reason in at least 10 characters.", field="change_reason"
        )
    in_force = _check_base(session, organization_id=by.organization_id, base_version=base_version)
    saved = PortalSettings(
        organization_id=by.organization_id,
        settings_version=in_force + 1,
        crisis_message=data.crisis_message.strip(),
        clinic_phone=(data.clinic_phone or "").strip(),
        link_expiry_hours=data.link_expiry_hours,
        preparation_instructions=data.preparation_instructions.strip(),
        change_reason=data.change_reason.strip(),
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(saved)
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="portal_settings.save",
        resource_type="portal_settings",
        resource_id=saved.id,
        detail=f"version {saved.settings_version}",
    )
    return saved
