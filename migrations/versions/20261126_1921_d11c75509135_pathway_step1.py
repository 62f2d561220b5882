"""pathway step1

Revision ID: d11c75509135
Revises: 997e76006d35
Create Date: 2026-11-26 19:21:49.795201
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d11c75509135"
down_revision: str | None = "997e76006d35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_documents",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("routes", sa.JSON(), nullable=False),
        sa.Column("drugs", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_consent_documents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_consent_documents_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_consent_documents_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_consent_documents")),
        sa.UniqueConstraint(
            "organization_id",
            "key",
            "version",
            name=op.f("uq_consent_documents_organization_id_key_version"),
        ),
    )
    op.create_table(
        "protocol_templates",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("drug", sa.String(length=30), nullable=False),
        sa.Column("weight_based", sa.Boolean(), nullable=False),
        sa.Column("bounds_unit", sa.String(length=20), nullable=False),
        sa.Column("start_dose", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("min_dose", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("max_dose", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("max_step", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("dose_rounding_mg", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("older_adult_start_dose", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("infusion_minutes", sa.Integer(), nullable=True),
        sa.Column("dosing_sessions", sa.Integer(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("monitoring_minutes", sa.JSON(), nullable=False),
        sa.Column("preparation_sessions", sa.Integer(), nullable=False),
        sa.Column("integration_within_hours", sa.Integer(), nullable=False),
        sa.Column("weight_max_age_days", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_protocol_templates_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_protocol_templates_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_protocol_templates_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_protocol_templates")),
        sa.UniqueConstraint(
            "organization_id",
            "key",
            "version",
            name=op.f("uq_protocol_templates_organization_id_key_version"),
        ),
    )
    op.create_table(
        "rule_sets",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_rule_sets_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rule_sets_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_rule_sets_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_rule_sets")),
        sa.UniqueConstraint(
            "organization_id", "version", name=op.f("uq_rule_sets_organization_id_version")
        ),
    )
    op.create_table(
        "assessment_responses",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("encounter_id", sa.Uuid(), nullable=True),
        sa.Column("instrument_id", sa.String(length=30), nullable=False),
        sa.Column("instrument_version", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=40), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_by", sa.String(length=20), nullable=False),
        sa.Column("setting", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_responses_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_assessment_responses_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_assessment_responses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_responses_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_assessment_responses")),
    )
    with op.batch_alter_table("assessment_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_responses_patient",
            ["organization_id", "patient_id", "instrument_id", "completed_at"],
            unique=False,
        )

    op.create_table(
        "episodes",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_before_hold", sa.String(length=20), nullable=True),
        sa.Column("referral_reason", sa.Text(), nullable=False),
        sa.Column("referred_by", sa.String(length=200), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("prescriber_id", sa.Uuid(), nullable=True),
        sa.Column("therapist_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_episodes_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_episodes_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_episodes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"], ["users.id"], name=op.f("fk_episodes_prescriber_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["users.id"], name=op.f("fk_episodes_therapist_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_episodes_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_episodes")),
    )
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_episodes_patient", ["organization_id", "patient_id"], unique=False
        )

    op.create_table(
        "rems_enrollments",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("rems_patient_id", sa.String(length=40), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_rems_enrollments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_rems_enrollments_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rems_enrollments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_rems_enrollments_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_rems_enrollments")),
    )
    with op.batch_alter_table("rems_enrollments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rems_enrollments_patient", ["organization_id", "patient_id"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("document_version", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("signed_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scan_filename", sa.String(length=200), nullable=True),
        sa.Column("scan_sha256", sa.String(length=64), nullable=True),
        sa.Column("scan_content_type", sa.String(length=40), nullable=True),
        sa.Column("scan_size", sa.Integer(), nullable=True),
        sa.Column("scan_content", sa.LargeBinary(), nullable=True),
        sa.Column("witness_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_consents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["consent_documents.organization_id", "consent_documents.id"],
            name=op.f("fk_consents_organization_id_document_id_consent_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_consents_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_consents_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_consents_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["users.id"], name=op.f("fk_consents_witness_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consents_episode", ["organization_id", "episode_id"], unique=False
        )

    op.create_table(
        "encounters",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("intentions", sa.Text(), nullable=False),
        sa.Column("education_given", sa.Text(), nullable=False),
        sa.Column("set_and_setting", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_encounters_clinician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_encounters_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_encounters_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_encounters_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_encounters_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_encounters_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_encounters")),
    )
    with op.batch_alter_table("encounters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_encounters_patient",
            ["organization_id", "patient_id", "scheduled_for"],
            unique=False,
        )

    op.create_table(
        "episode_transitions",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_episode_transitions_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_episode_transitions_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_episode_transitions_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_episode_transitions")),
    )
    with op.batch_alter_table("episode_transitions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_episode_transitions_episode", ["organization_id", "episode_id", "at"], unique=False
        )

    op.create_table(
        "intakes",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("presenting_problem", sa.Text(), nullable=False),
        sa.Column("psychosis", sa.String(length=20), nullable=True),
        sa.Column("mood_disorder", sa.String(length=30), nullable=True),
        sa.Column("suicide_attempts", sa.Integer(), nullable=True),
        sa.Column("last_suicide_attempt_on", sa.Date(), nullable=True),
        sa.Column("recent_suicidal_behaviour", sa.Boolean(), nullable=True),
        sa.Column("safety_plan_in_place", sa.Boolean(), nullable=True),
        sa.Column("self_harm", sa.Boolean(), nullable=True),
        sa.Column("trauma_history", sa.Text(), nullable=False),
        sa.Column("aneurysmal_vascular_disease", sa.Boolean(), nullable=True),
        sa.Column("arteriovenous_malformation", sa.Boolean(), nullable=True),
        sa.Column("intracerebral_haemorrhage", sa.Boolean(), nullable=True),
        sa.Column("ketamine_hypersensitivity", sa.Boolean(), nullable=True),
        sa.Column("cardiovascular_disease", sa.String(length=20), nullable=True),
        sa.Column("hypertension", sa.String(length=20), nullable=True),
        sa.Column("raised_intracranial_pressure", sa.Boolean(), nullable=True),
        sa.Column("hepatic_impairment", sa.String(length=20), nullable=True),
        sa.Column("interstitial_cystitis", sa.Boolean(), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=True),
        sa.Column("breastfeeding", sa.Boolean(), nullable=True),
        sa.Column("seizures", sa.Boolean(), nullable=True),
        sa.Column("allergies", sa.Text(), nullable=False),
        sa.Column("baseline_sbp", sa.Integer(), nullable=True),
        sa.Column("baseline_dbp", sa.Integer(), nullable=True),
        sa.Column("baseline_hr", sa.Integer(), nullable=True),
        sa.Column("baseline_spo2", sa.Integer(), nullable=True),
        sa.Column("height_cm", sa.Integer(), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_intakes_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_intakes_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_intakes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_intakes_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_intakes")),
        sa.UniqueConstraint(
            "organization_id", "episode_id", name=op.f("uq_intakes_organization_id_episode_id")
        ),
    )
    op.create_table(
        "preparation_checks",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_preparation_checks_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_preparation_checks_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_preparation_checks_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_preparation_checks_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_preparation_checks")),
    )
    with op.batch_alter_table("preparation_checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_preparation_checks_episode", ["organization_id", "episode_id"], unique=False
        )

    op.create_table(
        "screening_runs",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("rule_set_id", sa.Uuid(), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_screening_runs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_screening_runs_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "rule_set_id"],
            ["rule_sets.organization_id", "rule_sets.id"],
            name=op.f("fk_screening_runs_organization_id_rule_set_id_rule_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_screening_runs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_screening_runs_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_screening_runs")),
    )
    with op.batch_alter_table("screening_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_screening_runs_episode",
            ["organization_id", "episode_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "treatment_plans",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("drug", sa.String(length=30), nullable=False),
        sa.Column("dose_per_kg", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("start_dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("max_dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("weight_kg", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("weight_measured_on", sa.Date(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("dose_calculation", sa.Text(), nullable=False),
        sa.Column("dose_override_reason", sa.Text(), nullable=True),
        sa.Column("change_reason", sa.Text(), nullable=False),
        sa.Column("signed_by_id", sa.Uuid(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_treatment_plans_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_treatment_plans_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "template_id"],
            ["protocol_templates.organization_id", "protocol_templates.id"],
            name=op.f("fk_treatment_plans_organization_id_template_id_protocol_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_treatment_plans_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_treatment_plans_signed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_treatment_plans_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_treatment_plans")),
        sa.UniqueConstraint(
            "organization_id",
            "episode_id",
            "plan_version",
            name=op.f("uq_treatment_plans_organization_id_episode_id_plan_version"),
        ),
    )
    op.create_table(
        "diagnoses",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_diagnoses_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "intake_id"],
            ["intakes.organization_id", "intakes.id"],
            name=op.f("fk_diagnoses_organization_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_diagnoses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_diagnoses_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_diagnoses")),
    )
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.create_index("ix_diagnoses_intake", ["organization_id", "intake_id"], unique=False)

    op.create_table(
        "medications",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("dose", sa.String(length=120), nullable=False),
        sa.Column("drug_class", sa.String(length=40), nullable=True),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_medications_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "intake_id"],
            ["intakes.organization_id", "intakes.id"],
            name=op.f("fk_medications_organization_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_medications_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_medications_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_medications")),
    )
    with op.batch_alter_table("medications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_medications_intake", ["organization_id", "intake_id"], unique=False
        )

    op.create_table(
        "planned_sessions",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "plan_id"],
            ["treatment_plans.organization_id", "treatment_plans.id"],
            name=op.f("fk_planned_sessions_organization_id_plan_id_treatment_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_planned_sessions_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_planned_sessions")),
    )
    with op.batch_alter_table("planned_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_planned_sessions_plan", ["organization_id", "plan_id", "sequence"], unique=False
        )

    op.create_table(
        "prior_treatments",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("drug", sa.String(length=120), nullable=False),
        sa.Column("dose_mg", sa.Double(), nullable=True),
        sa.Column("adequate_dose", sa.Boolean(), nullable=True),
        sa.Column("weeks", sa.Integer(), nullable=True),
        sa.Column("adherence", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("adverse_effects", sa.Text(), nullable=False),
        sa.Column("in_current_episode", sa.Boolean(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_prior_treatments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "intake_id"],
            ["intakes.organization_id", "intakes.id"],
            name=op.f("fk_prior_treatments_organization_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_prior_treatments_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_prior_treatments_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_prior_treatments")),
    )
    with op.batch_alter_table("prior_treatments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prior_treatments_intake", ["organization_id", "intake_id"], unique=False
        )

    op.create_table(
        "rule_results",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("triggered", sa.Boolean(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "run_id"],
            ["screening_runs.organization_id", "screening_runs.id"],
            name=op.f("fk_rule_results_organization_id_run_id_screening_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rule_results_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_rule_results")),
    )
    with op.batch_alter_table("rule_results", schema=None) as batch_op:
        batch_op.create_index("ix_rule_results_run", ["organization_id", "run_id"], unique=False)

    op.create_table(
        "screening_overrides",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("from_outcome", sa.String(length=20), nullable=False),
        sa.Column("to_outcome", sa.String(length=20), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_screening_overrides_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_screening_overrides_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "run_id"],
            ["screening_runs.organization_id", "screening_runs.id"],
            name=op.f("fk_screening_overrides_organization_id_run_id_screening_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_screening_overrides_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_screening_overrides_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_screening_overrides")),
    )
    op.create_table(
        "substance_use",
        sa.Column("substance", sa.String(length=40), nullable=False),
        sa.Column("pattern", sa.String(length=30), nullable=False),
        sa.Column("last_use_on", sa.Date(), nullable=True),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_substance_use_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "intake_id"],
            ["intakes.organization_id", "intakes.id"],
            name=op.f("fk_substance_use_organization_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_substance_use_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_substance_use_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_substance_use")),
    )
    with op.batch_alter_table("substance_use", schema=None) as batch_op:
        batch_op.create_index(
            "ix_substance_use_intake", ["organization_id", "intake_id"], unique=False
        )

    op.create_table(
        "treatment_goals",
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("measure_of_progress", sa.Text(), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_treatment_goals_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "intake_id"],
            ["intakes.organization_id", "intakes.id"],
            name=op.f("fk_treatment_goals_organization_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_treatment_goals_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_treatment_goals_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_treatment_goals")),
    )


def downgrade() -> None:
    op.drop_table("treatment_goals")
    with op.batch_alter_table("substance_use", schema=None) as batch_op:
        batch_op.drop_index("ix_substance_use_intake")

    op.drop_table("substance_use")
    op.drop_table("screening_overrides")
    with op.batch_alter_table("rule_results", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_results_run")

    op.drop_table("rule_results")
    with op.batch_alter_table("prior_treatments", schema=None) as batch_op:
        batch_op.drop_index("ix_prior_treatments_intake")

    op.drop_table("prior_treatments")
    with op.batch_alter_table("planned_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_sessions_plan")

    op.drop_table("planned_sessions")
    with op.batch_alter_table("medications", schema=None) as batch_op:
        batch_op.drop_index("ix_medications_intake")

    op.drop_table("medications")
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.drop_index("ix_diagnoses_intake")

    op.drop_table("diagnoses")
    op.drop_table("treatment_plans")
    with op.batch_alter_table("screening_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_runs_episode")

    op.drop_table("screening_runs")
    with op.batch_alter_table("preparation_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_preparation_checks_episode")

    op.drop_table("preparation_checks")
    op.drop_table("intakes")
    with op.batch_alter_table("episode_transitions", schema=None) as batch_op:
        batch_op.drop_index("ix_episode_transitions_episode")

    op.drop_table("episode_transitions")
    with op.batch_alter_table("encounters", schema=None) as batch_op:
        batch_op.drop_index("ix_encounters_patient")

    op.drop_table("encounters")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_episode")

    op.drop_table("consents")
    with op.batch_alter_table("rems_enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_rems_enrollments_patient")

    op.drop_table("rems_enrollments")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_episodes_patient")

    op.drop_table("episodes")
    with op.batch_alter_table("assessment_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_responses_patient")

    op.drop_table("assessment_responses")
    op.drop_table("rule_sets")
    op.drop_table("protocol_templates")
    op.drop_table("consent_documents")
