"""Tables of the portal domain: patient accounts, invitation links, questionnaire drafts and the
clinic's portal settings."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin


class AccountStatus(enum.StrEnum):
    active = "active"
    revoked = "revoked"


class DraftStatus(enum.StrEnum):
    open = "open"
    submitted = "submitted"


def _patient_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
    )


class PortalAccount(TenantMixin, AuditedMixin, Base):
    """The sign-in of one patient: a user holding only the patient role, linked to one record."""

    __tablename__ = "portal_accounts"
    __table_args__ = (
        _patient_fk(),
        UniqueConstraint("organization_id", "patient_id"),
        UniqueConstraint("organization_id", "user_id"),
        Index("ix_portal_accounts_user", "user_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=AccountStatus.active.value)
    # False while the sign-in e-mail is a placeholder: the patient then opens the portal by links.
    has_email: Mapped[bool] = mapped_column(default=False)
    password_set_at: Mapped[datetime | None] = mapped_column(default=None)
    last_opened_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(Text, default=None)


class PortalLink(TenantMixin, AuditedMixin, Base):
    """A single-use, expiring invitation link; only the SHA-256 of its token is stored."""

    __tablename__ = "portal_links"
    __table_args__ = (
        _patient_fk(),
        ForeignKeyConstraint(
            ["organization_id", "account_id"],
            ["portal_accounts.organization_id", "portal_accounts.id"],
        ),
        UniqueConstraint("organization_id", "token_hash"),
        # Looked up by hash before the clinic is known (the link carries no clinic id).
        Index("ix_portal_links_token_hash", "token_hash"),
        Index("ix_portal_links_patient", "organization_id", "patient_id", "created_at"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class PortalDraft(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """A questionnaire being answered in the portal, saved after every question."""

    __tablename__ = "portal_drafts"
    __table_args__ = (
        _patient_fk(),
        UniqueConstraint("organization_id", "due_id"),
        Index("ix_portal_drafts_patient", "organization_id", "patient_id", "status"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    due_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    instrument_id: Mapped[str] = mapped_column(String(30))
    instrument_version: Mapped[str] = mapped_column(String(20))
    # Item number (as text) -> chosen value; None records an optional item left blank.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=DraftStatus.open.value)
    # Set by a suicide-risk answer; cleared once the patient has seen the crisis message.
    crisis_pending: Mapped[bool] = mapped_column(default=False)
    crisis_settings_version: Mapped[int | None] = mapped_column(default=None)
    risk_alert_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    risk_raised_at: Mapped[datetime | None] = mapped_column(default=None)
    response_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)


class PortalSettings(TenantMixin, AuditedMixin, Base):
    """One version of a clinic's portal settings; the newest is in force."""

    __tablename__ = "portal_settings"
    __table_args__ = (UniqueConstraint("organization_id", "settings_version"),)

    settings_version: Mapped[int] = mapped_column()
    crisis_message: Mapped[str] = mapped_column(Text)
    clinic_phone: Mapped[str] = mapped_column(String(40), default="")
    link_expiry_hours: Mapped[int] = mapped_column()
    preparation_instructions: Mapped[str] = mapped_column(Text)
    change_reason: Mapped[str] = mapped_column(Text)
