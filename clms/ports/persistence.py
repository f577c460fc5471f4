"""What the use cases need from storage, as protocols. The database adapter (clms.adapters.db)
implements them; tests/fakes.py has hand-written in-memory fakes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from clms.domain.access import CaseScope, User
from clms.domain.check import CheckRule, Contact, Finding
from clms.domain.duplicates import ChildKey as ChildKey  # re-exported: ports name it
from clms.domain.duplicates import EarlierCase, FlagStatus, PossibleDuplicate
from clms.domain.model import AlternativeStatus, Case, Provider
from clms.ports.read_models import CaseQuery, CaseSummary, StoredReminder, Submission


@dataclass(frozen=True)
class CaseIndex:
    """The derived columns the periodic check and the lists filter on."""

    alternative_status: AlternativeStatus
    next_action_due: datetime | None
    ready_to_close: bool = False  # in service and its closing rule met


class CaseRepository(Protocol):
    def add(self, case: Case, index: CaseIndex) -> None:
        """Stores a new case and gives it its number."""

    def get(self, number: str) -> Case:
        """Raises NotFound."""

    def save(self, case: Case, index: CaseIndex) -> None:
        """Raises Conflict when the stored version is not `case.version`."""

    def get_many(self, case_ids: list[int]) -> dict[int, Case]:
        """The cases with those ids, by id, held for this transaction's save_many."""

    def save_many(self, changed: list[tuple[Case, CaseIndex]]) -> None:
        """Stores them all, as save does each; raises Conflict when any was changed meanwhile."""

    def number_of(self, case_id: int) -> str: ...

    def case_for_submission(self, submission_id: str) -> str | None: ...

    def open_case_of(self, child: ChildKey) -> Case | None: ...

    def serialize_identification(self, neighbourhood: str) -> None:
        """Until this transaction ends, waits for and then holds back every other
        transaction that asks with the same `neighbourhood` (clms.domain.duplicates)."""

    def earlier_cases_like(self, child: ChildKey) -> list[EarlierCase]:
        """The cases, open or not, whose child may be `child` by a rule of
        clms.domain.duplicates (a few more may come; none that could match is left out)."""

    def children_said_to_differ(self, child: ChildKey) -> frozenset[ChildKey]:
        """The keys of the children a person said are not `child` (dismissed flags)."""

    def move_identifications(self, from_case: Case, to_case: Case) -> None:
        """The identifications stored on `from_case` now belong to `to_case`."""

    def add_possible_duplicates(self, flags: list[PossibleDuplicate]) -> None: ...

    def possible_duplicate(self, new_case: str, old_case: str) -> PossibleDuplicate:
        """Raises NotFound."""

    def possible_duplicates(self, status: FlagStatus | None, limit: int) -> list[PossibleDuplicate]:
        """Newest first."""

    def settle_possible_duplicate(self, flag: PossibleDuplicate) -> None:
        """Stores the decision; raises Conflict when the flag was decided meanwhile."""

    def summaries(self, query: CaseQuery) -> list[CaseSummary]:
        """Overdue first, then urgent, then by next action due."""

    def submissions_of(self, monitor: str, limit: int) -> list[Submission]:
        """The identifications `monitor` submitted, newest first."""

    def referred_to(self, provider: str, states: Collection[str]) -> list[str]:
        """The numbers of the cases with a referral to `provider` in one of `states`."""

    def scope_of(self, number: str) -> CaseScope:
        """Where the case is, for the access check; raises NotFound."""


class ProviderRepository(Protocol):
    """The providers in the directory. A removed one is neither got nor listed, but its code
    stays taken: the past referrals to it keep it."""

    def get(self, code: str) -> Provider:
        """Raises NotFound."""

    def add(self, provider: Provider) -> None: ...

    def all(self) -> list[Provider]: ...

    def save(self, provider: Provider) -> None:
        """Its details and offers become `provider`'s; the code names which."""

    def remove(self, code: str, now: datetime) -> None: ...

    def removed_at(self, code: str) -> datetime | None:
        """When the provider `code` was removed; None if it is listed or unknown."""


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

    @property
    def accounts(self) -> Accounts: ...

    @property
    def access_log(self) -> AccessLog: ...

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
class StaffMember:
    name: str
    role: str
    area: str  # a district code; a region for a supervisor
    phone: str = ""
    email: str = ""
    language: str = "ru"
    id: int | None = None  # given when stored; how a command names the member


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

    def pending_by_channel(self) -> dict[str, int]: ...

    def listing(
        self, status: str | None, limit: int, case_number: str | None = None
    ) -> list[StoredReminder]: ...


class Staff(Protocol):
    def add(self, member: StaffMember) -> StaffMember:
        """Stores a new member; returns it with its id."""

    def get(self, member_id: int) -> StaffMember:
        """Raises NotFound."""

    def save(self, member: StaffMember) -> None: ...

    def remove(self, member_id: int) -> None: ...

    def all(self) -> list[StaffMember]: ...

    def contact(self, role: str, area: str) -> Contact | None: ...


class AnswerTokens(Protocol):
    def add(self, token: AnswerToken) -> None: ...

    def get(self, token_id: str) -> AnswerToken | None: ...

    def use(self, token_id: str, now: datetime) -> bool: ...

    def record_report(self, token: AnswerToken, answer: str, now: datetime) -> None: ...


@dataclass(frozen=True)
class Account:
    """A user as stored, with what logging in needs."""

    user: User
    password_hash: str
    failed_logins: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    username: str
    role: str
    action: str
    case_number: str
    allowed: bool
    reason: str = ""


class Accounts(Protocol):
    def add(self, account: Account, now: datetime) -> User:
        """Stores a new user; returns it with its id. Raises Conflict for a taken name."""

    def get(self, username: str) -> Account:
        """Raises NotFound."""

    def all(self) -> list[User]: ...

    def save(self, account: Account) -> None:
        """Its hash, failures, lock and disabling become `account`'s; the username names it."""

    def open_session(
        self, user_id: int, token_hash: str, kind: str, now: datetime, expires_at: datetime
    ) -> None: ...

    def session_user(self, token_hash: str, now: datetime) -> tuple[User, str] | None:
        """The user of a live session (not expired, revoked or disabled) and its kind."""

    def revoke_sessions(self, user_id: int, now: datetime, token_hash: str | None = None) -> None:
        """Ends the user's sessions (only the one of `token_hash`, when given)."""

    def mode(self) -> str:
        """The installation's mode: "simulation" or "real"."""

    def set_mode(self, mode: str) -> None: ...


class AccessLog(Protocol):
    def add(self, entry: AccessEntry) -> None: ...

    def recent(self, limit: int, username: str | None = None) -> list[AccessEntry]:
        """Newest first."""
