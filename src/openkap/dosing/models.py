"""Tables of the dosing domain: sessions, their checklist, overrides, vital signs and alerts."""

import enum
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin
from openkap.core.time import utcnow
from openkap.episodes.models import episode_fk


class SessionState(enum.StrEnum):
    scheduled = "scheduled"
    checked_in = "checked_in"
    pre_dose_checks = "pre_dose_checks"
    dosing = "dosing"
    monitoring = "monitoring"
    ready_for_discharge = "ready_for_discharge"
    discharged = "discharged"
    aborted = "aborted"


def _session_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "session_id"], ["dosing_sessions.organization_id", "dosing_sessions.id"]
    )


class DosingSession(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """One dosing visit against the signed plan version it was scheduled from."""

    __tablename__ = "dosing_sessions"
    __table_args__ = (
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
        ),
        ForeignKeyConstraint(
            ["organization_id", "plan_id"],
            ["treatment_plans.organization_id", "treatment_plans.id"],
        ),
        Index("ix_dosing_sessions_episode", "organization_id", "episode_id", "scheduled_for"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_version: Mapped[int] = mapped_column()
    route: Mapped[str] = mapped_column(String(20))
    drug: Mapped[str] = mapped_column(String(30))
    planned_dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    state: Mapped[str] = mapped_column(String(30), default=SessionState.scheduled.value)
    scheduled_for: Mapped[datetime] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    dosing_started_at: Mapped[datetime | None] = mapped_column(default=None)
    first_device_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    discharged_at: Mapped[datetime | None] = mapped_column(default=None)
    aborted_reason: Mapped[str | None] = mapped_column(Text, default=None)


class ChecklistItem(TenantMixin, Base):
    """One answer of the pre-dose checklist; a later answer to the same key replaces it."""

    __tablename__ = "dosing_checklist_items"
    __table_args__ = (
        _session_fk(),
        Index("ix_dosing_checklist_items_session", "organization_id", "session_id", "item_key"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    item_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class HardStopOverride(TenantMixin, Base):
    """A prescriber's written decision to dose despite one named hard stop."""

    __tablename__ = "dosing_hard_stop_overrides"
    __table_args__ = (
        _session_fk(),
        Index("ix_dosing_overrides_session", "organization_id", "session_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stop_key: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    prescriber_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class VitalSigns(TenantMixin, Base):
    """One set of vital signs; the client's reading id makes a resent reading a no-op."""

    __tablename__ = "dosing_vital_signs"
    __table_args__ = (
        _session_fk(),
        UniqueConstraint("organization_id", "session_id", "client_reading_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    client_reading_id: Mapped[str] = mapped_column(String(64))
    measured_at: Mapped[datetime] = mapped_column()
    minute_offset: Mapped[int | None] = mapped_column(default=None)
    sbp: Mapped[int | None] = mapped_column(default=None)
    dbp: Mapped[int | None] = mapped_column(default=None)
    hr: Mapped[int | None] = mapped_column(default=None)
    spo2: Mapped[int | None] = mapped_column(default=None)
    rr: Mapped[int | None] = mapped_column(default=None)
    moaas: Mapped[int | None] = mapped_column(default=None)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="final")
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)


class SessionAlert(TenantMixin, Base):
    """A reading that broke a clinic threshold; kept after it is acknowledged."""

    __tablename__ = "dosing_alerts"
    __table_args__ = (
        _session_fk(),
        ForeignKeyConstraint(
            ["organization_id", "vital_signs_id"],
            ["dosing_vital_signs.organization_id", "dosing_vital_signs.id"],
        ),
        Index("ix_dosing_alerts_session", "organization_id", "session_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    vital_signs_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[int] = mapped_column()
    threshold: Mapped[int] = mapped_column()
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    action_taken: Mapped[str | None] = mapped_column(Text, default=None)
