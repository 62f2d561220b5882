"""chair safety

Revision ID: 3d469d582641
Revises: 15e62e0bec81
Create Date: 2026-12-07 01:51:39.331725
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3d469d582641"
down_revision: str | None = "15e62e0bec81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("followup_urgent_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalates_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("risk_level", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("safety_plan_reviewed", sa.Boolean(), nullable=True))
        batch_op.create_index(
            "ix_followup_urgent_alerts_patient",
            ["organization_id", "patient_id", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("followup_urgent_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_urgent_alerts_patient")
        batch_op.drop_column("safety_plan_reviewed")
        batch_op.drop_column("risk_level")
        batch_op.drop_column("escalates_at")
