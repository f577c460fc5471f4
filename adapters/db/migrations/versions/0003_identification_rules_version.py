"""identifications record the version of the country rules that classified them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Identifications made before this revision keep "": their reasons, stored as text,
    # still say why; the version says which rules, and is unknown for them.
    with op.batch_alter_table("identifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rules_version", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("identifications", schema=None) as batch_op:
        batch_op.drop_column("rules_version")
