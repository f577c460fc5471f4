"""a provider removed from the directory keeps its row (removed_at)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The past referrals name a provider by its code (a foreign key): a removed provider's
    # row stays, marked, so that they keep pointing at it.
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Without the mark, the removed providers are listed again (with no offers).
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
