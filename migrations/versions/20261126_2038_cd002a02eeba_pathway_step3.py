"""pathway step3

Revision ID: cd002a02eeba
Revises: 9dcb0ed7f2a4
Create Date: 2026-11-26 20:38:47.751765
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cd002a02eeba"
down_revision: str | None = "9dcb0ed7f2a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dosing_threshold_sets",
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
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_threshold_sets_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_threshold_sets_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_threshold_sets_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_threshold_sets")),
        sa.UniqueConstraint(
            "organization_id",
            "set_version",
            name=op.f("uq_dosing_threshold_sets_organization_id_set_version"),
        ),
    )
    op.create_table(
        "dosing_administrations",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("drug", sa.String(length=30), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("product_name", sa.String(length=120), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("lot_number", sa.String(length=60), nullable=False),
        sa.Column("lot_expiry", sa.Date(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("concentration_mg_per_ml", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("delivered_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("waste_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("volume_ml", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("infusion_minutes", sa.Integer(), nullable=True),
        sa.Column("rate_ml_per_hour", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("calculation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("administered_by_id", sa.Uuid(), nullable=False),
        sa.Column("witness_id", sa.Uuid(), nullable=True),
        sa.Column("ledger_entry_id", sa.Uuid(), nullable=True),
        sa.Column("dose_override_reason", sa.Text(), nullable=True),
        sa.Column("dose_override_by_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["administered_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_administrations_administered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_administrations_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["dose_override_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_administrations_dose_override_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "location_id"],
            ["inventory_locations.organization_id", "inventory_locations.id"],
            name=op.f("fk_dosing_administrations_organization_id_location_id_inventory_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "lot_id"],
            ["inventory_lots.organization_id", "inventory_lots.id"],
            name=op.f("fk_dosing_administrations_organization_id_lot_id_inventory_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_administrations_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_administrations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_administrations_updated_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["users.id"], name=op.f("fk_dosing_administrations_witness_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_administrations")),
        sa.UniqueConstraint(
            "organization_id",
            "session_id",
            name=op.f("uq_dosing_administrations_organization_id_session_id"),
        ),
    )
    op.create_table(
        "dosing_adverse_events",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("onset_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("rescue_drug", sa.String(length=60), nullable=True),
        sa.Column("rescue_dose", sa.String(length=60), nullable=True),
        sa.Column("rescue_given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_adverse_events_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_adverse_events_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_adverse_events_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_adverse_events_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_adverse_events")),
    )
    with op.batch_alter_table("dosing_adverse_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_adverse_events_session", ["organization_id", "session_id"], unique=False
        )

    op.create_table(
        "dosing_devices",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("given_by_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["given_by_id"], ["users.id"], name=op.f("fk_dosing_devices_given_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_devices_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_devices_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_devices")),
        sa.UniqueConstraint(
            "organization_id",
            "session_id",
            "number",
            name=op.f("uq_dosing_devices_organization_id_session_id_number"),
        ),
    )
    op.create_table(
        "dosing_infusion_events",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rate_ml_per_hour", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_infusion_events_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_infusion_events_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_infusion_events_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_infusion_events")),
    )
    with op.batch_alter_table("dosing_infusion_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_infusion_events_session",
            ["organization_id", "session_id", "at"],
            unique=False,
        )

    op.create_table(
        "dosing_observations",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("client_entry_id", sa.String(length=64), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minute_offset", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_observations_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_observations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_observations_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_observations")),
        sa.UniqueConstraint(
            "organization_id",
            "session_id",
            "client_entry_id",
            name=op.f("uq_dosing_observations_organization_id_session_id_client_entry_id"),
        ),
    )
    with op.batch_alter_table("dosing_observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_observations_session",
            ["organization_id", "session_id", "observed_at"],
            unique=False,
        )

    op.create_table(
        "dosing_rems_forms",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("contents", sa.JSON(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("confirmation_number", sa.String(length=60), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_dosing_rems_forms_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
            name=op.f("fk_dosing_rems_forms_organization_id_session_id_dosing_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dosing_rems_forms_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_dosing_rems_forms_submitted_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_dosing_rems_forms_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_dosing_rems_forms")),
        sa.UniqueConstraint(
            "organization_id",
            "session_id",
            name=op.f("uq_dosing_rems_forms_organization_id_session_id"),
        ),
    )
    with op.batch_alter_table("dosing_rems_forms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dosing_rems_forms_due", ["organization_id", "submitted_on", "due_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dosing_rems_forms", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_rems_forms_due")

    op.drop_table("dosing_rems_forms")
    with op.batch_alter_table("dosing_observations", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_observations_session")

    op.drop_table("dosing_observations")
    with op.batch_alter_table("dosing_infusion_events", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_infusion_events_session")

    op.drop_table("dosing_infusion_events")
    op.drop_table("dosing_devices")
    with op.batch_alter_table("dosing_adverse_events", schema=None) as batch_op:
        batch_op.drop_index("ix_dosing_adverse_events_session")

    op.drop_table("dosing_adverse_events")
    op.drop_table("dosing_administrations")
    op.drop_table("dosing_threshold_sets")
