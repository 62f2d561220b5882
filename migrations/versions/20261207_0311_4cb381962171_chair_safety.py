"""chair safety

Revision ID: 4cb381962171
Revises: 15e62e0bec81
Create Date: 2026-12-07 03:11:15.686523
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4cb381962171"
down_revision: str | None = "15e62e0bec81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "role_grants",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_role_grants_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_role_grants_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_role_grants_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_role_grants")),
    )
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index("ix_role_grants_status", ["organization_id", "status"], unique=False)

    op.create_table(
        "dosing_order_changes",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("previous_dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("infusion_minutes", sa.Integer(), nullable=True),
        sa.Column("concentration_mg_per_ml", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outside_plan", sa.JSON(), nullable=False),
        sa.Column("outside_plan_reason", sa.Text(), nullable=True),
        sa.Column("prescriber_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_order_changes_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_order_changes_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["users.id"],
            name=op.f("fk_dosing_order_changes_prescriber_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_order_changes")),
    )
    with op.batch_alter_table("dosing_order_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_order_changes_session", ["organization_id", "session_id"], unique=False
        )

    with op.batch_alter_table("dosing_administrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("undelivered_mg", sa.Numeric(precision=8, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("undelivered_disposition", sa.String(length=20), nullable=True)
        )
        batch_op.add_column(sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reconciled_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_dosing_administrations_reconciled_by_id_users"),
            "users",
            ["reconciled_by_id"],
            ["id"],
        )

    with op.batch_alter_table("dosing_hard_stop_overrides", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evidence", sa.String(length=200), server_default="", nullable=False)
        )

    with op.batch_alter_table("dosing_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_number", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("order_infusion_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "order_concentration_mg_per_ml", sa.Numeric(precision=8, scale=3), nullable=True
            )
        )

    with op.batch_alter_table("dosing_threshold_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval", sa.String(length=10), server_default="none", nullable=False)
        )
        batch_op.add_column(sa.Column("compared_with", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("loosening", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_dosing_threshold_sets_approved_by_id_users"),
            "users",
            ["approved_by_id"],
            ["id"],
        )

    with op.batch_alter_table("followup_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval", sa.String(length=10), server_default="none", nullable=False)
        )
        batch_op.add_column(sa.Column("compared_with", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("loosening", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_followup_settings_approved_by_id_users"),
            "users",
            ["approved_by_id"],
            ["id"],
        )

    with op.batch_alter_table("followup_urgent_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalates_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("risk_level", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("safety_plan_reviewed", sa.Boolean(), nullable=True))
        batch_op.create_index(
            "ix_followup_urgent_alerts_patient",
            ["organization_id", "patient_id", "status"],
            unique=False,
        )

    with op.batch_alter_table("inventory_count_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("estimated", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("container_units", sa.Numeric(precision=14, scale=3), nullable=True)
        )

    with op.batch_alter_table("inventory_ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("witness_method", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("supplier_address", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("supplier_dea_registration", sa.String(length=9), nullable=True)
        )

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("height_cm", sa.Numeric(precision=4, scale=1), nullable=True))

    with op.batch_alter_table("protocol_templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("infusion_minutes_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("infusion_minutes_max", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("max_rate_mg_per_kg_min", sa.Numeric(precision=6, scale=4), nullable=True)
        )

    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval", sa.String(length=10), server_default="none", nullable=False)
        )
        batch_op.add_column(sa.Column("compared_with", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("loosening", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_rule_sets_approved_by_id_users"), "users", ["approved_by_id"], ["id"]
        )

    with op.batch_alter_table("screening_overrides", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="confirmed", nullable=False)
        )
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("confirmation", sa.Text(), server_default="", nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_screening_overrides_confirmed_by_id_users"),
            "users",
            ["confirmed_by_id"],
            ["id"],
        )

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("dea_registration", sa.String(length=9), server_default="", nullable=False)
        )

    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "dosing_weight", sa.String(length=20), server_default="actual", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("dosing_weight_kg", sa.Numeric(precision=5, scale=1), nullable=True)
        )
        batch_op.add_column(sa.Column("height_cm", sa.Numeric(precision=4, scale=1), nullable=True))

    with op.batch_alter_table("weight_measurements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_rules", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("change_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("change_compared_with_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weight_measurements", schema=None) as batch_op:
        batch_op.drop_column("change_compared_with_id")
        batch_op.drop_column("change_reason")
        batch_op.drop_column("change_rules")

    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.drop_column("height_cm")
        batch_op.drop_column("dosing_weight_kg")
        batch_op.drop_column("dosing_weight")

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("dea_registration")
        batch_op.drop_column("phone")

    with op.batch_alter_table("screening_overrides", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_screening_overrides_confirmed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("confirmation")
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("status")

    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rule_sets_approved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("loosening")
        batch_op.drop_column("compared_with")
        batch_op.drop_column("approval")

    with op.batch_alter_table("protocol_templates", schema=None) as batch_op:
        batch_op.drop_column("max_rate_mg_per_kg_min")
        batch_op.drop_column("infusion_minutes_max")
        batch_op.drop_column("infusion_minutes_min")

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("height_cm")

    with op.batch_alter_table("inventory_ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("supplier_dea_registration")
        batch_op.drop_column("supplier_address")
        batch_op.drop_column("witness_method")

    with op.batch_alter_table("inventory_count_lines", schema=None) as batch_op:
        batch_op.drop_column("container_units")
        batch_op.drop_column("estimated")

    with op.batch_alter_table("followup_urgent_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_urgent_alerts_patient")
        batch_op.drop_column("safety_plan_reviewed")
        batch_op.drop_column("risk_level")
        batch_op.drop_column("escalates_at")

    with op.batch_alter_table("followup_settings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_followup_settings_approved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("loosening")
        batch_op.drop_column("compared_with")
        batch_op.drop_column("approval")

    with op.batch_alter_table("dosing_threshold_sets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_dosing_threshold_sets_approved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("loosening")
        batch_op.drop_column("compared_with")
        batch_op.drop_column("approval")

    with op.batch_alter_table("dosing_sessions", schema=None) as batch_op:
        batch_op.drop_column("order_concentration_mg_per_ml")
        batch_op.drop_column("order_infusion_minutes")
        batch_op.drop_column("session_number")

    with op.batch_alter_table("dosing_hard_stop_overrides", schema=None) as batch_op:
        batch_op.drop_column("evidence")

    with op.batch_alter_table("dosing_administrations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_dosing_administrations_reconciled_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("reconciled_by_id")
        batch_op.drop_column("reconciled_at")
        batch_op.drop_column("undelivered_disposition")
        batch_op.drop_column("undelivered_mg")

    with op.batch_alter_table("dosing_order_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_order_changes_session")

    op.drop_table("dosing_order_changes")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_role_grants_status")

    op.drop_table("role_grants")
