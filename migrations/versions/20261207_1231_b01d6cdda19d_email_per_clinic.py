"""email per clinic

Revision ID: b01d6cdda19d
Revises: 8b9fa75ed9e8
Create Date: 2026-12-07 12:31:50.539457
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b01d6cdda19d"
down_revision: str | None = "8b9fa75ed9e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_email"), type_="unique")
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_organization_id_email"), ["organization_id", "email"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_organization_id_email"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_users_email"))
        batch_op.create_unique_constraint(batch_op.f("uq_users_email"), ["email"])
