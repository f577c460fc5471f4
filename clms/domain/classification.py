"""Classify one identification by the country's rules, in words, never silently.

The rules are tried from the most to the least severe and every one that applies adds
its reasons; the category is the most severe that matched. See DESIGN.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from clms.domain.errors import InvalidInput
from clms.domain.model import Category, Classification, Observation
from clms.domain.rules import ActivityKind, CountryRules


@dataclass(frozen=True)
class Facts:
    """An observation with the child's age at the time, checked against the rules."""

    age: int
    seen: Observation
    rules: CountryRules

    def activities_of(self, kind: ActivityKind) -> list[str]:
        found = (self.rules.activity(code) for code in self.seen.activities)
        return [a.label + (f" ({a.basis})" if a.basis else "") for a in found if a.kind is kind]


def classify(age: int, seen: Observation, rules: CountryRules) -> Classification:
    _check_input(age, seen, rules)
    facts = Facts(age, seen, rules)
    for category, rule in RULES:
        reasons = list(rule(facts))
        if reasons:
            return Classification(category, tuple(reasons + _other_concerns(facts, rule)))
    return Classification(Category.NO_CONCERN, ("not working, in school, no risk recorded",))


def _check_input(age: int, seen: Observation, rules: CountryRules) -> None:
    if not 0 <= age < 18:
        raise InvalidInput(f"age must be from 0 to 17 to be a child, got {age}", field="age")
    if seen.hours_per_week is not None and not 0 <= seen.hours_per_week <= 168:
        raise InvalidInput("hours_per_week must be from 0 to 168", field="hours_per_week")
    for code in seen.activities:
        rules.activity(code)
    for code in seen.conditions:
        rules.condition(code)


def worst_forms(f: Facts) -> Iterator[str]:
    for label in f.activities_of(ActivityKind.WORST_FORM):
        yield f"worst form of child labour per se at any age under 18: {label}"


def hazardous(f: Facts) -> Iterator[str]:
    for label in f.activities_of(ActivityKind.HAZARDOUS):
        yield f"hazardous work forbidden under 18: {label}{_on_list(f.rules)}"
    if f.seen.working:
        for code in f.seen.conditions:
            condition = f.rules.condition(code)
            yield f"hazardous conditions forbidden under 18: {condition.label}"
    limit = f.rules.weekly_hours_limit(f.age)
    hours = f.seen.hours_per_week
    if f.seen.working and limit is not None and hours is not None and hours > limit:
        yield f"excessive hours: {hours:g} h/week, the limit at {f.age} is {limit} h/week"


def below_minimum_age(f: Facts) -> Iterator[str]:
    minimum = _minimum_age(f)
    if not f.seen.working or f.age >= minimum:
        return
    failed = list(_light_work_failures(f))
    if failed:
        yield f"below the minimum working age of {minimum} (age {f.age}): " + "; ".join(failed)


def at_risk(f: Facts) -> Iterator[str]:
    if not f.seen.in_school:
        yield "out of school"
    if f.seen.family_at_risk:
        yield "family at risk"


def permitted_work(f: Facts) -> Iterator[str]:
    if f.seen.working:
        minimum = _minimum_age(f)
        if f.age >= minimum:
            yield f"permitted work: age {f.age} is at or above the minimum age of {minimum}"
        else:
            yield f"permitted light work from {f.rules.light_work.from_age}: all conditions met"


def _light_work_failures(f: Facts) -> Iterator[str]:
    light = f.rules.light_work
    if f.age < light.from_age:
        yield f"light work is allowed only from {light.from_age}"
        return
    if light.requires_parent_consent and not f.seen.parent_consent:
        yield "light work needs a parent's consent"
    if light.free_time_only and not f.seen.free_time_only:
        yield "light work must be in free time only, outside school hours"
    hours = f.seen.hours_per_week
    if hours is not None and hours > light.max_hours_per_week:
        yield f"light work is at most {light.max_hours_per_week} h/week, got {hours:g}"


def _minimum_age(f: Facts) -> int:
    if f.seen.completed_basic_secondary:
        return f.rules.minimum_age_after_basic_secondary
    return f.rules.minimum_age


def _on_list(rules: CountryRules) -> str:
    return f", on the national list ({rules.hazardous_list})" if rules.hazardous_list else ""


def _other_concerns(facts: Facts, matched: Rule) -> list[str]:
    """The lesser concerns also found (a hazardous job may also be below the minimum age);
    'permitted work' is never one of them: it is a category only when nothing else is."""
    concerns = [rule for _, rule in RULES if rule not in (matched, permitted_work)]
    return [reason for rule in concerns for reason in rule(facts)]


Rule = Callable[[Facts], Iterator[str]]

# Most severe first: the first rule with a reason names the category.
RULES: tuple[tuple[Category, Rule], ...] = (
    (Category.WORST_FORM, worst_forms),
    (Category.HAZARDOUS, hazardous),
    (Category.BELOW_MINIMUM_AGE, below_minimum_age),
    (Category.AT_RISK, at_risk),
    (Category.PERMITTED_WORK, permitted_work),
)
