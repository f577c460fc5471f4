"""What the use cases need from the outside, as protocols. The database adapter
implements them; tests/fakes.py has hand-written in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from clms.domain.check import CheckRule, Contact, Finding
from clms.domain.model import AlternativeStatus, Case, Provider


@dataclass(frozen=True)
class CaseIndex:
    """The derived columns the periodic check and the lists filter on."""

    alternative_status: AlternativeStatus
    next_action_due: datetime | None


@dataclass(frozen=True)
class ChildKey:
    """What makes two identifications the same child (see clms.domain.names)."""

    district: str
    birth_date: date
    first_key: str
    last_key: str


@dataclass(frozen=True)
class CaseQuery:
    state: str | None = None
    district: str | None = None
    priority: str | None = None
    overdue_at: datetime | None = None  # only cases whose next action was due before this
    limit: int = 100


@dataclass(frozen=True)
class CaseSummary:
    number: str
    name: str
    district: str
    category: str
    priority: str
    state: str
    alternative_status: str
    next_action_due: datetime | None
    version: int


class CaseRepository(Protocol):
    def add(self, case: Case, index: CaseIndex) -> None:
        """Stores a new case and gives it its number."""

    def get(self, number: str) -> Case:
        """Raises NotFound."""

    def save(self, case: Case, index: CaseIndex) -> None:
        """Raises Conflict when the stored version is not `case.version`."""

    def number_of(self, case_id: int) -> str: ...

    def case_for_submission(self, submission_id: str) -> str | None: ...

    def open_case_of(self, child: ChildKey) -> Case | None: ...

    def summaries(self, query: CaseQuery) -> list[CaseSummary]:
        """Overdue first, then urgent, then by next action due."""


class ProviderRepository(Protocol):
    def get(self, code: str) -> Provider:
        """Raises NotFound."""

    def add(self, provider: Provider) -> None: ...

    def all(self) -> list[Provider]: ...


class UnitOfWork(Protocol):
    # Read-only members, so that an adapter's own repository types satisfy them.
    @property
    def cases(self) -> CaseRepository: ...

    @property
    def providers(self) -> ProviderRepository: ...

    @property
    def check(self) -> CheckQueries: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def staff(self) -> Staff: ...

    @property
    def tokens(self) -> AnswerTokens: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@dataclass(frozen=True)
class OutgoingMessage:
    """One reminder on its way out. The same `idempotency_key` is sent with every attempt,
    so that a receiver can drop a duplicate after a crash between sending and recording."""

    idempotency_key: str
    channel: str  # "sms", "email" or "webhook"
    to: str  # a phone number, an e-mail address or a webhook URL
    subject: str
    body: str
    payload: dict[str, object] | None = None  # the JSON document a webhook posts


@dataclass(frozen=True)
class Delivery:
    """What became of one attempt: `sent`, `retry` (later; `retry_after` seconds if the
    receiver said so) or `permanent` (never retry: the reason goes to the dead letters)."""

    outcome: str
    detail: str = ""
    retry_after: float | None = None

    @classmethod
    def sent(cls, detail: str = "") -> Delivery:
        return cls("sent", detail)

    @classmethod
    def retry(cls, detail: str, retry_after: float | None = None) -> Delivery:
        return cls("retry", detail, retry_after)

    @classmethod
    def permanent(cls, detail: str) -> Delivery:
        return cls("permanent", detail)


class MessageSender(Protocol):
    """An adapter that delivers one channel. It never raises for a delivery problem: it
    says what happened, so the outbox can decide to retry or give up."""

    channel: str

    def send(self, message: OutgoingMessage) -> Delivery: ...


@dataclass(frozen=True)
class NewReminder:
    key: str
    case_id: int
    rule: str
    recipient: str
    channel: str
    address: str
    subject: str
    body: str
    payload: dict[str, object]
    status: str
    created_at: datetime


@dataclass(frozen=True)
class StoredReminder:
    id: int
    key: str
    case_number: str
    rule: str
    recipient: str
    channel: str
    address: str
    subject: str
    body: str
    payload: dict[str, object]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str
    area: str  # a district code; a region for a supervisor
    phone: str = ""
    email: str = ""
    language: str = "ru"


@dataclass(frozen=True)
class AnswerToken:
    token_id: str
    case_id: int
    follow_up_id: int
    provider_code: str
    expires_at: datetime
    used_at: datetime | None = None


class CheckQueries(Protocol):
    def candidate_ids(self, rule: CheckRule, now: datetime, region: str | None) -> list[int]: ...

    def findings(self, rule: CheckRule, case_ids: list[int], now: datetime) -> list[Finding]: ...


class Outbox(Protocol):
    def add(self, reminders: list[NewReminder]) -> int:
        """Inserts those whose key is new; returns how many."""

    def known_keys(self, keys: list[str]) -> set[str]: ...

    def claim(
        self, worker: str, now: datetime, limit: int, lease_seconds: float, channels: list[str]
    ) -> list[StoredReminder]: ...

    def settle(self, reminder_id: int, worker: str, **values: object) -> bool: ...

    def requeue_dead(self, ids: list[int] | None, now: datetime) -> int: ...

    def listing(self, status: str | None, limit: int) -> list[StoredReminder]: ...


class Staff(Protocol):
    def add(self, member: StaffMember) -> None: ...

    def all(self) -> list[StaffMember]: ...

    def contact(self, role: str, area: str) -> Contact | None: ...


class AnswerTokens(Protocol):
    def add(self, token: AnswerToken) -> None: ...

    def get(self, token_id: str) -> AnswerToken | None: ...

    def use(self, token_id: str, now: datetime) -> bool: ...

    def record_report(self, token: AnswerToken, answer: str, now: datetime) -> None: ...
