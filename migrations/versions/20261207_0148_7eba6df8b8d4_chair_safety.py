"""chair safety

Revision ID: 7eba6df8b8d4
Revises: 15e62e0bec81
Create Date: 2026-12-07 01:48:36.996561
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7eba6df8b8d4"
down_revision: str | None = "15e62e0bec81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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


def downgrade() -> None:
    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rule_sets_approved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("loosening")
        batch_op.drop_column("compared_with")
        batch_op.drop_column("approval")

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
