"""Stored questionnaire responses with their scores."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin


class AssessmentResponse(TenantMixin, AuditedMixin, Base):
    """One completed instrument: raw answers, the scores, and who completed it where."""

    __tablename__ = "assessment_responses"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
        ),
        Index(
            "ix_assessment_responses_patient",
            "organization_id",
            "patient_id",
            "instrument_id",
            "completed_at",
        ),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    instrument_id: Mapped[str] = mapped_column(String(30))
    instrument_version: Mapped[str] = mapped_column(String(20))
    answers: Mapped[list[int | None]] = mapped_column(JSON)
    total: Mapped[int | None] = mapped_column(default=None)
    severity: Mapped[str | None] = mapped_column(String(40), default=None)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    scores: Mapped[dict[str, object]] = mapped_column(JSON)
    completed_at: Mapped[datetime] = mapped_column()
    completed_by: Mapped[str] = mapped_column(String(20))
    setting: Mapped[str] = mapped_column(String(20), default="clinic")
    status: Mapped[str] = mapped_column(String(20), default="active")
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)
