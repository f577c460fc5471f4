"""case_history refuses INSERT OR REPLACE on SQLite

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On SQLite, INSERT OR REPLACE (and REPLACE INTO) that meets an existing row deletes it
# without firing the delete trigger (recursive_triggers is off), so history could be
# rewritten by a hand-written query. An insert that would meet an existing row is refused
# before it happens. NEW.id is undefined (not an existing id) when SQLite picks the id.
# PostgreSQL has no REPLACE: its ON CONFLICT DO UPDATE is an UPDATE, which is refused.
NO_REPLACE = """CREATE TRIGGER case_history_no_replace BEFORE INSERT ON case_history
WHEN EXISTS (SELECT 1 FROM case_history WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM case_history WHERE case_id = NEW.case_id AND seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'case_history is append-only'); END"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER case_history_no_replace")
