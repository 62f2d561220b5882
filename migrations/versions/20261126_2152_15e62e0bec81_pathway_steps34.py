"""pathway steps34

Revision ID: 15e62e0bec81
Revises: cd002a02eeba
Create Date: 2026-11-26 21:52:32.547064
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "15e62e0bec81"
down_revision: str | None = "cd002a02eeba"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "followup_settings",
        sa.Column("set_version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_followup_settings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_followup_settings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_followup_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_followup_settings")),
        sa.UniqueConstraint(
            "organization_id",
            "set_version",
            name=op.f("uq_followup_settings_organization_id_set_version"),
        ),
    )
    op.create_table(
        "portal_settings",
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("crisis_message", sa.Text(), nullable=False),
        sa.Column("clinic_phone", sa.String(length=40), nullable=False),
        sa.Column("link_expiry_hours", sa.Integer(), nullable=False),
        sa.Column("preparation_instructions", sa.Text(), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_portal_settings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_portal_settings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_portal_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_portal_settings")),
        sa.UniqueConstraint(
            "organization_id",
            "settings_version",
            name=op.f("uq_portal_settings_organization_id_settings_version"),
        ),
    )
    op.create_table(
        "therapy_note_templates",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("note_type", sa.String(length=40), nullable=False),
        sa.Column("form", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_note_templates_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_note_templates_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_note_templates_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_therapy_note_templates")),
        sa.UniqueConstraint(
            "organization_id",
            "key",
            "version",
            name=op.f("uq_therapy_note_templates_organization_id_key_version"),
        ),
    )
    op.create_table(
        "therapy_supervisions",
        sa.Column("supervisee_id", sa.Uuid(), nullable=False),
        sa.Column("supervisor_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_supervisions_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_supervisions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["supervisee_id"],
            ["users.id"],
            name=op.f("fk_therapy_supervisions_supervisee_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["users.id"],
            name=op.f("fk_therapy_supervisions_supervisor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_supervisions_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_therapy_supervisions")),
    )
    with op.batch_alter_table("therapy_supervisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_supervisions_supervisee", ["organization_id", "supervisee_id"], unique=False
        )

    op.create_table(
        "portal_accounts",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("has_email", sa.Boolean(), nullable=False),
        sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_portal_accounts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_portal_accounts_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_portal_accounts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_portal_accounts_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portal_accounts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_portal_accounts")),
        sa.UniqueConstraint(
            "organization_id",
            "patient_id",
            name=op.f("uq_portal_accounts_organization_id_patient_id"),
        ),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_portal_accounts_organization_id_user_id")
        ),
    )
    with op.batch_alter_table("portal_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_portal_accounts_user", ["user_id"], unique=False)

    op.create_table(
        "portal_drafts",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("due_id", sa.Uuid(), nullable=False),
        sa.Column("instrument_id", sa.String(length=30), nullable=False),
        sa.Column("instrument_version", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("crisis_pending", sa.Boolean(), nullable=False),
        sa.Column("crisis_settings_version", sa.Integer(), nullable=True),
        sa.Column("risk_alert_id", sa.Uuid(), nullable=True),
        sa.Column("risk_raised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_portal_drafts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_portal_drafts_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_portal_drafts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_portal_drafts_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_portal_drafts")),
        sa.UniqueConstraint(
            "organization_id", "due_id", name=op.f("uq_portal_drafts_organization_id_due_id")
        ),
    )
    with op.batch_alter_table("portal_drafts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portal_drafts_patient", ["organization_id", "patient_id", "status"], unique=False
        )

    op.create_table(
        "followup_maintenance_approvals",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("sessions_approved", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_followup_maintenance_approvals_approved_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_followup_maintenance_approvals_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_followup_maintenance_approvals_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_followup_maintenance_approvals_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_followup_maintenance_approvals_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_followup_maintenance_approvals_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "id", name=op.f("pk_followup_maintenance_approvals")
        ),
    )
    with op.batch_alter_table("followup_maintenance_approvals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followup_maintenance_episode",
            ["organization_id", "episode_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "followup_reviews",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("open_episode_id", sa.Uuid(), nullable=True),
        sa.Column("instrument_id", sa.String(length=30), nullable=False),
        sa.Column("trigger_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger_response_id", sa.Uuid(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_followup_reviews_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_followup_reviews_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_followup_reviews_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_followup_reviews_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_followup_reviews_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_followup_reviews_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_followup_reviews")),
        sa.UniqueConstraint(
            "organization_id",
            "episode_id",
            "instrument_id",
            "trigger_at",
            name=op.f("uq_followup_reviews_organization_id_episode_id_instrument_id_trigger_at"),
        ),
        sa.UniqueConstraint(
            "organization_id",
            "open_episode_id",
            name=op.f("uq_followup_reviews_organization_id_open_episode_id"),
        ),
    )
    with op.batch_alter_table("followup_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followup_reviews_status", ["organization_id", "status", "created_at"], unique=False
        )

    op.create_table(
        "followup_schedule_states",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_followup_schedule_states_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_followup_schedule_states_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_followup_schedule_states")),
        sa.UniqueConstraint(
            "organization_id",
            "episode_id",
            name=op.f("uq_followup_schedule_states_organization_id_episode_id"),
        ),
    )
    op.create_table(
        "followup_urgent_alerts",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("on_call_role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_followup_urgent_alerts_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_followup_urgent_alerts_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_followup_urgent_alerts_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_followup_urgent_alerts_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_followup_urgent_alerts_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "response_id"],
            ["assessment_responses.organization_id", "assessment_responses.id"],
            name=op.f("fk_followup_urgent_alerts_organization_id_response_id_assessment_responses"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_followup_urgent_alerts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_followup_urgent_alerts_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_followup_urgent_alerts")),
    )
    with op.batch_alter_table("followup_urgent_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followup_urgent_alerts_assignee",
            ["organization_id", "assignee_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_followup_urgent_alerts_status",
            ["organization_id", "status", "raised_at"],
            unique=False,
        )

    op.create_table(
        "portal_links",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_portal_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "account_id"],
            ["portal_accounts.organization_id", "portal_accounts.id"],
            name=op.f("fk_portal_links_organization_id_account_id_portal_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_portal_links_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_portal_links_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_portal_links_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_portal_links")),
        sa.UniqueConstraint(
            "organization_id", "token_hash", name=op.f("uq_portal_links_organization_id_token_hash")
        ),
    )
    with op.batch_alter_table("portal_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portal_links_patient", ["organization_id", "patient_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_portal_links_token_hash", ["token_hash"], unique=False)

    op.create_table(
        "therapy_integration_plans",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("insights", sa.JSON(), nullable=False),
        sa.Column("practices", sa.JSON(), nullable=False),
        sa.Column("warning_signs", sa.JSON(), nullable=False),
        sa.Column("support_contacts", sa.JSON(), nullable=False),
        sa.Column("next_steps", sa.JSON(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("shared_with_patient", sa.Boolean(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shared_by_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_integration_plans_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_therapy_integration_plans_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_integration_plans_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_integration_plans_shared_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_integration_plans_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_therapy_integration_plans")),
        sa.UniqueConstraint(
            "organization_id",
            "episode_id",
            "plan_version",
            name=op.f("uq_therapy_integration_plans_organization_id_episode_id_plan_version"),
        ),
    )
    with op.batch_alter_table("therapy_integration_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_integration_plans_patient", ["organization_id", "patient_id"], unique=False
        )

    op.create_table(
        "followup_due_items",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("anchor", sa.String(length=80), nullable=False),
        sa.Column("instrument_id", sa.String(length=30), nullable=False),
        sa.Column("dosing_session_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledgement", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_followup_due_items_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_followup_due_items_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "dosing_session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_followup_due_items_organization_id_dosing_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_followup_due_items_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_followup_due_items_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "response_id"],
            ["assessment_responses.organization_id", "assessment_responses.id"],
            name=op.f("fk_followup_due_items_organization_id_response_id_assessment_responses"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_followup_due_items_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_followup_due_items_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_followup_due_items")),
        sa.UniqueConstraint(
            "organization_id",
            "episode_id",
            "anchor",
            "instrument_id",
            name=op.f("uq_followup_due_items_organization_id_episode_id_anchor_instrument_id"),
        ),
    )
    with op.batch_alter_table("followup_due_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followup_due_items_open",
            ["organization_id", "kind", "status", "closes_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_followup_due_items_patient",
            ["organization_id", "patient_id", "status"],
            unique=False,
        )

    op.create_table(
        "therapy_notes",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("dosing_session_id", sa.Uuid(), nullable=True),
        sa.Column("note_type", sa.String(length=40), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("session_on", sa.Date(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("cosigner_id", sa.Uuid(), nullable=True),
        sa.Column("status_before_error", sa.String(length=30), nullable=True),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("entered_in_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entered_in_error_by_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_therapy_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cosigner_id"], ["users.id"], name=op.f("fk_therapy_notes_cosigner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_therapy_notes_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entered_in_error_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_notes_entered_in_error_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "dosing_session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_therapy_notes_organization_id_dosing_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_therapy_notes_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_therapy_notes_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "template_id"],
            ["therapy_note_templates.organization_id", "therapy_note_templates.id"],
            name=op.f("fk_therapy_notes_organization_id_template_id_therapy_note_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_notes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_therapy_notes_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_therapy_notes")),
    )
    with op.batch_alter_table("therapy_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_notes_episode",
            ["organization_id", "episode_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_therapy_notes_unsigned", ["organization_id", "status", "author_id"], unique=False
        )

    op.create_table(
        "therapy_note_addenda",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_therapy_note_addenda_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "note_id"],
            ["therapy_notes.organization_id", "therapy_notes.id"],
            name=op.f("fk_therapy_note_addenda_organization_id_note_id_therapy_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_note_addenda_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_therapy_note_addenda")),
    )
    with op.batch_alter_table("therapy_note_addenda", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_note_addenda_note", ["organization_id", "note_id"], unique=False
        )

    op.create_table(
        "therapy_note_signatures",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("signer_id", sa.Uuid(), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signer_roles", sa.String(length=200), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "note_id"],
            ["therapy_notes.organization_id", "therapy_notes.id"],
            name=op.f("fk_therapy_note_signatures_organization_id_note_id_therapy_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_note_signatures_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["users.id"], name=op.f("fk_therapy_note_signatures_signer_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_therapy_note_signatures")),
    )
    with op.batch_alter_table("therapy_note_signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_note_signatures_note", ["organization_id", "note_id"], unique=False
        )

    op.create_table(
        "therapy_process_note_grants",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("grantee_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_process_note_grants_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["grantee_id"],
            ["users.id"],
            name=op.f("fk_therapy_process_note_grants_grantee_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "note_id"],
            ["therapy_notes.organization_id", "therapy_notes.id"],
            name=op.f("fk_therapy_process_note_grants_organization_id_note_id_therapy_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_therapy_process_note_grants_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_process_note_grants_revoked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_therapy_process_note_grants_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "id", name=op.f("pk_therapy_process_note_grants")
        ),
    )
    with op.batch_alter_table("therapy_process_note_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_therapy_process_note_grants_note",
            ["organization_id", "note_id", "grantee_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("therapy_process_note_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_process_note_grants_note")

    op.drop_table("therapy_process_note_grants")
    with op.batch_alter_table("therapy_note_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_note_signatures_note")

    op.drop_table("therapy_note_signatures")
    with op.batch_alter_table("therapy_note_addenda", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_note_addenda_note")

    op.drop_table("therapy_note_addenda")
    with op.batch_alter_table("therapy_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_notes_unsigned")
        batch_op.drop_index("ix_therapy_notes_episode")

    op.drop_table("therapy_notes")
    with op.batch_alter_table("followup_due_items", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_due_items_patient")
        batch_op.drop_index("ix_followup_due_items_open")

    op.drop_table("followup_due_items")
    with op.batch_alter_table("therapy_integration_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_integration_plans_patient")

    op.drop_table("therapy_integration_plans")
    with op.batch_alter_table("portal_links", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_links_token_hash")
        batch_op.drop_index("ix_portal_links_patient")

    op.drop_table("portal_links")
    with op.batch_alter_table("followup_urgent_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_urgent_alerts_status")
        batch_op.drop_index("ix_followup_urgent_alerts_assignee")

    op.drop_table("followup_urgent_alerts")
    op.drop_table("followup_schedule_states")
    with op.batch_alter_table("followup_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_reviews_status")

    op.drop_table("followup_reviews")
    with op.batch_alter_table("followup_maintenance_approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_maintenance_episode")

    op.drop_table("followup_maintenance_approvals")
    with op.batch_alter_table("portal_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_drafts_patient")

    op.drop_table("portal_drafts")
    with op.batch_alter_table("portal_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_accounts_user")

    op.drop_table("portal_accounts")
    with op.batch_alter_table("therapy_supervisions", schema=None) as batch_op:
        batch_op.drop_index("ix_therapy_supervisions_supervisee")

    op.drop_table("therapy_supervisions")
    op.drop_table("therapy_note_templates")
    op.drop_table("portal_settings")
    op.drop_table("followup_settings")
