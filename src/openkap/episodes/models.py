"""Episodes, their transitions, and encounters (the spine a patient's timeline hangs on)."""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin
from openkap.core.time import utcnow


class EpisodeState(enum.StrEnum):
    referred = "referred"
    intake = "intake"
    screening = "screening"
    eligible = "eligible"
    needs_review = "needs_review"
    ineligible = "ineligible"
    preparing = "preparing"
    ready = "ready"
    induction = "induction"
    integration = "integration"
    maintenance = "maintenance"
    completed = "completed"
    on_hold = "on_hold"
    withdrawn = "withdrawn"
    discharged = "discharged"


class EncounterKind(enum.StrEnum):
    assessment = "assessment"
    preparation = "preparation"
    dosing = "dosing"
    integration = "integration"
    follow_up = "follow_up"


class EncounterStatus(enum.StrEnum):
    planned = "planned"
    completed = "completed"
    cancelled = "cancelled"
    entered_in_error = "entered-in-error"


def _patient_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
    )


def episode_fk() -> ForeignKeyConstraint:
    """A co-located foreign key to an episode, for the tables that hang on one."""
    return ForeignKeyConstraint(
        ["organization_id", "episode_id"], ["episodes.organization_id", "episodes.id"]
    )


class Episode(TenantMixin, AuditedMixin, VersionedMixin, Base):
    __tablename__ = "episodes"
    __table_args__ = (_patient_fk(), Index("ix_episodes_patient", "organization_id", "patient_id"))

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    state: Mapped[str] = mapped_column(String(20), default=EpisodeState.referred.value)
    state_before_hold: Mapped[str | None] = mapped_column(String(20), default=None)
    referral_reason: Mapped[str] = mapped_column(Text, default="")
    referred_by: Mapped[str | None] = mapped_column(String(200), default=None)
    referred_on: Mapped[date] = mapped_column()
    prescriber_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    therapist_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class EpisodeTransition(TenantMixin, Base):
    """One step of an episode's state machine: who moved it, when, why, from where."""

    __tablename__ = "episode_transitions"
    __table_args__ = (
        episode_fk(),
        Index("ix_episode_transitions_episode", "organization_id", "episode_id", "at"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


class Encounter(TenantMixin, AuditedMixin, Base):
    """A scheduled or held contact: assessment, preparation, dosing, integration, follow-up."""

    __tablename__ = "encounters"
    __table_args__ = (
        _patient_fk(),
        episode_fk(),
        Index("ix_encounters_patient", "organization_id", "patient_id", "scheduled_for"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=EncounterStatus.planned.value)
    scheduled_for: Mapped[datetime] = mapped_column()
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    intentions: Mapped[str] = mapped_column(Text, default="")
    education_given: Mapped[str] = mapped_column(Text, default="")
    set_and_setting: Mapped[str] = mapped_column(Text, default="")
