"""a provider removed from the directory keeps its row (removed_at)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The past referrals name a provider by its code (a foreign key): a removed provider's
    # row stays, marked, so that they keep pointing at it.
    # Not a batch: on SQLite that may copy the table, which the referrals point at.
    op.add_column("providers", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Without the mark, the removed providers are listed again (with no offers).
    # SQLite (3.35+) drops a plain column in place, as PostgreSQL does.
    op.execute("ALTER TABLE providers DROP COLUMN removed_at")
