"""sign in controls

Revision ID: 250757f3316c
Revises: 641003ed973a
Create Date: 2026-12-07 11:43:54.712629
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "250757f3316c"
down_revision: str | None = "641003ed973a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every token expires now: one that never did gets the default limit from today.
    api_tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(
        api_tokens.update()
        .where(api_tokens.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=90))
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlocked_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("client_address", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_login_attempts_client_address"), ["client_address"], unique=False
        )

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("personal_token_max_days", sa.Integer(), server_default="90", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("personal_token_max_days")

    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_client_address"))
        batch_op.drop_column("client_address")
        batch_op.drop_column("unlocked_by_id")
