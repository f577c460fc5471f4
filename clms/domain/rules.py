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


T = TypeVar("T")


@dataclass(frozen=True)
class Activity:
    code: str
    label: str
    kind: ActivityKind
    basis: str = ""


@dataclass(frozen=True)
class HazardousCondition:
    code: str
    label: str
    basis: str = ""


@dataclass(frozen=True)
class LightWork:
    from_age: int
    requires_parent_consent: bool
    free_time_only: bool
    max_hours_per_week: int


@dataclass(frozen=True)
class HoursLimit:
    """At most `max_hours_per_week` for a child younger than `below_age`."""

    below_age: int
    max_hours_per_week: int


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
    follow_up_escalate_after_days: int = 14
    follow_up_missed_after_days: int = 30
    max_failed_contacts: int = 3
    answer_link_days: int = 14


@dataclass(frozen=True)
class CountryRules:
    code: str
    name: str
    minimum_age: int
    minimum_age_after_basic_secondary: int
    light_work: LightWork
    hours_limits: tuple[HoursLimit, ...]
    activities: dict[str, Activity]
    conditions: dict[str, HazardousCondition]
    districts: dict[str, District]
    service_types: dict[str, ServiceType]
    hazardous_list: str = ""
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

    def weekly_hours_limit(self, age: int) -> int | None:
        limits = [h for h in self.hours_limits if age < h.below_age]
        return min(limits, key=lambda h: h.below_age).max_hours_per_week if limits else None


def _known(table: dict[str, T], code: str, what: str, country: str) -> T:
    if code not in table:
        raise InvalidInput(
            f"unknown {what} {code!r} for {country}; known: {', '.join(sorted(table))}",
            field=what,
        )
    return table[code]
