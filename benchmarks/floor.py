"""The raw-SQL floor of the daily check: the same rule queries (the project's own SQL,
compiled once to text), run through the bare driver (sqlite3 or psycopg), writing the
same rows: reminders, answer links, the changed cases, referrals, follow-ups and history
rows, a chunk of findings per transaction. No domain objects, no templates beyond one
f-string: what is left is the database's own work, the cost the check cannot go under."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from clms.adapters.db.check import QUERIES
from clms.adapters.db.tables import CaseRow
from clms.domain.check import CheckRule
from clms.domain.reminders import RUN_ORDER, reminder_rule
from clms.domain.rules import CountryRules

SYSTEM = ("daily-check", "system")
EXPIRE_REFERRAL = (
    "UPDATE referrals SET state = 'expired', ended_at = ? WHERE case_id = ? AND state = 'sent'"
)
MISS_FOLLOW_UP = "UPDATE follow_ups SET state = 'missed' WHERE id = ?"
# What the domain's status derives on save (clms.domain.status), said in SQL: a missed
# visit makes the alternative unsatisfactory from its day; a lost case waits for nobody;
# a case whose referral expired needs a new one within the country's deadline.
COUNT_MISSED = (
    "UPDATE cases SET failed_contacts = failed_contacts + 1, alternative_status = 'unsatisfactory',"
    " next_action_due = CASE WHEN alternative_status = 'unsatisfactory' AND next_action_due > ?"
    " THEN next_action_due ELSE ? END, version = version + 1, updated_at = ? WHERE id = ?"
)
MARK_LOST = (
    "UPDATE cases SET state_before_lost = state, state = 'lost_to_follow_up', state_entered_at = ?,"
    " alternative_status = 'none', next_action_due = NULL, version = version + 1, updated_at = ?"
    " WHERE id = ?"
)
NEEDS_REFERRAL = (
    "UPDATE cases SET alternative_status = 'none', next_action_due = CASE WHEN priority = 'urgent'"
    " THEN ? ELSE {refer_by} END, version = version + 1, updated_at = ? WHERE id = ?"
)
REFER_BY = {
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f000', state_entered_at, '+{days} days')",
    "postgresql": "state_entered_at + interval '{days} days'",
}
HISTORY = (
    "INSERT INTO case_history (case_id, seq, at, actor, role, trigger, from_state, to_state, reason, data)"
    " VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_history WHERE case_id = ?), ?, ?, ?, ?, ?, ?, ?, '{}')"
)
REMINDER = (
    "INSERT INTO reminders (key, case_id, rule, recipient, channel, address, subject, body, payload,"
    " status, attempts, next_attempt_at, last_error, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', 'pending', 0, ?, '', ?) ON CONFLICT (key) DO NOTHING"
)
TOKEN = (
    "INSERT INTO answer_tokens (token_id, case_id, follow_up_id, provider_code, expires_at)"
    " VALUES (?, ?, ?, ?, ?)"
)


class Floor:
    """One run of the check's rules over a database, through a bare DBAPI connection."""

    def __init__(self, engine: Engine, rules: CountryRules, chunk_size: int) -> None:
        self.engine, self.policy, self.chunk_size = engine, rules.check, chunk_size
        self.deadlines = rules.deadlines
        days = REFER_BY[engine.dialect.name].format(days=rules.deadlines.refer_within_days)
        self.needs_referral = NEEDS_REFERRAL.format(refer_by=days)
        self.sqlite = engine.dialect.name == "sqlite"
        self.connection: Any = engine.raw_connection().driver_connection
        if self.sqlite:  # as the project's engine: WAL, synchronous=FULL, one writer
            self.connection.isolation_level = None
            self.connection.execute("PRAGMA synchronous=FULL")
        else:
            self.connection.autocommit = True  # BEGIN and COMMIT as written below
        self.contacts = self._contacts()

    def run(self, now: datetime) -> dict[str, int]:
        found: dict[str, int] = {}
        for rule in RUN_ORDER:
            rows = self._select(rule, now)
            for start in range(0, len(rows), self.chunk_size):
                found[rule.value] = found.get(rule.value, 0) + self._act(
                    rule, rows[start : start + self.chunk_size], now
                )
        self.connection.close()
        return found

    def _select(self, rule: CheckRule, now: datetime) -> list[Any]:
        query = QUERIES[rule.value].select(now, self.policy).order_by(CaseRow.id)  # type: ignore[arg-type]
        compiled = query.compile(
            dialect=self.engine.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = compiled.construct_params()
        processors = compiled._bind_processors  # noqa: SLF001 (the driver's values, as SQLAlchemy binds them)
        values = {k: processors[k](v) if k in processors else v for k, v in params.items()}
        bound = (
            tuple(values[k] for k in compiled.positiontup or ()) if compiled.positional else values
        )
        cursor = self.connection.cursor()
        cursor.execute(str(compiled), bound)
        return cursor.fetchall()

    def _act(self, rule: CheckRule, rows: list[Any], now: datetime) -> int:
        entry = reminder_rule(rule)
        findings = [(row, self._key(rule, row, now)) for row in rows]
        known = self._known([key for _, key in findings])
        new = [(row, key) for row, key in findings if key not in known]
        writes: dict[str, list[tuple[Any, ...]]] = {}
        for row, key in new:
            if entry.change is not None:
                self._change(rule, row, now, writes)
            if entry.audience is not None:
                self._remind(rule, row, key, now, writes)
        self._write(writes)
        return len(new)

    def _key(self, rule: CheckRule, row: Any, now: datetime) -> str:
        due = _day(row[4])
        if rule is CheckRule.TURNED_18:
            due = (
                due.replace(year=due.year + 18)
                if (due.month, due.day) != (2, 29)
                else date(due.year + 18, 3, 1)
            )
        key = f"{row[1]}:{rule.value}:{due.isoformat()}"
        every = self.policy.repeat_every_days.get(rule.value, 0)
        later = reminder_rule(rule).found_after_days
        first = due + timedelta(days=later(self.policy) if later else 0)
        late = (now.date() - first).days
        round_ = late // every if every > 0 and late > 0 else 0
        return f"{key}:{round_}" if round_ else key

    def _known(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        marks = ", ".join([self._mark] * len(keys))
        cursor = self.connection.cursor()
        cursor.execute(f"SELECT key FROM reminders WHERE key IN ({marks})", keys)
        return {row[0] for row in cursor.fetchall()}

    def _change(
        self, rule: CheckRule, row: Any, now: datetime, writes: dict[str, list[tuple[Any, ...]]]
    ) -> None:
        at, case_id = self._stamp(now), row[0]
        if rule is CheckRule.REFERRAL_EXPIRED:
            urgent_by = self._stamp(now + timedelta(hours=self.deadlines.urgent_referral_hours))
            writes.setdefault(EXPIRE_REFERRAL, []).append((at, case_id))
            writes.setdefault(self.needs_referral, []).append((urgent_by, at, case_id))
            history = ("referral_expired", "referred", "referred", f"no answer from {row[7]}")
        elif rule is CheckRule.FOLLOW_UP_MISSED:
            missed_on = self._stamp(datetime.combine(_day(row[4]), time.min, tzinfo=UTC))
            writes.setdefault(MISS_FOLLOW_UP, []).append((row[9],))
            writes.setdefault(COUNT_MISSED, []).append((missed_on, missed_on, at, case_id))
            history = ("follow_up_missed", "in_service", "in_service", "the follow-up was not done")
        else:
            writes.setdefault(MARK_LOST, []).append((at, at, case_id))
            history = ("mark_lost", "in_service", "lost_to_follow_up", "too many follow-ups missed")
        writes.setdefault(HISTORY, []).append((case_id, case_id, at, *SYSTEM, *history))

    def _remind(
        self,
        rule: CheckRule,
        row: Any,
        key: str,
        now: datetime,
        writes: dict[str, list[tuple[Any, ...]]],
    ) -> None:
        audience = reminder_rule(rule).audience
        assert audience is not None
        area = (
            row[7]
            if audience.value == "provider"
            else row[2]
            if audience.area == "district"
            else row[3]
        )
        name, channel, address = self.contacts.get((audience.value, area), ("nobody", "task", ""))
        body = f"{rule.value}: {row[5]} {row[6][:1]}., case {row[1]}, {row[2]}, due {row[4]}"
        at = self._stamp(now)
        writes.setdefault(REMINDER, []).append(
            (key, row[0], rule.value, name, channel, address, rule.value, body, at, at)
        )
        if reminder_rule(rule).answer_link:
            expires = self._stamp(now + timedelta(days=14))
            writes.setdefault(TOKEN, []).append(
                (secrets.token_hex(16), row[0], row[9], row[7], expires)
            )

    def _write(self, writes: dict[str, list[tuple[Any, ...]]]) -> None:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE" if self.sqlite else "BEGIN")
        for statement, rows in writes.items():
            cursor.executemany(statement.replace("?", self._mark), rows)
        cursor.execute("COMMIT")

    @property
    def _mark(self) -> str:
        return "?" if self.sqlite else "%s"

    def _stamp(self, moment: datetime) -> Any:
        """A moment as the project's UTCDateTime stores it: naive UTC."""
        naive = moment.replace(tzinfo=None)
        return naive.isoformat(" ", "microseconds") if self.sqlite else naive

    def _contacts(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        cursor = self.connection.cursor()
        cursor.execute("SELECT role, area, name, phone, email FROM staff")
        staff = {(r[0], r[1]): (r[2], *_channel(r[3], r[4])) for r in cursor.fetchall()}
        cursor.execute("SELECT code, name, phone, email FROM providers")
        providers = {("provider", r[0]): (r[1], *_channel(r[2], r[3])) for r in cursor.fetchall()}
        return staff | providers


def _channel(phone: str, email: str) -> tuple[str, str]:
    return ("sms", phone) if phone else ("email", email) if email else ("task", "")


def _day(due: Any) -> date:
    if isinstance(due, datetime):
        return due.date()
    if isinstance(due, date):
        return due
    return date.fromisoformat(str(due)[:10]) if due else date.min
