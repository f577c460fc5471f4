"""Hand-written in-memory fakes of the ports, for fast tests of the use cases. They refuse
what the database adapters (clms.adapters.db) refuse, with the same errors and fields."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from types import TracebackType

from clms.config_files import load_country
from clms.domain.access import CaseScope, User
from clms.domain.check import CheckRule, Contact, Finding
from clms.domain.duplicates import ChildKey, EarlierCase, FlagStatus, PossibleDuplicate
from clms.domain.errors import Conflict, DuplicateSubmission, NotFound
from clms.domain.model import Case, Provider
from clms.domain.outbox import ReminderStatus
from clms.domain.rules import CountryRules
from clms.ports import (
    AccessEntry,
    Account,
    AnswerToken,
    CaseIndex,
    CaseQuery,
    CaseSummary,
    NewReminder,
    StaffMember,
    StoredReminder,
    Submission,
    UnitOfWork,
)
from clms.services.cases import child_key
from clms.states import case as case_states


class FakeCases:
    def __init__(self) -> None:
        self.stored: dict[str, Case] = {}
        self.index: dict[str, CaseIndex] = {}
        self.flags: list[PossibleDuplicate] = []
        self.serialized: list[str] = []  # the neighbourhoods asked for, in order

    def add(self, case: Case, index: CaseIndex) -> None:
        case.id = len(self.stored) + 1
        case.number = f"{case.country.upper()}-{case.id:06d}"
        self._keep(case, index)

    def get(self, number: str) -> Case:
        if number not in self.stored:
            raise NotFound(f"no case {number!r}", field="case")
        return copy.deepcopy(self.stored[number])  # a copy, as a database would give

    def save(self, case: Case, index: CaseIndex) -> None:
        stored = self.stored.get(case.number)
        if stored is None or stored.version != case.version:
            raise Conflict(
                f"case {case.number} was changed by somebody else since it was read; "
                "reload and try again"
            )
        case.version += 1
        self._keep(case, index)

    def get_many(self, case_ids: list[int]) -> dict[int, Case]:
        wanted = set(case_ids)
        return {c.id: copy.deepcopy(c) for c in self.stored.values() if c.id in wanted}  # type: ignore[misc]

    def save_many(self, changed: list[tuple[Case, CaseIndex]]) -> None:
        for case, index in changed:
            self.save(case, index)

    def number_of(self, case_id: int) -> str:
        for case in self.stored.values():
            if case.id == case_id:
                return case.number
        raise NotFound(f"no case with id {case_id}", field="case")

    def case_for_submission(self, submission_id: str) -> str | None:
        for case in self.stored.values():
            if submission_id in _submissions(case):
                return case.number
        return None

    def open_case_of(self, child: ChildKey) -> Case | None:
        for case in self.stored.values():
            if case.state in case_states.OPEN and child_key(case.child) == child:
                return self.get(case.number)
        return None

    def referred_to(self, provider: str, states: Collection[str]) -> list[str]:
        return sorted(
            case.number
            for case in self.stored.values()
            if any(r.provider == provider and r.state in states for r in case.referrals)
        )

    def serialize_identification(self, neighbourhood: str) -> None:
        self.serialized.append(neighbourhood)  # one thread: nobody to wait for

    def earlier_cases_like(self, child: ChildKey) -> list[EarlierCase]:
        """Every case: more than the database reads, as the port allows."""
        return [
            EarlierCase(c.number, child_key(c.child), _region(c), c.state in case_states.OPEN)
            for c in self.stored.values()
        ]

    def children_said_to_differ(self, child: ChildKey) -> frozenset[ChildKey]:
        keys = {number: child_key(case.child) for number, case in self.stored.items()}
        dismissed = [f for f in self.flags if f.status is FlagStatus.DISMISSED]
        return frozenset(
            keys[other]
            for f in dismissed
            for this, other in ((f.new_case, f.old_case), (f.old_case, f.new_case))
            if keys[this] == child
        )

    def move_identifications(self, from_case: Case, to_case: Case) -> None:
        """Nothing to do: the fake stores whole cases, and both were saved as they are now."""
        assert not self.stored[from_case.number].identifications

    def add_possible_duplicates(self, flags: list[PossibleDuplicate]) -> None:
        self.flags.extend(flags)

    def possible_duplicate(self, new_case: str, old_case: str) -> PossibleDuplicate:
        for flag in self.flags:
            if (flag.new_case, flag.old_case) == (new_case, old_case):
                return flag
        raise NotFound(f"{new_case} was not flagged as a possible duplicate of {old_case}",
                       field="case")  # fmt: skip

    def possible_duplicates(self, status: FlagStatus | None, limit: int) -> list[PossibleDuplicate]:
        chosen = [f for f in reversed(self.flags) if status in (None, f.status)]
        return sorted(chosen, key=lambda f: f.flagged_at, reverse=True)[:limit]

    def settle_possible_duplicate(self, flag: PossibleDuplicate) -> None:
        stored = self.possible_duplicate(flag.new_case, flag.old_case)
        if stored.status is not FlagStatus.OPEN:
            raise Conflict(f"the flag on {flag.new_case} and {flag.old_case} was decided")
        self.flags[self.flags.index(stored)] = flag

    def summaries(self, query: CaseQuery) -> list[CaseSummary]:
        return [
            CaseSummary(c.number, c.child.display_name, c.child.district, c.category.value,
                        c.priority.value, c.state, self.index[c.number].alternative_status.value,
                        self.index[c.number].next_action_due, c.version,
                        self.index[c.number].ready_to_close)
            for c in self.stored.values()
            if query.state in (None, c.state)
            and query.district in (None, c.child.district)
            and query.region in (None, _region(c))
        ][query.offset : query.offset + query.limit]  # fmt: skip

    def submissions_of(self, monitor: str, limit: int) -> list[Submission]:
        mine = [
            Submission(i.observation.submission_id, i.recorded_at, c.number,
                       c.child.display_name, c.child.district, i.classification.category.value)
            for c in self.stored.values()
            for i in c.identifications
            if i.observation.monitor == monitor
        ]  # fmt: skip
        return sorted(mine, key=lambda s: s.recorded_at, reverse=True)[:limit]

    def scope_of(self, number: str) -> CaseScope:
        case = self.get(number)
        providers = frozenset(r.provider for r in case.referrals)
        return CaseScope(case.child.district, _region(case), providers)

    def _keep(self, case: Case, index: CaseIndex) -> None:
        self._refuse_submissions_of_other_cases(case)
        self.stored[case.number] = copy.deepcopy(case)
        self.index[case.number] = index

    def _refuse_submissions_of_other_cases(self, case: Case) -> None:
        """A submission is recorded once (the database's unique key on identifications)."""
        for other in self.stored.values():
            for submission in _submissions(case) & _submissions(other):
                if other.number != case.number:
                    raise DuplicateSubmission(f"submission {submission!r} is already recorded")


def _submissions(case: Case) -> set[str]:
    return {i.observation.submission_id for i in case.identifications}


def _region(case: Case) -> str:
    return _rules(case.country).district(case.child.district).region


@cache
def _rules(country: str) -> CountryRules:
    return load_country(country)


class FakeProviders:
    def __init__(self) -> None:
        self.stored: dict[str, Provider] = {}
        self.removed: dict[str, datetime] = {}  # a removed code stays taken

    def get(self, code: str) -> Provider:
        if code not in self.stored:
            raise NotFound(f"no provider {code!r} in the directory", field="provider")
        return self.stored[code]

    def add(self, provider: Provider) -> None:
        if provider.code in self.stored or provider.code in self.removed:
            raise ValueError(f"provider code {provider.code!r} is taken")  # the unique key
        self.stored[provider.code] = provider

    def all(self) -> list[Provider]:
        return sorted(self.stored.values(), key=lambda p: p.code)

    def save(self, provider: Provider) -> None:
        self.get(provider.code)
        self.stored[provider.code] = provider

    def remove(self, code: str, now: datetime) -> None:
        self.get(code)
        self.removed[code] = now
        del self.stored[code]

    def removed_at(self, code: str) -> datetime | None:
        return self.removed.get(code)


class FakeCheckQueries:
    """The daily check's read model, as a test sets it: `found[rule]` is what the rule
    finds. The rules' own queries are SQL, tested on real databases in tests/check."""

    def __init__(self) -> None:
        self.found: dict[CheckRule, list[Finding]] = {}

    def candidate_ids(self, rule: CheckRule, now: datetime, region: str | None) -> list[int]:
        return sorted({f.case_id for f in self.found.get(rule, []) if region in (None, f.region)})

    def findings(self, rule: CheckRule, case_ids: list[int], now: datetime) -> list[Finding]:
        chosen = [f for f in self.found.get(rule, []) if f.case_id in case_ids]
        return sorted(chosen, key=lambda f: f.case_id)


@dataclass
class _ReminderRow:
    id: int
    reminder: NewReminder
    status: str
    next_attempt_at: datetime
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    claimed_by: str | None = None
    claimed_until: datetime | None = None


class FakeOutbox:
    """Reminders by key, claimed by one worker at a time, as clms.adapters.db.outbox."""

    def __init__(self, cases: FakeCases) -> None:
        self.cases = cases  # a stored reminder names its case by number
        self.rows: dict[int, _ReminderRow] = {}

    def add(self, reminders: list[NewReminder]) -> int:
        known = self.known_keys([r.key for r in reminders])
        new = [r for r in reminders if r.key not in known]
        for reminder in new:
            row_id = len(self.rows) + 1
            self.rows[row_id] = _ReminderRow(row_id, reminder, reminder.status, reminder.created_at)
        return len(new)

    def known_keys(self, keys: list[str]) -> set[str]:
        return {row.reminder.key for row in self.rows.values()} & set(keys)

    def pending_by_channel(self) -> dict[str, int]:
        pending = [r for r in self.rows.values() if r.status == ReminderStatus.PENDING]
        return dict(Counter(row.reminder.channel for row in pending))

    def claim(
        self, worker: str, now: datetime, limit: int, lease_seconds: float, channels: list[str]
    ) -> list[StoredReminder]:
        due = sorted(
            (row for row in self.rows.values() if _due(row, now, channels)),
            key=lambda row: (row.next_attempt_at, row.id),
        )[:limit]
        for row in due:
            row.claimed_by, row.claimed_until = worker, now + timedelta(seconds=lease_seconds)
        return self._stored(due)

    def settle(self, reminder_id: int, worker: str, **values: object) -> bool:
        row = self.rows.get(reminder_id)
        if row is None or row.claimed_by != worker:
            return False
        for name, value in {**values, "claimed_by": None, "claimed_until": None}.items():
            setattr(row, name, value)
        return True

    def requeue_dead(self, ids: list[int] | None, now: datetime) -> int:
        dead = [row for row in self.rows.values() if row.status == ReminderStatus.DEAD]
        chosen = [row for row in dead if ids is None or row.id in ids]
        for row in chosen:
            row.status, row.attempts, row.next_attempt_at = ReminderStatus.PENDING, 0, now
        return len(chosen)

    def listing(
        self, status: str | None, limit: int, case_number: str | None = None
    ) -> list[StoredReminder]:
        chosen = [row for row in self.rows.values() if status in (None, row.status)]
        listed = self._stored(sorted(chosen, key=lambda row: -row.id))
        return [r for r in listed if case_number in (None, r.case_number)][:limit]

    def _stored(self, rows: list[_ReminderRow]) -> list[StoredReminder]:
        numbers = {case.id: case.number for case in self.cases.stored.values()}
        return [_stored(row, numbers[row.reminder.case_id]) for row in rows
                if row.reminder.case_id in numbers]  # fmt: skip


def _due(row: _ReminderRow, now: datetime, channels: list[str]) -> bool:
    unclaimed = row.claimed_until is None or row.claimed_until < now
    pending = row.status == ReminderStatus.PENDING and row.reminder.channel in channels
    return pending and row.next_attempt_at <= now and unclaimed


def _stored(row: _ReminderRow, number: str) -> StoredReminder:
    r = row.reminder
    return StoredReminder(row.id, r.key, number, r.rule, r.recipient, r.channel, r.address,
                          r.subject, r.body, dict(r.payload), str(row.status), row.attempts,
                          row.next_attempt_at, row.last_error, r.created_at, row.sent_at)  # fmt: skip


class FakeStaff:
    def __init__(self) -> None:
        self.members: list[StaffMember] = []
        self.last_id = 0

    def add(self, member: StaffMember) -> StaffMember:
        self.last_id += 1  # ids are never reused, as the database's
        stored = replace(member, id=self.last_id)
        self.members.append(stored)
        return stored

    def get(self, member_id: int) -> StaffMember:
        for member in self.members:
            if member.id == member_id:
                return member
        raise NotFound(f"no staff member with id {member_id}", field="staff")

    def save(self, member: StaffMember) -> None:
        self.members[self.members.index(self.get(member.id or 0))] = member

    def remove(self, member_id: int) -> None:
        self.members.remove(self.get(member_id))

    def all(self) -> list[StaffMember]:
        return list(self.members)

    def contact(self, role: str, area: str) -> Contact | None:
        """The first staff member of `role` for `area`, as clms.adapters.db.directory."""
        for m in self.members:
            if (m.role, m.area) == (role, area):
                return Contact(m.name, m.phone, m.email, "", m.language)
        return None


class FakeAnswerTokens:
    def __init__(self) -> None:
        self.stored: dict[str, AnswerToken] = {}
        self.reports: list[tuple[AnswerToken, str, datetime]] = []

    def add(self, token: AnswerToken) -> None:
        if token.token_id in self.stored:  # the database's primary key refuses it too
            raise ValueError(f"answer token {token.token_id!r} is already stored")
        self.stored[token.token_id] = token

    def get(self, token_id: str) -> AnswerToken | None:
        return self.stored.get(token_id)

    def use(self, token_id: str, now: datetime) -> bool:
        """Marks the token used; False when it already was (or is unknown)."""
        token = self.stored.get(token_id)
        if token is None or token.used_at is not None:
            return False
        self.stored[token_id] = replace(token, used_at=now)
        return True

    def record_report(self, token: AnswerToken, answer: str, now: datetime) -> None:
        self.reports.append((token, answer, now))


class FakeAccounts:
    def __init__(self) -> None:
        self.users: dict[str, Account] = {}
        self.sessions: dict[str, tuple[int, str, datetime, datetime | None]] = {}
        self.installation_mode = "real"

    def add(self, account: Account, now: datetime) -> User:
        if account.user.username in self.users:
            raise Conflict(f"the username {account.user.username!r} is taken", field="username")
        user = replace(account.user, id=len(self.users) + 1)
        self.users[user.username] = replace(account, user=user)
        return user

    def get(self, username: str) -> Account:
        if username not in self.users:
            raise NotFound(f"no user {username!r}", field="username")
        return self.users[username]

    def all(self) -> list[User]:
        return [a.user for _, a in sorted(self.users.items())]

    def save(self, account: Account) -> None:
        self.users[account.user.username] = account

    def open_session(
        self, user_id: int, token_hash: str, kind: str, now: datetime, expires_at: datetime
    ) -> None:
        self.sessions[token_hash] = (user_id, kind, expires_at, None)

    def session_user(self, token_hash: str, now: datetime) -> tuple[User, str] | None:
        user_id, kind, expires_at, revoked = self.sessions.get(token_hash, (0, "", now, now))
        user = next((a.user for a in self.users.values() if a.user.id == user_id), None)
        if user is None or revoked or expires_at <= now or user.disabled_at:
            return None
        return user, kind

    def revoke_sessions(self, user_id: int, now: datetime, token_hash: str | None = None) -> None:
        for key, (uid, kind, expires, revoked) in list(self.sessions.items()):
            if uid == user_id and token_hash in (None, key) and revoked is None:
                self.sessions[key] = (uid, kind, expires, now)

    def mode(self) -> str:
        return self.installation_mode

    def set_mode(self, mode: str) -> None:
        self.installation_mode = mode


class FakeAccessLog:
    def __init__(self) -> None:
        self.entries: list[AccessEntry] = []

    def add(self, entry: AccessEntry) -> None:
        self.entries.append(entry)

    def recent(self, limit: int, username: str | None = None) -> list[AccessEntry]:
        mine = [e for e in self.entries if username in (None, e.username)]
        return mine[::-1][:limit]


class FakeUnitOfWork:
    """Commits are counted; changes made after the last commit are thrown away on exit,
    as leaving the database's unit of work rolls back."""

    def __init__(self) -> None:
        self.cases = FakeCases()
        self.providers = FakeProviders()
        self.check = FakeCheckQueries()
        self.outbox = FakeOutbox(self.cases)
        self.staff = FakeStaff()
        self.tokens = FakeAnswerTokens()
        self.accounts = FakeAccounts()
        self.access_log = FakeAccessLog()
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        self._committed_stores = copy.deepcopy(self._stores())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self._committed_stores = copy.deepcopy(self._stores())
        self.commits += 1

    def rollback(self) -> None:
        # One deep copy of all the stores: the outbox's reference to the cases stays right.
        for name, store in copy.deepcopy(self._committed_stores).items():
            setattr(self, name, store)

    def _stores(self) -> dict[str, object]:
        names = (
            "cases",
            "providers",
            "check",
            "outbox",
            "staff",
            "tokens",
            "accounts",
            "access_log",
        )
        return {name: getattr(self, name) for name in names}


def _a_unit_of_work(fake: FakeUnitOfWork) -> UnitOfWork:
    """Type-checked only: mypy refuses this if the fake misses a member of the port."""
    return fake
