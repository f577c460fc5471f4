"""possible duplicates: new cases whose child may be an earlier case's, for a person to decide

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:28:33.527931
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table: the cases already stored are not compared with each other; flags are
    # raised when a new case is opened.
    op.create_table(
        "possible_duplicates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("new_case_id", sa.Integer(), nullable=False),
        sa.Column("old_case_id", sa.Integer(), nullable=False),
        sa.Column("resemblance", sa.String(length=32), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["new_case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["old_case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("new_case_id", "old_case_id", name="uq_possible_duplicates_pair"),
    )
    with op.batch_alter_table("possible_duplicates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_possible_duplicates_old_case_id"), ["old_case_id"], unique=False
        )
        batch_op.create_index(
            "ix_possible_duplicates_status_flagged", ["status", "flagged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("possible_duplicates", schema=None) as batch_op:
        batch_op.drop_index("ix_possible_duplicates_status_flagged")
        batch_op.drop_index(batch_op.f("ix_possible_duplicates_old_case_id"))
    op.drop_table("possible_duplicates")
