"""cases record whether they are ready to close (in service, the closing rule met)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Cases stored before this revision read "not ready" until they are next saved (any
    # change, or the daily check acting on them): the rule is the domain's, not SQL's.
    # Not a batch: on SQLite that may copy the table, and `cases` is referenced by every
    # other table; both databases add a column with a default in place.
    op.add_column(
        "cases",
        sa.Column("ready_to_close", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # SQLite (3.35+) drops a plain column in place, as PostgreSQL does.
    op.execute("ALTER TABLE cases DROP COLUMN ready_to_close")
