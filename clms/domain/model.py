"""The case aggregate: plain objects, standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from clms.states import case as case_states
from clms.states import referral as referral_states


class Category(StrEnum):
    WORST_FORM = "worst_form"
    HAZARDOUS = "hazardous"
    BELOW_MINIMUM_AGE = "below_minimum_age"
    # Lawful work, at a lawful age, for more hours than the law allows at that age: the
    # employer breaks the working-time rules; the work itself is not forbidden to the child.
    WORKING_TIME = "working_time_violation"
    AT_RISK = "at_risk"
    PERMITTED_WORK = "permitted_work"
    NO_CONCERN = "no_concern"

    @property
    def severity(self) -> int:
        """0 is the most severe: a later identification may only raise a case's category."""
        return list(Category).index(self)

    @property
    def is_child_labour(self) -> bool:
        return self in (Category.WORST_FORM, Category.HAZARDOUS, Category.BELOW_MINIMUM_AGE)


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class AlternativeStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    SATISFACTORY = "satisfactory"
    UNSATISFACTORY = "unsatisfactory"
    VERIFIED = "verified"


class ClosureReason(StrEnum):
    WITHDRAWN = "withdrawn"
    PREVENTED = "prevented"
    AGED_OUT = "aged_out"
    MOVED = "moved"
    DUPLICATE = "duplicate"
    DECEASED = "deceased"
    OTHER = "other"

    @property
    def verifies_an_alternative(self) -> bool:
        """Closed because the child has a satisfactory alternative, as the ILO counts it:
        out of work (withdrawn) or kept from it (prevented). Every other closure ends
        the services as a drop-out."""
        return self in (ClosureReason.WITHDRAWN, ClosureReason.PREVENTED)


class Role(StrEnum):
    MONITOR = "monitor"
    SOCIAL_WORKER = "social_worker"
    SUPERVISOR = "supervisor"
    PROVIDER = "provider"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"  # not logged in: a school following its answer link

    @property
    def approves(self) -> bool:
        """Closing as "other", reopening and screening out a worst form need a supervisor."""
        return self in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def area(self) -> str | None:
        """What a member of staff who gets reminders is responsible for, or None."""
        regional = (Role.SUPERVISOR, Role.COORDINATOR)
        return "district" if self is Role.SOCIAL_WORKER else "region" if self in regional else None


class FollowUpState(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role


@dataclass(frozen=True)
class Child:
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    district: str

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Observation:
    """What a monitor saw, as submitted (one child; a raid submits many)."""

    submission_id: str
    monitor: str
    observed_at: datetime
    activities: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    hours_per_week: float | None = None
    parent_consent: bool = False
    free_time_only: bool = False
    in_school: bool = True
    completed_basic_secondary: bool = False
    family_at_risk: bool = False
    note: str = ""
    # Added later, so after `note`: callers build observations positionally.
    hours_per_day: float | None = None
    school_holidays: bool = False  # seen during the school holidays (the daily caps differ)
    authority_consent: bool = False  # a trade union or the labour inspectorate consented
    load_kg: float | None = None  # the heaviest load the child lifts or carries by hand

    @property
    def working(self) -> bool:
        """Seen at work: an activity, or hours of work reported without one (the monitor
        may not find the activity in the list; the hours still say the child works)."""
        return bool(self.activities or self.hours_per_week or self.hours_per_day)


@dataclass(frozen=True)
class Classification:
    category: Category
    reasons: tuple[str, ...]
    rules_version: str = ""  # the version of the country rules that made it

    @property
    def priority(self) -> Priority:
        return Priority.URGENT if self.category is Category.WORST_FORM else Priority.NORMAL


@dataclass
class Identification:
    observation: Observation
    classification: Classification
    recorded_at: datetime
    persisted: bool = False


@dataclass(frozen=True)
class Provider:
    code: str
    name: str
    district: str
    # (service type, district served): a provider may serve neighbouring districts.
    offers: frozenset[tuple[str, str]]
    phone: str = ""
    email: str = ""
    webhook_url: str = ""
    language: str = "ru"

    def offers_in(self, service_type: str, district: str) -> bool:
        return (service_type, district) in self.offers


@dataclass
class Referral:
    provider: str
    service_type: str
    proposed_at: datetime
    due_at: datetime
    state: str = referral_states.PROPOSED
    override_reason: str = ""
    answered_at: datetime | None = None
    started_on: date | None = None
    ended_at: datetime | None = None
    answer_note: str = ""
    id: int | None = None

    @property
    def is_live(self) -> bool:
        return self.state in referral_states.LIVE


@dataclass
class FollowUp:
    due_on: date
    state: FollowUpState = FollowUpState.SCHEDULED
    done_on: date | None = None
    attending: bool | None = None
    working: bool | None = None
    note: str = ""
    evidence: str = ""
    id: int | None = None

    @property
    def satisfactory(self) -> bool:
        return self.state is FollowUpState.DONE and bool(self.attending) and not self.working


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    actor: str
    role: str
    trigger: str
    from_state: str
    to_state: str
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    number: str
    country: str
    child: Child
    category: Category
    opened_at: datetime
    state: str = case_states.IDENTIFIED
    state_entered_at: datetime | None = None
    version: int = 0
    identifications: list[Identification] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    state_before_lost: str | None = None
    closure_reason: ClosureReason | None = None
    assessed_at: datetime | None = None
    assessment: str = ""
    service_started_on: date | None = None
    relapses: int = 0
    failed_contacts: int = 0
    id: int | None = None

    @property
    def priority(self) -> Priority:
        return Priority.URGENT if self.category is Category.WORST_FORM else Priority.NORMAL

    @property
    def is_open(self) -> bool:
        return self.state in case_states.OPEN

    @property
    def live_referral(self) -> Referral | None:
        return next((r for r in reversed(self.referrals) if r.is_live), None)

    @property
    def last_referral(self) -> Referral | None:
        return self.referrals[-1] if self.referrals else None

    def done_follow_ups(self) -> list[FollowUp]:
        done = [f for f in self.follow_ups if f.state is FollowUpState.DONE]
        return sorted(done, key=lambda f: f.done_on or f.due_on)

    def scheduled_follow_ups(self) -> list[FollowUp]:
        return sorted(
            (f for f in self.follow_ups if f.state is FollowUpState.SCHEDULED),
            key=lambda f: f.due_on,
        )

    def record(self, entry: HistoryEntry) -> None:
        self.history.append(entry)

    @property
    def next_seq(self) -> int:
        return self.history[-1].seq + 1 if self.history else 1
