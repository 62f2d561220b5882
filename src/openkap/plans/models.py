"""Protocol templates, treatment plans and their sessions, consent, REMS enrolment, preparation."""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin
from openkap.episodes.models import episode_fk


class Route(enum.StrEnum):
    iv = "iv"
    im = "im"
    intranasal = "intranasal"
    sublingual = "sublingual"


class Drug(enum.StrEnum):
    racemic_ketamine = "racemic_ketamine"
    esketamine = "esketamine"


class DoseUnit(enum.StrEnum):
    """The unit of a template's dose bounds and maximum step."""

    mg_per_kg = "mg_per_kg"
    mg = "mg"


class PlanStatus(enum.StrEnum):
    draft = "draft"
    signed = "signed"
    superseded = "superseded"


def _patient_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
    )


class ProtocolTemplate(TenantMixin, AuditedMixin, Base):
    """A clinic's protocol for one route and drug; a change is a new version."""

    __tablename__ = "protocol_templates"
    __table_args__ = (UniqueConstraint("organization_id", "key", "version"),)

    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column()
    is_current: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(200))
    route: Mapped[str] = mapped_column(String(20))
    drug: Mapped[str] = mapped_column(String(30))
    weight_based: Mapped[bool] = mapped_column()
    # A weight-based start (mg/kg) may still be bounded in mg, as sublingual lozenges are.
    bounds_unit: Mapped[str] = mapped_column(String(20), default=DoseUnit.mg_per_kg.value)
    start_dose: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    min_dose: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    max_dose: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    max_step: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    dose_rounding_mg: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    older_adult_start_dose: Mapped[Decimal | None] = mapped_column(Numeric(8, 3), default=None)
    infusion_minutes: Mapped[int | None] = mapped_column(default=None)
    infusion_minutes_min: Mapped[int | None] = mapped_column(default=None)
    infusion_minutes_max: Mapped[int | None] = mapped_column(default=None)
    max_rate_mg_per_kg_min: Mapped[Decimal | None] = mapped_column(Numeric(6, 4), default=None)
    # The concentration a clinic prepares every IV dose at (mg/mL of what is infused), when it has
    # a standard one: each IV session's order then carries it.
    iv_concentration_mg_per_ml: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), default=None)
    dosing_sessions: Mapped[int] = mapped_column()
    schedule: Mapped[dict[str, object]] = mapped_column(JSON)
    monitoring_minutes: Mapped[list[int]] = mapped_column(JSON)
    preparation_sessions: Mapped[int] = mapped_column(default=1)
    integration_within_hours: Mapped[int] = mapped_column(default=72)
    weight_max_age_days: Mapped[int] = mapped_column(default=30)
    source: Mapped[str] = mapped_column(Text, default="")
    change_note: Mapped[str] = mapped_column(Text, default="")


class TreatmentPlan(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """A template instantiated for one episode; signed by a prescriber; changes make versions."""

    __tablename__ = "treatment_plans"
    __table_args__ = (
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "template_id"],
            ["protocol_templates.organization_id", "protocol_templates.id"],
        ),
        UniqueConstraint("organization_id", "episode_id", "plan_version"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_version: Mapped[int] = mapped_column()
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    template_version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.draft.value)
    route: Mapped[str] = mapped_column(String(20))
    drug: Mapped[str] = mapped_column(String(30))
    dose_per_kg: Mapped[Decimal | None] = mapped_column(Numeric(8, 3), default=None)
    start_dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    max_dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), default=None)
    weight_measured_on: Mapped[date | None] = mapped_column(default=None)
    # "actual" or "adjusted" (body_weight.DosingWeight); the dose is computed from dosing_weight_kg.
    dosing_weight: Mapped[str] = mapped_column(
        String(20), default="actual", server_default="actual"
    )
    dosing_weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), default=None)
    height_cm: Mapped[Decimal | None] = mapped_column(Numeric(4, 1), default=None)
    start_on: Mapped[date] = mapped_column()
    dose_calculation: Mapped[str] = mapped_column(Text, default="")
    dose_override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    signed_at: Mapped[datetime | None] = mapped_column(default=None)


class PlannedSession(TenantMixin, Base):
    __tablename__ = "planned_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "plan_id"],
            ["treatment_plans.organization_id", "treatment_plans.id"],
        ),
        Index("ix_planned_sessions_plan", "organization_id", "plan_id", "sequence"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sequence: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    planned_on: Mapped[date] = mapped_column()
    due_by: Mapped[date | None] = mapped_column(default=None)
    dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")


class ConsentDocument(TenantMixin, AuditedMixin, Base):
    """The text a patient consents to, versioned per route and drug."""

    __tablename__ = "consent_documents"
    __table_args__ = (UniqueConstraint("organization_id", "key", "version"),)

    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column()
    is_current: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(200))
    routes: Mapped[list[str]] = mapped_column(JSON)
    drugs: Mapped[list[str]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)


class Consent(TenantMixin, AuditedMixin, Base):
    __tablename__ = "consents"
    __table_args__ = (
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["consent_documents.organization_id", "consent_documents.id"],
        ),
        Index("ix_consents_episode", "organization_id", "episode_id"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    document_version: Mapped[int] = mapped_column()
    method: Mapped[str] = mapped_column(String(20))
    signed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column()
    scan_filename: Mapped[str | None] = mapped_column(String(200), default=None)
    scan_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    scan_content_type: Mapped[str | None] = mapped_column(String(40), default=None)
    scan_size: Mapped[int | None] = mapped_column(default=None)
    # Scans are refused above 5 MB, so every accepted scan is kept whole here.
    scan_content: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    witness_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="signed")
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)


class RemsEnrollment(TenantMixin, AuditedMixin, Base):
    """The patient's enrolment in the esketamine REMS, required before the first dose."""

    __tablename__ = "rems_enrollments"
    __table_args__ = (
        _patient_fk(),
        Index("ix_rems_enrollments_patient", "organization_id", "patient_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rems_patient_id: Mapped[str] = mapped_column(String(40))
    enrolled_on: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="active")
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)


class PreparationCheck(TenantMixin, AuditedMixin, Base):
    """A preparation record: prescription-monitoring check, urine drug screen, escort plan."""

    __tablename__ = "preparation_checks"
    __table_args__ = (
        episode_fk(),
        Index("ix_preparation_checks_episode", "organization_id", "episode_id"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    performed_on: Mapped[date] = mapped_column()
    result: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text, default="")
    # Structured findings of the kind: substances found, the escort's name, phone, relationship.
    findings: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="active")
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)
