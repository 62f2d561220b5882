"""Tables of the dosing domain.

Sessions, their checklist and overrides; vital signs and alerts; the administration with its
devices and infusion events; observations; adverse events; esketamine REMS monitoring forms.
"""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin
from openkap.core.settings.versions import SettingsVersionMixin
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
    # The order: what this session gives. It comes from the signed plan for the session's number
    # and only a prescriber changes it (OrderChange keeps each change).
    session_number: Mapped[int] = mapped_column(default=1, server_default="1")
    planned_dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    order_infusion_minutes: Mapped[int | None] = mapped_column(default=None)
    order_concentration_mg_per_ml: Mapped[Decimal | None] = mapped_column(
        Numeric(8, 3), default=None
    )
    state: Mapped[str] = mapped_column(String(30), default=SessionState.scheduled.value)
    scheduled_for: Mapped[datetime] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    dosing_started_at: Mapped[datetime | None] = mapped_column(default=None)
    first_device_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    discharged_at: Mapped[datetime | None] = mapped_column(default=None)
    aborted_reason: Mapped[str | None] = mapped_column(Text, default=None)


class OrderChange(TenantMixin, Base):
    """A prescriber's change of a session's order, with the order before and after it."""

    __tablename__ = "dosing_order_changes"
    __table_args__ = (
        _session_fk(),
        Index("ix_dosing_order_changes_session", "organization_id", "session_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    previous_dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    infusion_minutes: Mapped[int | None] = mapped_column(default=None)
    concentration_mg_per_ml: Mapped[Decimal | None] = mapped_column(Numeric(8, 3), default=None)
    reason: Mapped[str] = mapped_column(Text)
    outside_plan: Mapped[list[str]] = mapped_column(JSON, default=list)
    outside_plan_reason: Mapped[str | None] = mapped_column(Text, default=None)
    prescriber_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


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
    # What the stop was raised on (the reading, the record): the override covers only that.
    evidence: Mapped[str] = mapped_column(String(200), default="", server_default="")
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


class AdministrationStatus(enum.StrEnum):
    running = "running"
    paused = "paused"
    completed = "completed"
    stopped = "stopped"


class Administration(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """The dose given in a session: what, from which lot, how, by whom, witnessed by whom."""

    __tablename__ = "dosing_administrations"
    __table_args__ = (
        _session_fk(),
        UniqueConstraint("organization_id", "session_id"),
        ForeignKeyConstraint(
            ["organization_id", "lot_id"], ["inventory_lots.organization_id", "inventory_lots.id"]
        ),
        ForeignKeyConstraint(
            ["organization_id", "location_id"],
            ["inventory_locations.organization_id", "inventory_locations.id"],
        ),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    drug: Mapped[str] = mapped_column(String(30))
    route: Mapped[str] = mapped_column(String(20))
    product_name: Mapped[str] = mapped_column(String(120))
    lot_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lot_number: Mapped[str] = mapped_column(String(60))
    lot_expiry: Mapped[date] = mapped_column(Date)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    concentration_mg_per_ml: Mapped[Decimal | None] = mapped_column(Numeric(8, 3), default=None)
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    delivered_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    waste_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    volume_ml: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), default=None)
    infusion_minutes: Mapped[int | None] = mapped_column(default=None)
    rate_ml_per_hour: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), default=None)
    calculation: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=AdministrationStatus.running.value)
    started_at: Mapped[datetime] = mapped_column()
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    stop_reason: Mapped[str | None] = mapped_column(Text, default=None)
    administered_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    witness_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), default=None)
    ledger_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    # A stopped administration's undelivered remainder, returned or wasted (dosing.remainder).
    undelivered_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), default=None)
    undelivered_disposition: Mapped[str | None] = mapped_column(String(20), default=None)
    reconciled_at: Mapped[datetime | None] = mapped_column(default=None)
    reconciled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    dose_override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    dose_override_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )


class InfusionEventKind(enum.StrEnum):
    rate_change = "rate_change"
    pause = "pause"
    resume = "resume"
    stop = "stop"


class InfusionEvent(TenantMixin, Base):
    """A rate change, pause, resumption or early stop of an administration, with its reason."""

    __tablename__ = "dosing_infusion_events"
    __table_args__ = (
        _session_fk(),
        Index("ix_dosing_infusion_events_session", "organization_id", "session_id", "at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    rate_ml_per_hour: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), default=None)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))


class DeviceGiven(TenantMixin, Base):
    """One esketamine nasal device: its planned time and the time it was actually used."""

    __tablename__ = "dosing_devices"
    __table_args__ = (_session_fk(), UniqueConstraint("organization_id", "session_id", "number"))

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column()
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    planned_at: Mapped[datetime] = mapped_column()
    given_at: Mapped[datetime | None] = mapped_column(default=None)
    given_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )


class Observation(TenantMixin, Base):
    """A free-text observation by the therapist, sitter or nurse during the session."""

    __tablename__ = "dosing_observations"
    __table_args__ = (
        _session_fk(),
        UniqueConstraint("organization_id", "session_id", "client_entry_id"),
        Index("ix_dosing_observations_session", "organization_id", "session_id", "observed_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    client_entry_id: Mapped[str] = mapped_column(String(64))
    observed_at: Mapped[datetime] = mapped_column()
    minute_offset: Mapped[int | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="final")
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)


class AdverseEvent(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """An adverse event during or after dosing, its treatment and how it ended."""

    __tablename__ = "dosing_adverse_events"
    __table_args__ = (
        _session_fk(),
        Index("ix_dosing_adverse_events_session", "organization_id", "session_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event_type: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    onset_at: Mapped[datetime] = mapped_column()
    severity: Mapped[str] = mapped_column(String(20))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    action_taken: Mapped[str] = mapped_column(Text)
    rescue_drug: Mapped[str | None] = mapped_column(String(60), default=None)
    rescue_dose: Mapped[str | None] = mapped_column(String(60), default=None)
    rescue_given_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(30))
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="final")
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)


class RemsMonitoringForm(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """The esketamine REMS Patient Monitoring Form of one session: its contents and submission."""

    __tablename__ = "dosing_rems_forms"
    __table_args__ = (
        _session_fk(),
        UniqueConstraint("organization_id", "session_id"),
        Index("ix_dosing_rems_forms_due", "organization_id", "submitted_on", "due_on"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    due_on: Mapped[date] = mapped_column(Date)
    contents: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    submitted_on: Mapped[date | None] = mapped_column(Date, default=None)
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    confirmation_number: Mapped[str | None] = mapped_column(String(60), default=None)


class ThresholdSet(SettingsVersionMixin, Base):
    """One version of a clinic's vital-sign thresholds; the newest version is in force."""

    __tablename__ = "dosing_threshold_sets"
