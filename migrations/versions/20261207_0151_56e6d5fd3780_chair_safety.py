"""chair safety

Revision ID: 56e6d5fd3780
Revises: 15e62e0bec81
Create Date: 2026-12-07 01:51:33.411420
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "56e6d5fd3780"
down_revision: str | None = "15e62e0bec81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("height_cm", sa.Numeric(precision=4, scale=1), nullable=True))

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

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("height_cm")
