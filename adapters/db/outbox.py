"""The outbox on the database: reminders written once per key, claimed by one deliverer
at a time, settled with their outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from clms.adapters.db.bulk import execute_many
from clms.adapters.db.case_mapping import shallow_fields
from clms.adapters.db.tables import CaseRow, ReminderRow
from clms.domain.outbox import ReminderStatus
from clms.ports import NewReminder, StoredReminder

_REMINDERS = ReminderRow.__table__  # type: ignore[attr-defined]
# Constants: execute_many compiles each once per process.
_INSERT_NEW = {
    "postgresql": postgres_insert(_REMINDERS).on_conflict_do_nothing(index_elements=["key"]),
    "sqlite": sqlite_insert(_REMINDERS).on_conflict_do_nothing(index_elements=["key"]),
}


def _new_reminder(session: Session) -> Any:
    return _INSERT_NEW[session.get_bind().dialect.name]


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, reminders: list[NewReminder]) -> int:
        """Inserts the reminders whose key is new; returns how many. The key is what makes
        a second check run for the same day write nothing."""
        if not reminders:
            return 0
        rows = [
            {**shallow_fields(r), "next_attempt_at": r.created_at, "attempts": 0, "last_error": ""}
            for r in reminders
        ]
        return execute_many(self.session, _new_reminder(self.session), rows)

    def pending_by_channel(self) -> dict[str, int]:
        query = (
            select(col(ReminderRow.channel), func.count())
            .where(col(ReminderRow.status) == ReminderStatus.PENDING)
            .group_by(col(ReminderRow.channel))
        )
        return {channel: count for channel, count in self.session.execute(query)}

    def known_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        # Through the driver: SQLAlchemy would compile a parameter name for each of the
        # thousands of keys of a chunk, anew each time.
        connection = self.session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * len(keys))
        rows = connection.exec_driver_sql(
            f"SELECT key FROM reminders WHERE key IN ({marks})", tuple(keys)
        )
        return {row[0] for row in rows}

    def claim(
        self, worker: str, now: datetime, limit: int, lease_seconds: float, channels: list[str]
    ) -> list[StoredReminder]:
        """Takes up to `limit` due reminders for `worker` until the lease ends. Two workers
        never get the same row: SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite.
        Only `channels` with an adapter are claimed: the others wait, untouched."""
        due = (
            select(col(ReminderRow.id))
            .where(
                col(ReminderRow.status) == ReminderStatus.PENDING,
                col(ReminderRow.channel).in_(channels),
                col(ReminderRow.next_attempt_at) <= now,
                (col(ReminderRow.claimed_until).is_(None)) | (col(ReminderRow.claimed_until) < now),
            )
            .order_by(col(ReminderRow.next_attempt_at), col(ReminderRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = [row[0] for row in self.session.execute(due)]
        if not ids:
            return []
        lease = now + timedelta(seconds=lease_seconds)
        self.session.execute(
            update(ReminderRow)
            .where(col(ReminderRow.id).in_(ids))
            .values(claimed_by=worker, claimed_until=lease)
        )
        return self.by_ids(ids)

    def settle(self, reminder_id: int, worker: str, **values: Any) -> bool:
        """Records an attempt's outcome, only if `worker` still holds the claim."""
        statement = (
            update(ReminderRow)
            .where(col(ReminderRow.id) == reminder_id, col(ReminderRow.claimed_by) == worker)
            .values(claimed_by=None, claimed_until=None, **values)
        )
        return bool(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def requeue_dead(self, ids: list[int] | None, now: datetime) -> int:
        """Dead reminders back in the queue (after the contact or the gateway was fixed)."""
        statement = update(ReminderRow).where(col(ReminderRow.status) == ReminderStatus.DEAD)
        if ids is not None:
            statement = statement.where(col(ReminderRow.id).in_(ids))
        values = {"status": ReminderStatus.PENDING, "attempts": 0, "next_attempt_at": now}
        return int(self.session.execute(statement.values(**values)).rowcount)  # type: ignore[attr-defined]

    def by_ids(self, ids: list[int]) -> list[StoredReminder]:
        return self._stored(
            select(ReminderRow, col(CaseRow.number)).where(col(ReminderRow.id).in_(ids))
        )

    def listing(
        self, status: str | None, limit: int, case_number: str | None = None
    ) -> list[StoredReminder]:
        query = select(ReminderRow, col(CaseRow.number))
        if status is not None:
            query = query.where(col(ReminderRow.status) == status)
        if case_number is not None:
            query = query.where(col(CaseRow.number) == case_number)
        return self._stored(query.order_by(col(ReminderRow.id).desc()).limit(limit))

    def _stored(self, query: Any) -> list[StoredReminder]:
        joined = query.join(CaseRow, col(CaseRow.id) == col(ReminderRow.case_id))
        return [_stored(row, number) for row, number in self.session.execute(joined)]


def _stored(row: ReminderRow, number: str) -> StoredReminder:
    assert row.id is not None
    return StoredReminder(
        row.id,
        row.key,
        number,
        row.rule,
        row.recipient,
        row.channel,
        row.address,
        row.subject,
        row.body,
        dict(row.payload),
        row.status,
        row.attempts,
        row.next_attempt_at,
        row.last_error,
        row.created_at,
        row.sent_at,
    )
