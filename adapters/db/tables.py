"""The tables (SQLModel). Column types are plain so SQLite and PostgreSQL both work;
every time is stored in UTC and comes back timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, false, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite forgets time zones: store naive UTC, give back aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every time must carry its time zone")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_state_due", "state", "next_action_due"),
        Index("ix_cases_district_state", "district", "state"),
        Index("ix_cases_child", "country", "district", "birth_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=32)
    country: str = Field(max_length=8)
    district: str = Field(max_length=32)
    region: str = Field(max_length=64, index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    first_key: str = Field(max_length=100)
    last_key: str = Field(max_length=100)
    birth_date: date
    sex: str = Field(max_length=1)
    category: str = Field(max_length=32)
    priority: str = Field(max_length=16, index=True)
    state: str = Field(max_length=32)
    state_entered_at: datetime | None = _utc()
    state_before_lost: str | None = Field(default=None, max_length=32)
    alternative_status: str = Field(max_length=16, index=True)
    next_action_due: datetime | None = _utc(index=True)
    # Added by migration 0004 to a table that may hold rows: a server default, as there.
    ready_to_close: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    closure_reason: str | None = Field(default=None, max_length=16)
    assessed_at: datetime | None = _utc()
    assessment: str = ""
    service_started_on: date | None = None
    relapses: int = 0
    failed_contacts: int = 0
    opened_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)
    version: int = 0


class IdentificationRow(SQLModel, table=True):
    __tablename__ = "identifications"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(unique=True, max_length=128)
    case_id: int = Field(foreign_key="cases.id", index=True)
    monitor: str = Field(max_length=100)
    observed_at: datetime = _utc(nullable=False)
    recorded_at: datetime = _utc(nullable=False)
    observation: dict[str, Any] = _json()
    category: str = Field(max_length=32)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The version of the country rules that classified it ("" before migration 0003).
    rules_version: str = Field(
        default="", max_length=64, sa_column_kwargs={"server_default": text("''")}
    )


class PossibleDuplicateRow(SQLModel, table=True):
    """A new case whose child may be an earlier case's child, for a person to confirm or
    dismiss. Kept when decided: a dismissed pair is not flagged again."""

    __tablename__ = "possible_duplicates"
    __table_args__ = (
        UniqueConstraint("new_case_id", "old_case_id", name="uq_possible_duplicates_pair"),
        Index("ix_possible_duplicates_status_flagged", "status", "flagged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    new_case_id: int = Field(foreign_key="cases.id")  # indexed by the pair's unique key
    old_case_id: int = Field(foreign_key="cases.id", index=True)
    resemblance: str = Field(max_length=32)
    flagged_at: datetime = _utc(nullable=False)
    status: str = Field(max_length=16)
    decided_by: str = Field(default="", max_length=100)
    decided_at: datetime | None = _utc()
    decision: str = ""


class ReferralRow(SQLModel, table=True):
    __tablename__ = "referrals"
    # The check joins a case to its live or started referral: by case, then state.
    __table_args__ = (Index("ix_referrals_case_state", "case_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    provider_code: str = Field(foreign_key="providers.code", max_length=32)
    service_type: str = Field(max_length=32)
    state: str = Field(max_length=16, index=True)
    proposed_at: datetime = _utc(nullable=False)
    due_at: datetime = _utc(nullable=False, index=True)
    override_reason: str = ""
    answered_at: datetime | None = _utc()
    started_on: date | None = None
    ended_at: datetime | None = _utc()
    answer_note: str = ""


class FollowUpRow(SQLModel, table=True):
    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_state_due", "state", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    due_on: date
    state: str = Field(max_length=16)
    done_on: date | None = None
    attending: bool | None = None
    working: bool | None = None
    note: str = ""
    evidence: str = ""


class HistoryRow(SQLModel, table=True):
    """Append-only: the migration adds triggers that refuse UPDATE and DELETE."""

    __tablename__ = "case_history"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_history_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    seq: int
    at: datetime = _utc(nullable=False)
    actor: str = Field(max_length=100)
    role: str = Field(max_length=32)
    trigger: str = Field(max_length=32)
    from_state: str = Field(max_length=32)
    to_state: str = Field(max_length=32)
    reason: str = ""
    data: dict[str, Any] = _json()


class ProviderRow(SQLModel, table=True):
    __tablename__ = "providers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=200)
    district: str = Field(max_length=32)
    phone: str = ""
    email: str = ""
    # Migration 0002 added these two to a table that may hold rows, so it gave them server
    # defaults; they are declared here too, so that the tables describe the migrated schema.
    # The empty one is written as SQL: Alembic's SQLite comparison cannot unquote a plain
    # "" and would report it as drift.
    webhook_url: str = Field(  # a school information system that takes attendance checks
        default="", sa_column_kwargs={"server_default": text("''")}
    )
    language: str = Field(default="ru", max_length=8, sa_column_kwargs={"server_default": "ru"})
    # A removed provider keeps its row: the past referrals name it by its code.
    removed_at: datetime | None = _utc()


class OfferRow(SQLModel, table=True):
    """A provider offers a service type in a district (the directory's searchable part)."""

    __tablename__ = "provider_offers"
    __table_args__ = (Index("ix_offers_district_type", "district", "service_type"),)

    provider_code: str = Field(foreign_key="providers.code", primary_key=True, max_length=32)
    service_type: str = Field(primary_key=True, max_length=32)
    district: str = Field(primary_key=True, max_length=32)


class StaffRow(SQLModel, table=True):
    """Who gets the reminders: social workers by district, supervisors by region."""

    __tablename__ = "staff"
    __table_args__ = (Index("ix_staff_role_area", "role", "area"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=32)
    area: str = Field(max_length=64)  # a district code, or a region for a supervisor
    phone: str = ""
    email: str = ""
    language: str = Field(default="ru", max_length=8)


class ReminderRow(SQLModel, table=True):
    """The outbox: written in the same transaction as the decision that needs it, then
    delivered (and retried) by the delivery flow. `key` makes the check idempotent."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)  # case, rule, due date (and recipient)
    case_id: int = Field(foreign_key="cases.id", index=True)
    rule: str = Field(max_length=40)
    recipient: str = Field(max_length=200)  # who, in words: "School No. 12", "social worker A. S."
    channel: str = Field(max_length=16)  # sms, email, webhook, or task (no usable contact)
    address: str = ""
    subject: str = ""
    body: str = ""
    payload: dict[str, Any] = _json()
    status: str = Field(max_length=16)  # pending, sent, dead, task
    attempts: int = 0
    next_attempt_at: datetime = _utc(nullable=False)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = _utc()
    last_error: str = ""
    created_at: datetime = _utc(nullable=False)
    sent_at: datetime | None = _utc()


class AnswerTokenRow(SQLModel, table=True):
    """A school's one-click answer link: single use, expiring. The token itself is signed;
    this row is what makes it single-use."""

    __tablename__ = "answer_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_id: str = Field(unique=True, max_length=64)
    case_id: int = Field(foreign_key="cases.id", index=True)
    follow_up_id: int = Field(foreign_key="follow_ups.id")
    provider_code: str = Field(max_length=32)
    expires_at: datetime = _utc(nullable=False)
    used_at: datetime | None = _utc()


class AttendanceReportRow(SQLModel, table=True):
    __tablename__ = "attendance_reports"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    follow_up_id: int = Field(foreign_key="follow_ups.id")
    provider_code: str = Field(max_length=32)
    answer: str = Field(max_length=32)
    answered_at: datetime = _utc(nullable=False)


class UserRow(SQLModel, table=True):
    """A person who logs in (clms.domain.access.User); the password only as its hash."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    area: str = Field(default="", max_length=64)  # district, region or provider code
    language: str = Field(default="ru", max_length=8)
    failed_logins: int = 0
    locked_until: datetime | None = _utc()
    disabled_at: datetime | None = _utc()
    created_at: datetime = _utc(nullable=False)


class SessionRow(SQLModel, table=True):
    """A login: a page session or an API token. Only the token's SHA-256 is kept, so a copy
    of the database opens no session."""

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    kind: str = Field(max_length=8)  # page or api
    created_at: datetime = _utc(nullable=False)
    expires_at: datetime = _utc(nullable=False)
    revoked_at: datetime | None = _utc()


class AccessLogRow(SQLModel, table=True):
    """Every read of a child's record and every refused access: who, when, what, which
    case. Never a child's name."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(nullable=False, index=True)
    username: str = Field(max_length=64, index=True)
    role: str = Field(max_length=32)
    action: str = Field(max_length=40)
    case_number: str = Field(default="", max_length=32, index=True)
    allowed: bool
    reason: str = ""


class SettingRow(SQLModel, table=True):
    """What the installation is: `mode` is "simulation" for the demo and the tests, where
    a command may act at a time it names; otherwise the data is real."""

    __tablename__ = "installation"

    key: str = Field(primary_key=True, max_length=32)
    value: str = Field(max_length=200)
