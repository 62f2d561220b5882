"""pathway step2

Revision ID: 9dcb0ed7f2a4
Revises: d11c75509135
Create Date: 2026-11-26 20:12:45.227203
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9dcb0ed7f2a4"
down_revision: str | None = "d11c75509135"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventory_locations",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("site", sa.String(length=120), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_inventory_locations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_locations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_inventory_locations_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_locations")),
        sa.UniqueConstraint(
            "organization_id",
            "site",
            "name",
            name=op.f("uq_inventory_locations_organization_id_site_name"),
        ),
    )
    op.create_table(
        "inventory_products",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("drug", sa.String(length=32), nullable=False),
        sa.Column("form", sa.String(length=60), nullable=False),
        sa.Column("strength", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("mg_per_unit", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("ndc", sa.String(length=20), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_inventory_products_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_products_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_inventory_products_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_products")),
    )
    op.create_table(
        "inventory_counts",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=False),
        sa.Column("explanation", sa.String(length=2000), nullable=True),
        sa.Column("first_signer_id", sa.Uuid(), nullable=True),
        sa.Column("first_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_signer_id", sa.Uuid(), nullable=True),
        sa.Column("second_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_signer_id"],
            ["users.id"],
            name=op.f("fk_inventory_counts_first_signer_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "location_id"],
            ["inventory_locations.organization_id", "inventory_locations.id"],
            name=op.f("fk_inventory_counts_organization_id_location_id_inventory_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_counts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["second_signer_id"],
            ["users.id"],
            name=op.f("fk_inventory_counts_second_signer_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_inventory_counts_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_counts")),
    )
    op.create_table(
        "inventory_lots",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("lot_number", sa.String(length=60), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_inventory_lots_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["inventory_products.organization_id", "inventory_products.id"],
            name=op.f("fk_inventory_lots_organization_id_product_id_inventory_products"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_lots_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_inventory_lots_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_lots")),
        sa.UniqueConstraint(
            "organization_id",
            "product_id",
            "lot_number",
            name=op.f("uq_inventory_lots_organization_id_product_id_lot_number"),
        ),
    )
    op.create_table(
        "inventory_ledger_entries",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("quantity_mg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("balance_after_mg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("witness_id", sa.Uuid(), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=True),
        sa.Column("invoice_number", sa.String(length=60), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("encounter_reference", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("corrects_entry_id", sa.Uuid(), nullable=True),
        sa.Column("related_entry_id", sa.Uuid(), nullable=True),
        sa.Column("dea_form", sa.String(length=2000), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "corrects_entry_id"],
            ["inventory_ledger_entries.organization_id", "inventory_ledger_entries.id"],
            name=op.f(
                "fk_inventory_ledger_entries_organization_id_corrects_entry_id_inventory_ledger_entries"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "location_id"],
            ["inventory_locations.organization_id", "inventory_locations.id"],
            name=op.f(
                "fk_inventory_ledger_entries_organization_id_location_id_inventory_locations"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "lot_id"],
            ["inventory_lots.organization_id", "inventory_lots.id"],
            name=op.f("fk_inventory_ledger_entries_organization_id_lot_id_inventory_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_inventory_ledger_entries_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "related_entry_id"],
            ["inventory_ledger_entries.organization_id", "inventory_ledger_entries.id"],
            name=op.f(
                "fk_inventory_ledger_entries_organization_id_related_entry_id_inventory_ledger_entries"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_ledger_entries_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_inventory_ledger_entries_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["users.id"], name=op.f("fk_inventory_ledger_entries_witness_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_ledger_entries")),
    )
    with op.batch_alter_table("inventory_ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_entries_stock",
            ["organization_id", "lot_id", "location_id", "version"],
            unique=False,
        )
        batch_op.create_index(
            "ix_inventory_entries_time", ["organization_id", "occurred_at"], unique=False
        )

    op.create_table(
        "inventory_lot_balances",
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("balance_mg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "location_id"],
            ["inventory_locations.organization_id", "inventory_locations.id"],
            name=op.f("fk_inventory_lot_balances_organization_id_location_id_inventory_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "lot_id"],
            ["inventory_lots.organization_id", "inventory_lots.id"],
            name=op.f("fk_inventory_lot_balances_organization_id_lot_id_inventory_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_lot_balances_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_lot_balances")),
        sa.UniqueConstraint(
            "organization_id",
            "lot_id",
            "location_id",
            name=op.f("uq_inventory_lot_balances_organization_id_lot_id_location_id"),
        ),
    )
    op.create_table(
        "dosing_sessions",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("drug", sa.String(length=30), nullable=False),
        sa.Column("planned_dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dosing_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_device_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("aborted_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_dosing_sessions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "episode_id"],
            ["episodes.organization_id", "episodes.id"],
            name=op.f("fk_dosing_sessions_organization_id_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "patient_id"],
            ["patients.organization_id", "patients.id"],
            name=op.f("fk_dosing_sessions_organization_id_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "plan_id"],
            ["treatment_plans.organization_id", "treatment_plans.id"],
            name=op.f("fk_dosing_sessions_organization_id_plan_id_treatment_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_sessions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_dosing_sessions_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_sessions")),
    )
    with op.batch_alter_table("dosing_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_sessions_episode",
            ["organization_id", "episode_id", "scheduled_for"],
            unique=False,
        )

    op.create_table(
        "inventory_count_lines",
        sa.Column("count_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("balance_version", sa.Integer(), nullable=False),
        sa.Column("expected_mg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("counted_mg", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("adjustment_entry_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "adjustment_entry_id"],
            ["inventory_ledger_entries.organization_id", "inventory_ledger_entries.id"],
            name=op.f(
                "fk_inventory_count_lines_organization_id_adjustment_entry_id_inventory_ledger_entries"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "count_id"],
            ["inventory_counts.organization_id", "inventory_counts.id"],
            name=op.f("fk_inventory_count_lines_organization_id_count_id_inventory_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "lot_id"],
            ["inventory_lots.organization_id", "inventory_lots.id"],
            name=op.f("fk_inventory_count_lines_organization_id_lot_id_inventory_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_count_lines_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_count_lines")),
        sa.UniqueConstraint(
            "organization_id",
            "count_id",
            "lot_id",
            name=op.f("uq_inventory_count_lines_organization_id_count_id_lot_id"),
        ),
    )
    op.create_table(
        "dosing_checklist_items",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_checklist_items_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_checklist_items_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_checklist_items_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_checklist_items")),
    )
    with op.batch_alter_table("dosing_checklist_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_checklist_items_session",
            ["organization_id", "session_id", "item_key"],
            unique=False,
        )

    op.create_table(
        "dosing_hard_stop_overrides",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("stop_key", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("prescriber_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_hard_stop_overrides_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_hard_stop_overrides_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["users.id"],
            name=op.f("fk_dosing_hard_stop_overrides_prescriber_id_users"),
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "id", name=op.f("pk_dosing_hard_stop_overrides")
        ),
    )
    with op.batch_alter_table("dosing_hard_stop_overrides", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_overrides_session", ["organization_id", "session_id"], unique=False
        )

    op.create_table(
        "dosing_vital_signs",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("client_reading_id", sa.String(length=64), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minute_offset", sa.Integer(), nullable=True),
        sa.Column("sbp", sa.Integer(), nullable=True),
        sa.Column("dbp", sa.Integer(), nullable=True),
        sa.Column("hr", sa.Integer(), nullable=True),
        sa.Column("spo2", sa.Integer(), nullable=True),
        sa.Column("rr", sa.Integer(), nullable=True),
        sa.Column("moaas", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_vital_signs_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_vital_signs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_vital_signs_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_vital_signs")),
        sa.UniqueConstraint(
            "organization_id",
            "session_id",
            "client_reading_id",
            name=op.f("uq_dosing_vital_signs_organization_id_session_id_client_reading_id"),
        ),
    )
    op.create_table(
        "dosing_alerts",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("vital_signs_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_alerts_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_alerts_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "vital_signs_id"],
            ["dosing_vital_signs.organization_id", "dosing_vital_signs.id"],
            name=op.f("fk_dosing_alerts_organization_id_vital_signs_id_dosing_vital_signs"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_alerts_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_alerts")),
    )
    with op.batch_alter_table("dosing_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_alerts_session", ["organization_id", "session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dosing_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_alerts_session")

    op.drop_table("dosing_alerts")
    op.drop_table("dosing_vital_signs")
    with op.batch_alter_table("dosing_hard_stop_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_overrides_session")

    op.drop_table("dosing_hard_stop_overrides")
    with op.batch_alter_table("dosing_checklist_items", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_checklist_items_session")

    op.drop_table("dosing_checklist_items")
    op.drop_table("inventory_count_lines")
    with op.batch_alter_table("dosing_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_sessions_episode")

    op.drop_table("dosing_sessions")
    op.drop_table("inventory_lot_balances")
    with op.batch_alter_table("inventory_ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_entries_time")
        batch_op.drop_index("ix_inventory_entries_stock")

    op.drop_table("inventory_ledger_entries")
    op.drop_table("inventory_lots")
    op.drop_table("inventory_counts")
    op.drop_table("inventory_products")
    op.drop_table("inventory_locations")
