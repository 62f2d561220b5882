"""Patients, their revision history and their weights."""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin
from openkap.core.time import utcnow


class RecordStatus(enum.StrEnum):
    active = "active"
    entered_in_error = "entered-in-error"


class SexAtBirth(enum.StrEnum):
    female = "female"
    male = "male"
    intersex = "intersex"
    unknown = "unknown"


class Patient(TenantMixin, AuditedMixin, VersionedMixin, Base):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("organization_id", "mrn"),
        Index("ix_patients_sort", "organization_id", "sort_name", "id"),
        Index("ix_patients_birth_date", "organization_id", "birth_date"),
    )

    mrn: Mapped[str] = mapped_column(String(32))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100), default=None)
    pronouns: Mapped[str | None] = mapped_column(String(40), default=None)
    birth_date: Mapped[date] = mapped_column()
    sex_at_birth: Mapped[str] = mapped_column(String(16))
    gender_identity: Mapped[str | None] = mapped_column(String(100), default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    address_line: Mapped[str | None] = mapped_column(String(200), default=None)
    city: Mapped[str | None] = mapped_column(String(100), default=None)
    region: Mapped[str | None] = mapped_column(String(100), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200), default=None)
    emergency_contact_relationship: Mapped[str | None] = mapped_column(String(60), default=None)
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(40), default=None)
    primary_clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    # Height is kept on the record (its history in the revisions); weights have their own table.
    height_cm: Mapped[Decimal | None] = mapped_column(Numeric(4, 1), default=None)
    status: Mapped[str] = mapped_column(String(20), default=RecordStatus.active.value)
    error_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    sort_name: Mapped[str] = mapped_column(String(210))
    search_text: Mapped[str] = mapped_column(String(400))

    @property
    def display_name(self) -> str:
        shown = self.preferred_name or self.given_name
        return f"{shown} {self.family_name}"


class PatientRevision(TenantMixin, Base):
    """The state of a patient record after each change: nothing edited is ever lost."""

    __tablename__ = "patient_revisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
        ),
        UniqueConstraint("organization_id", "patient_id", "version"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class WeightMeasurement(TenantMixin, AuditedMixin, Base):
    __tablename__ = "weight_measurements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
        ),
        Index("ix_weight_measurements_patient", "organization_id", "patient_id", "measured_on"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    measured_on: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=RecordStatus.active.value)
    error_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    # A change the plausibility rule questioned, kept only when someone confirmed it with a reason.
    change_rules: Mapped[str | None] = mapped_column(String(100), default=None)
    change_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    change_compared_with_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
