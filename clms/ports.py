"""What the use cases need from the outside, as protocols. The database adapter
implements them; tests/fakes.py has hand-written in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol

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
    cases: CaseRepository
    providers: ProviderRepository

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
