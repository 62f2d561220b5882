"""iv concentration

Revision ID: 641003ed973a
Revises: 4cb381962171
Create Date: 2026-12-07 11:31:38.873667
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "641003ed973a"
down_revision: str | None = "4cb381962171"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("protocol_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("iv_concentration_mg_per_ml", sa.Numeric(precision=6, scale=2), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("protocol_templates", schema=None) as batch_op:
        batch_op.drop_column("iv_concentration_mg_per_ml")
