"""The intake assessment of an episode: history, medications, prior treatments, goals.

Screening inputs are explicit columns, not free text: a null means "not yet recorded", which the
screening reports as missing instead of guessing.
"""

import enum
import uuid
from datetime import date, datetime

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
from openkap.core.settings.approval import ApprovalMixin
from openkap.episodes.models import episode_fk


class PsychosisHistory(enum.StrEnum):
    none = "none"
    past = "past"
    current = "current"


class MoodHistory(enum.StrEnum):
    none = "none"
    bipolar_ii = "bipolar_ii"
    bipolar_i_remote = "bipolar_i_remote"
    bipolar_i_recent_mania = "bipolar_i_recent_mania"
    current_mania = "current_mania"


class Severity3(enum.StrEnum):
    none = "none"
    stable = "stable"
    unstable = "unstable"


class HypertensionStatus(enum.StrEnum):
    none = "none"
    controlled = "controlled"
    uncontrolled = "uncontrolled"


class HepaticStatus(enum.StrEnum):
    none = "none"
    mild = "mild"
    moderate = "moderate"
    severe = "severe"


class ItemStatus(enum.StrEnum):
    active = "active"
    entered_in_error = "entered-in-error"


class DrugClass(enum.StrEnum):
    """Medication classes the screening and the esketamine REMS form ask about."""

    benzodiazepine = "benzodiazepine"
    lamotrigine = "lamotrigine"
    maoi = "maoi"
    stimulant = "stimulant"
    opioid = "opioid"
    sedative_hypnotic = "sedative_hypnotic"


class Substance(enum.StrEnum):
    alcohol = "alcohol"
    cannabis = "cannabis"
    opioid = "opioid"
    sedative_hypnotic = "sedative_hypnotic"
    cocaine = "cocaine"
    stimulant = "stimulant"
    ketamine = "ketamine"
    phencyclidine = "phencyclidine"
    other_dissociative = "other_dissociative"
    hallucinogen = "hallucinogen"
    inhalant = "inhalant"
    nicotine = "nicotine"
    other = "other"


class SubstancePattern(enum.StrEnum):
    current_use_disorder = "current_use_disorder"
    past_use_disorder = "past_use_disorder"
    in_remission = "in_remission"
    occasional_use = "occasional_use"


class TreatmentKind(enum.StrEnum):
    antidepressant = "antidepressant"
    augmentation = "augmentation"
    ect = "ect"
    tms = "tms"
    esketamine = "esketamine"
    ketamine = "ketamine"
    psychotherapy = "psychotherapy"
    other = "other"


class Adherence(enum.StrEnum):
    good = "good"
    partial = "partial"
    poor = "poor"
    unknown = "unknown"


class TreatmentOutcome(enum.StrEnum):
    remission = "remission"
    response = "response"
    partial_response = "partial_response"
    no_response = "no_response"
    not_tolerated = "not_tolerated"
    unknown = "unknown"


class Intake(TenantMixin, AuditedMixin, VersionedMixin, Base):
    __tablename__ = "intakes"
    __table_args__ = (episode_fk(), UniqueConstraint("organization_id", "episode_id"))

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    presenting_problem: Mapped[str] = mapped_column(Text, default="")
    # Psychiatric history
    psychosis: Mapped[str | None] = mapped_column(String(20), default=None)
    mood_disorder: Mapped[str | None] = mapped_column(String(30), default=None)
    suicide_attempts: Mapped[int | None] = mapped_column(default=None)
    last_suicide_attempt_on: Mapped[date | None] = mapped_column(default=None)
    recent_suicidal_behaviour: Mapped[bool | None] = mapped_column(default=None)
    safety_plan_in_place: Mapped[bool | None] = mapped_column(default=None)
    self_harm: Mapped[bool | None] = mapped_column(default=None)
    trauma_history: Mapped[str] = mapped_column(Text, default="")
    # Medical history
    aneurysmal_vascular_disease: Mapped[bool | None] = mapped_column(default=None)
    arteriovenous_malformation: Mapped[bool | None] = mapped_column(default=None)
    intracerebral_haemorrhage: Mapped[bool | None] = mapped_column(default=None)
    ketamine_hypersensitivity: Mapped[bool | None] = mapped_column(default=None)
    cardiovascular_disease: Mapped[str | None] = mapped_column(String(20), default=None)
    hypertension: Mapped[str | None] = mapped_column(String(20), default=None)
    raised_intracranial_pressure: Mapped[bool | None] = mapped_column(default=None)
    hepatic_impairment: Mapped[str | None] = mapped_column(String(20), default=None)
    interstitial_cystitis: Mapped[bool | None] = mapped_column(default=None)
    pregnant: Mapped[bool | None] = mapped_column(default=None)
    breastfeeding: Mapped[bool | None] = mapped_column(default=None)
    seizures: Mapped[bool | None] = mapped_column(default=None)
    allergies: Mapped[str] = mapped_column(Text, default="")
    # Baseline vitals and body
    baseline_sbp: Mapped[int | None] = mapped_column(default=None)
    baseline_dbp: Mapped[int | None] = mapped_column(default=None)
    baseline_hr: Mapped[int | None] = mapped_column(default=None)
    baseline_spo2: Mapped[int | None] = mapped_column(default=None)
    height_cm: Mapped[int | None] = mapped_column(default=None)
    completed: Mapped[bool] = mapped_column(default=False)


def _intake_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "intake_id"], ["intakes.organization_id", "intakes.id"]
    )


class IntakeItem(TenantMixin, AuditedMixin):
    """A row that belongs to an intake; wrong rows are marked entered-in-error, never deleted."""

    intake_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.active.value)
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)


class Diagnosis(IntakeItem, Base):
    __tablename__ = "diagnoses"
    __table_args__ = (_intake_fk(), Index("ix_diagnoses_intake", "organization_id", "intake_id"))

    code: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(default=False)


class Medication(IntakeItem, Base):
    __tablename__ = "medications"
    __table_args__ = (_intake_fk(), Index("ix_medications_intake", "organization_id", "intake_id"))

    name: Mapped[str] = mapped_column(String(120))
    dose: Mapped[str] = mapped_column(String(120), default="")
    drug_class: Mapped[str | None] = mapped_column(String(40), default=None)


class SubstanceUse(IntakeItem, Base):
    __tablename__ = "substance_use"
    __table_args__ = (
        _intake_fk(),
        Index("ix_substance_use_intake", "organization_id", "intake_id"),
    )

    substance: Mapped[str] = mapped_column(String(40))
    pattern: Mapped[str] = mapped_column(String(30))
    last_use_on: Mapped[date | None] = mapped_column(default=None)


class PriorTreatment(IntakeItem, Base):
    __tablename__ = "prior_treatments"
    __table_args__ = (
        _intake_fk(),
        Index("ix_prior_treatments_intake", "organization_id", "intake_id"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    drug: Mapped[str] = mapped_column(String(120), default="")
    dose_mg: Mapped[float | None] = mapped_column(default=None)
    adequate_dose: Mapped[bool | None] = mapped_column(default=None)
    weeks: Mapped[int | None] = mapped_column(default=None)
    adherence: Mapped[str | None] = mapped_column(String(20), default=None)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    adverse_effects: Mapped[str] = mapped_column(Text, default="")
    in_current_episode: Mapped[bool] = mapped_column(default=True)


class TreatmentGoal(IntakeItem, Base):
    __tablename__ = "treatment_goals"
    __table_args__ = (_intake_fk(),)

    goal: Mapped[str] = mapped_column(Text)
    measure_of_progress: Mapped[str] = mapped_column(Text, default="")


class ScreeningOutcome(enum.StrEnum):
    eligible = "eligible"
    needs_review = "needs_review"
    ineligible = "ineligible"
    incomplete = "incomplete"


class RuleSet(TenantMixin, AuditedMixin, ApprovalMixin, Base):
    """One version of a clinic's screening rules; editing makes a new version, never an edit.

    A version that loosens a limit is pending (not current) until a second prescriber approves.
    """

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("organization_id", "version"),)

    version: Mapped[int] = mapped_column()
    rules: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(default=True)


class ScreeningRun(TenantMixin, AuditedMixin, Base):
    __tablename__ = "screening_runs"
    __table_args__ = (
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "rule_set_id"], ["rule_sets.organization_id", "rule_sets.id"]
        ),
        Index("ix_screening_runs_episode", "organization_id", "episode_id", "created_at"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rule_set_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rule_set_version: Mapped[int] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20))
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")


class RuleResult(TenantMixin, Base):
    """What one rule saw and decided in one screening run."""

    __tablename__ = "rule_results"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "run_id"], ["screening_runs.organization_id", "screening_runs.id"]
        ),
        Index("ix_rule_results_run", "organization_id", "run_id"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    rule_id: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(20))
    inputs: Mapped[dict[str, object]] = mapped_column(JSON)
    triggered: Mapped[bool | None] = mapped_column()
    explanation: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class OverrideStatus(enum.StrEnum):
    pending = "pending"  # an absolute contraindication waits for a second prescriber
    confirmed = "confirmed"


class ScreeningOverride(TenantMixin, AuditedMixin, Base):
    """A prescriber's decision to treat despite a needs_review or ineligible screening.

    Overriding an ineligible screening (an absolute contraindication) takes two different
    prescribers: it is pending until the second confirms it with their own reasons.
    """

    __tablename__ = "screening_overrides"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "run_id"], ["screening_runs.organization_id", "screening_runs.id"]
        ),
        episode_fk(),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    from_outcome: Mapped[str] = mapped_column(String(20))
    to_outcome: Mapped[str] = mapped_column(String(20))
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(10), default=OverrideStatus.confirmed.value, server_default="confirmed"
    )
    confirmed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    confirmation: Mapped[str] = mapped_column(Text, default="", server_default="")
