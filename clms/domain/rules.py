"""A country's rules, as plain values loaded from config/ (see clms.config_files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from clms.domain.errors import InvalidInput


class ActivityKind(StrEnum):
    WORST_FORM = "worst_form"  # ILO C182 Art. 3(a)-(c): child labour at any age under 18
    HAZARDOUS = "hazardous"  # on the national hazardous list: forbidden under 18
    WORK = "work"  # ordinary work: child labour only below the minimum age


class Requirement(StrEnum):
    """A condition the law sets for work below the general minimum age, as the monitor
    records it (see Observation)."""

    PARENT_CONSENT = "parent_consent"
    PUPIL = "pupil"
    FREE_TIME_ONLY = "free_time_only"
    BASIC_SECONDARY = "basic_secondary"
    AUTHORITY_CONSENT = "authority_consent"


T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Sourced:
    """Every value of the law names where it comes from. `unverified` says what could not
    be checked against the text of the law, so the reader knows what to confirm."""

    source: str
    unverified: str = ""

    @property
    def citation(self) -> str:
        return self.source + (" [unverified]" if self.unverified else "")


@dataclass(frozen=True)
class Document:
    """A legal text or report the country file cites, and where it was read."""

    code: str
    title: str
    found: str = ""
    unverified: str = ""


@dataclass(frozen=True, kw_only=True)
class Activity(Sourced):
    code: str
    label: str
    kind: ActivityKind


@dataclass(frozen=True, kw_only=True)
class HazardousCondition(Sourced):
    code: str
    label: str


@dataclass(frozen=True, kw_only=True)
class MinimumAge(Sourced):
    age: int


@dataclass(frozen=True, kw_only=True)
class Admission(Sourced):
    """Work allowed below the minimum age, at `from_age` and above, when every requirement
    is met; light work also has its own weekly hours."""

    code: str
    label: str
    from_age: int
    requires: tuple[Requirement, ...] = ()
    max_hours_per_week: float | None = None


@dataclass(frozen=True, kw_only=True)
class HoursLimit(Sourced):
    """The working time of a child younger than `below_age`. The school-term caps apply to
    a pupil outside the school holidays; the others at any time."""

    below_age: int
    max_hours_per_week: float | None = None
    max_hours_per_week_school_term: float | None = None
    max_hours_per_day: float | None = None
    max_hours_per_day_school_term: float | None = None


@dataclass(frozen=True, kw_only=True)
class LoadLimit(Sourced):
    """The heaviest load (kg) a child of this sex, from `from_age` to below `below_age`,
    may lift or carry by hand."""

    sex: str
    from_age: int
    below_age: int
    max_kg: float


@dataclass(frozen=True, kw_only=True)
class CompulsoryEducation(Sourced):
    until_age: int


@dataclass(frozen=True)
class District:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class ServiceType:
    code: str
    label: str
    min_age: int
    max_age: int
    # Schooling, training or care that can count as the child's satisfactory alternative.
    is_alternative: bool = True


@dataclass(frozen=True)
class ClosingPolicy:
    withdrawn_min_follow_ups: int = 2
    withdrawn_min_days: int = 90
    prevented_min_follow_ups: int = 1


@dataclass(frozen=True)
class Deadlines:
    assess_within_days: int = 7
    refer_within_days: int = 14
    referral_answer_days: int = 7
    urgent_referral_hours: int = 24


@dataclass(frozen=True)
class CheckPolicy:
    """When the daily check reminds, escalates, expires and gives up (days)."""

    attendance_check_days_before: int = 7
    referral_escalate_after_days: int = 3
    referral_expire_after_days: int = 7
    urgent_referral_expire_after_days: int = 2  # an urgent case cannot wait a week
    follow_up_escalate_after_days: int = 14
    follow_up_missed_after_days: int = 30
    max_failed_contacts: int = 3
    answer_link_days: int = 14
    answer_correction_minutes: int = 15  # a school may correct a wrong click this long
    action_escalate_after_days: int = 14  # a case not assessed or referred: the supervisor
    unsatisfactory_escalate_after_days: int = 14  # no satisfactory alternative: the supervisor
    coordinator_after_days: int = 30  # any obligation this late: the region's coordinator
    # How often a rule that tells somebody tells them again while the obligation stays open,
    # by rule name (days; a rule not named tells once). Not part of the hash: a mapping.
    repeat_every_days: dict[str, int] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class CountryRules:
    code: str
    name: str
    minimum_age: MinimumAge
    admissions: tuple[Admission, ...]
    hours_limits: tuple[HoursLimit, ...]
    activities: dict[str, Activity]
    conditions: dict[str, HazardousCondition]
    districts: dict[str, District]
    service_types: dict[str, ServiceType]
    hazardous_list: str = ""
    # Which text of the rules classified a child: stored with every classification.
    version: str = ""
    documents: tuple[Document, ...] = ()
    load_limits: tuple[LoadLimit, ...] = ()
    compulsory_education: CompulsoryEducation | None = None
    closing: ClosingPolicy = field(default_factory=ClosingPolicy)
    deadlines: Deadlines = field(default_factory=Deadlines)
    follow_up_days: tuple[int, ...] = (30, 90, 180)
    check: CheckPolicy = field(default_factory=CheckPolicy)

    def district(self, code: str) -> District:
        return _known(self.districts, code, "district", self.code)

    def activity(self, code: str) -> Activity:
        return _known(self.activities, code, "activity", self.code)

    def condition(self, code: str) -> HazardousCondition:
        return _known(self.conditions, code, "condition", self.code)

    def service_type(self, code: str) -> ServiceType:
        return _known(self.service_types, code, "service_type", self.code)

    def hours_limit(self, age: int) -> HoursLimit | None:
        limits = [h for h in self.hours_limits if age < h.below_age]
        return min(limits, key=lambda h: h.below_age) if limits else None

    def load_limit(self, age: int, sex: str) -> LoadLimit | None:
        """The limit for this age and sex; below the youngest age the law names, the
        youngest age's limit (the law sets none lower, and a younger child is no stronger)."""
        limits = [x for x in self.load_limits if x.sex == sex]
        exact = [x for x in limits if x.from_age <= age < x.below_age]
        if exact:
            return exact[0]
        younger = [x for x in limits if age < x.from_age]
        return min(younger, key=lambda x: x.from_age) if younger else None


def _known(table: dict[str, T], code: str, what: str, country: str) -> T:
    if code not in table:
        raise InvalidInput(
            f"unknown {what} {code!r} for {country}; known: {', '.join(sorted(table))}",
            field=what,
        )
    return table[code]
