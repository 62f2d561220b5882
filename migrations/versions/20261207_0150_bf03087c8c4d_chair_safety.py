"""chair safety

Revision ID: bf03087c8c4d
Revises: 15e62e0bec81
Create Date: 2026-12-07 01:50:25.750724
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bf03087c8c4d"
down_revision: str | None = "15e62e0bec81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dea_registration", sa.String(length=9), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("dea_registration")

    with op.batch_alter_table("inventory_ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("supplier_dea_registration")
        batch_op.drop_column("supplier_address")
        batch_op.drop_column("witness_method")

    with op.batch_alter_table("inventory_count_lines", schema=None) as batch_op:
        batch_op.drop_column("container_units")
        batch_op.drop_column("estimated")

    with op.batch_alter_table("dosing_administrations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_dosing_administrations_reconciled_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("reconciled_by_id")
        batch_op.drop_column("reconciled_at")
        batch_op.drop_column("undelivered_disposition")
        batch_op.drop_column("undelivered_mg")
