"""Tables of the follow-up domain.

The clinic's follow-up settings (versioned); each episode's schedule of due items and when it was
last regenerated; booster/maintenance reviews opened by the relapse rule; maintenance course
approvals; urgent alerts. Rows are never deleted: items are cancelled, reviews decided, approvals
superseded, alerts acknowledged.
"""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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
from openkap.core.settings.versions import SettingsVersionMixin
from openkap.core.time import utcnow
from openkap.episodes.models import episode_fk


class ItemKind(enum.StrEnum):
    questionnaire = "questionnaire"
    integration = "integration"


class ItemStatus(enum.StrEnum):
    """What is stored; due, overdue and upcoming are read from the times (see schedule.py)."""

    open = "open"
    done = "done"
    missed = "missed"
    cancelled = "cancelled"


class ReviewStatus(enum.StrEnum):
    open = "open"
    decided = "decided"


class ReviewDecision(enum.StrEnum):
    booster_course = "booster_course"
    maintenance = "maintenance"
    no_change = "no_change"


class ApprovalStatus(enum.StrEnum):
    active = "active"
    superseded = "superseded"


class AlertStatus(enum.StrEnum):
    open = "open"
    acknowledged = "acknowledged"


class RiskLevel(enum.StrEnum):
    """The clinician's judgement of suicide risk when acknowledging a suicide-risk alert."""

    low = "low"
    moderate = "moderate"
    high = "high"


def _patient_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
    )


class FollowupSettingsVersion(SettingsVersionMixin, Base):
    """One version of a clinic's follow-up settings; the newest version is in force."""

    __tablename__ = "followup_settings"


class ScheduleState(TenantMixin, Base):
    """When an episode's due items were last regenerated, and under which settings version."""

    __tablename__ = "followup_schedule_states"
    __table_args__ = (episode_fk(), UniqueConstraint("organization_id", "episode_id"))

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    settings_version: Mapped[int] = mapped_column(default=0)


class DueItem(TenantMixin, AuditedMixin, Base):
    """One thing due for a patient: a questionnaire, or an integration session after dosing.

    `anchor` names what the item was generated from (e.g. "before-session:<id>"), so regenerating
    finds the same row again instead of adding a second one.
    """

    __tablename__ = "followup_due_items"
    __table_args__ = (
        _patient_fk(),
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "dosing_session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
        ),
        ForeignKeyConstraint(
            ["organization_id", "response_id"],
            ["assessment_responses.organization_id", "assessment_responses.id"],
        ),
        UniqueConstraint("organization_id", "episode_id", "anchor", "instrument_id"),
        Index("ix_followup_due_items_open", "organization_id", "kind", "status", "closes_at"),
        Index("ix_followup_due_items_patient", "organization_id", "patient_id", "status"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    anchor: Mapped[str] = mapped_column(String(80))
    # "" for an integration session: a NULL would let the unique constraint admit duplicates.
    instrument_id: Mapped[str] = mapped_column(String(30), default="")
    dosing_session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    reason: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.open.value)
    settings_version: Mapped[int] = mapped_column(default=0)
    response_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    acknowledgement: Mapped[str | None] = mapped_column(Text, default=None)


class Review(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """A booster/maintenance review opened by the relapse rule, with its evidence and decision.

    `open_episode_id` holds the episode while the review is open and is cleared by the decision:
    unique per clinic, it lets the database itself refuse a second open review of one episode.
    """

    __tablename__ = "followup_reviews"
    __table_args__ = (
        _patient_fk(),
        episode_fk(),
        UniqueConstraint("organization_id", "open_episode_id"),
        UniqueConstraint("organization_id", "episode_id", "instrument_id", "trigger_at"),
        Index("ix_followup_reviews_status", "organization_id", "status", "created_at"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    open_episode_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    instrument_id: Mapped[str] = mapped_column(String(30))
    trigger_at: Mapped[datetime] = mapped_column()
    trigger_response_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.open.value)
    decision: Mapped[str | None] = mapped_column(String(20), default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class MaintenanceApproval(TenantMixin, AuditedMixin, Base):
    """A prescriber's approval of a maintenance course: how many sessions, until when."""

    __tablename__ = "followup_maintenance_approvals"
    __table_args__ = (
        _patient_fk(),
        episode_fk(),
        Index("ix_followup_maintenance_episode", "organization_id", "episode_id", "created_at"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sessions_approved: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    review_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    approved_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=ApprovalStatus.active.value)


class UrgentAlert(TenantMixin, AuditedMixin, Base):
    """An urgent alert (e.g. a suicide-risk answer): who must act, and who acted and how."""

    __tablename__ = "followup_urgent_alerts"
    __table_args__ = (
        _patient_fk(),
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "response_id"],
            ["assessment_responses.organization_id", "assessment_responses.id"],
        ),
        Index("ix_followup_urgent_alerts_status", "organization_id", "status", "raised_at"),
        Index("ix_followup_urgent_alerts_assignee", "organization_id", "assignee_id", "status"),
        Index("ix_followup_urgent_alerts_patient", "organization_id", "patient_id", "status"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    response_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    on_call_role: Mapped[str] = mapped_column(String(20))
    # From this time an unacknowledged alert also goes to every clinician (escalation).
    escalates_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default=AlertStatus.open.value)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    action_taken: Mapped[str | None] = mapped_column(Text, default=None)
    # The clinician's risk assessment recorded with a suicide-risk alert's acknowledgement.
    risk_level: Mapped[str | None] = mapped_column(String(20), default=None)
    safety_plan_reviewed: Mapped[bool | None] = mapped_column(Boolean, default=None)
