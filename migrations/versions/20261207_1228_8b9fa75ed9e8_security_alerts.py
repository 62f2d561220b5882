"""security alerts

Revision ID: 8b9fa75ed9e8
Revises: 250757f3316c
Create Date: 2026-12-07 12:28:02.266892
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b9fa75ed9e8"
down_revision: str | None = "250757f3316c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "security_alerts",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_security_alerts_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_security_alerts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_security_alerts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_security_alerts")),
    )
    with op.batch_alter_table("security_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_security_alerts_open", ["organization_id", "acknowledged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("security_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_security_alerts_open")

    op.drop_table("security_alerts")
