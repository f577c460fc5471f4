"""Classify one identification by the country's rules, in words, never silently.

The rules are tried from the most to the least severe and every one that applies adds
its reasons; the category is the most severe that matched. Every reason cites the article
or list item it rests on, and the classification records the version of the rules that
made it, so an old case stays explainable after the law changes. See DESIGN.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from clms.domain.errors import InvalidInput
from clms.domain.model import Category, Classification, Observation
from clms.domain.rules import (
    ActivityKind,
    Admission,
    CountryRules,
    HoursLimit,
    Requirement,
)

SEXES = {"m": "boys", "f": "girls"}


@dataclass(frozen=True)
class Facts:
    """An observation with the child's age (and sex, for load limits) at the time."""

    age: int
    seen: Observation
    rules: CountryRules
    sex: str = ""

    def activities_of(self, kind: ActivityKind) -> list[str]:
        found = (self.rules.activity(code) for code in self.seen.activities)
        return [f"{a.label} ({a.citation})" for a in found if a.kind is kind]

    @property
    def during_school_term(self) -> bool:
        return self.seen.in_school and not self.seen.school_holidays


def classify(age: int, seen: Observation, rules: CountryRules, sex: str = "") -> Classification:
    """`sex` ("m" or "f") chooses the load limits; unknown, the lower limit applies."""
    _check_input(age, seen, rules)
    facts = Facts(age, seen, rules, sex)
    for category, rule in RULES:
        reasons = list(rule(facts))
        if reasons:
            return Classification(
                category, tuple(reasons + _other_concerns(facts, rule)), rules.version
            )
    return Classification(
        Category.NO_CONCERN, ("not working, in school, no risk recorded",), rules.version
    )


def _check_input(age: int, seen: Observation, rules: CountryRules) -> None:
    if not 0 <= age < 18:
        raise InvalidInput(f"age must be from 0 to 17 to be a child, got {age}", field="age")
    _check_range("hours_per_week", seen.hours_per_week, 168)
    _check_range("hours_per_day", seen.hours_per_day, 24)
    _check_range("load_kg", seen.load_kg, 500)
    for code in seen.activities:
        rules.activity(code)
    for code in seen.conditions:
        rules.condition(code)


def _check_range(field: str, value: float | None, top: float) -> None:
    if value is not None and not 0 <= value <= top:
        raise InvalidInput(f"{field} must be from 0 to {top:g}", field=field)


# --- the rules, most severe first ----------------------------------------------------------


def worst_forms(f: Facts) -> Iterator[str]:
    for label in f.activities_of(ActivityKind.WORST_FORM):
        yield f"worst form of child labour per se at any age under 18: {label}"


def hazardous(f: Facts) -> Iterator[str]:
    for label in f.activities_of(ActivityKind.HAZARDOUS):
        yield f"hazardous work forbidden under 18: {label}"
    if f.seen.working:
        for code in f.seen.conditions:
            found = f.rules.condition(code)
            yield f"hazardous conditions forbidden under 18: {found.label} ({found.citation})"
        yield from _overload(f)


def below_minimum_age(f: Facts) -> Iterator[str]:
    minimum = f.rules.minimum_age
    if not f.seen.working or f.age >= minimum.age or _admitted_by(f):
        return
    head = f"below the minimum working age of {minimum.age} ({minimum.citation}), age {f.age}"
    open_at_this_age = _admissions_open(f)
    if not open_at_this_age:
        youngest = min((a.from_age for a in f.rules.admissions), default=minimum.age)
        yield f"{head}: no work is allowed before {youngest}"
        return
    for admission in open_at_this_age:
        missing = "; ".join(_unmet(f, admission))
        yield f"{head}: {admission.label} ({admission.citation}) needs {missing}"


def working_time(f: Facts) -> Iterator[str]:
    """More hours than the law allows at this age: a breach of the working-time rules by
    whoever employs the child, not hazardous work (unless the monitor also records long
    hours as a hazardous condition)."""
    limit = f.rules.hours_limit(f.age)
    if not f.seen.working or limit is None:
        return
    week, week_term = limit.max_hours_per_week, limit.max_hours_per_week_school_term
    day, day_term = limit.max_hours_per_day, limit.max_hours_per_day_school_term
    yield from _over(f, f.seen.hours_per_week, "week", week, week_term, limit)
    yield from _over(f, f.seen.hours_per_day, "day", day, day_term, limit)


def at_risk(f: Facts) -> Iterator[str]:
    if not f.seen.in_school:
        yield "out of school" + _compulsory(f)
    if f.seen.family_at_risk:
        yield "family at risk"


def permitted_work(f: Facts) -> Iterator[str]:
    if not f.seen.working:
        return
    minimum = f.rules.minimum_age
    if f.age >= minimum.age:
        yield (
            f"permitted work: age {f.age} is at or above the minimum age of {minimum.age} "
            f"({minimum.citation})"
        )
        return
    admission = _admitted_by(f)
    if admission:
        yield f"permitted: {admission.label} ({admission.citation}), every condition met"


# --- the details -------------------------------------------------------------------------

REQUIREMENTS: dict[Requirement, tuple[Callable[[Observation], bool], str]] = {
    Requirement.PARENT_CONSENT: (lambda s: s.parent_consent, "a parent's written consent"),
    Requirement.PUPIL: (lambda s: s.in_school, "the child to be a pupil"),
    Requirement.FREE_TIME_ONLY: (
        lambda s: s.free_time_only,
        "work in free time only, outside school hours",
    ),
    # Receiving basic secondary education (attending school) or having completed it.
    Requirement.BASIC_SECONDARY: (
        lambda s: s.in_school or s.completed_basic_secondary,
        "the child to be receiving or to have completed basic secondary education",
    ),
    Requirement.AUTHORITY_CONSENT: (
        lambda s: s.authority_consent,
        "the consent of a trade union or the labour inspectorate",
    ),
}


def _admissions_open(f: Facts) -> list[Admission]:
    return [a for a in f.rules.admissions if a.from_age <= f.age]


def _admitted_by(f: Facts) -> Admission | None:
    return next((a for a in _admissions_open(f) if not list(_unmet(f, a))), None)


def _unmet(f: Facts, admission: Admission) -> Iterator[str]:
    for requirement in admission.requires:
        met, words = REQUIREMENTS[requirement]
        if not met(f.seen):
            yield words
    hours, cap = f.seen.hours_per_week, admission.max_hours_per_week
    if hours is not None and cap is not None and hours > cap:
        yield f"at most {cap:g} h/week (got {hours:g})"


def _over(
    f: Facts,
    hours: float | None,
    per: str,
    cap: float | None,
    cap_in_term: float | None,
    limit: HoursLimit,
) -> Iterator[str]:
    in_term = f.during_school_term and cap_in_term is not None
    allowed = cap_in_term if in_term else cap
    if hours is None or allowed is None or hours <= allowed:
        return
    when = " during the school term" if in_term else ""
    yield (
        f"working time over the limit: {hours:g} h/{per}, at {f.age} at most "
        f"{allowed:g} h/{per}{when} ({limit.citation})"
    )


def _overload(f: Facts) -> Iterator[str]:
    load = f.seen.load_kg
    if load is None:
        return
    sexes = [f.sex] if f.sex in SEXES else list(SEXES)
    limits = [x for x in (f.rules.load_limit(f.age, sex) for sex in sexes) if x is not None]
    if not limits:
        return
    limit = min(limits, key=lambda x: x.max_kg)  # sex not recorded: the lower limit
    if load > limit.max_kg:
        who = SEXES[limit.sex] if f.sex in SEXES else "a child whose sex is not recorded"
        yield (
            f"load over the limit: {load:g} kg, at most {limit.max_kg:g} kg for {who} "
            f"of {f.age} ({limit.citation})"
        )


def _compulsory(f: Facts) -> str:
    education = f.rules.compulsory_education
    if education is None or f.age >= education.until_age:
        return ""
    return f", while education is compulsory until {education.until_age} ({education.citation})"


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
    (Category.WORKING_TIME, working_time),
    (Category.AT_RISK, at_risk),
    (Category.PERMITTED_WORK, permitted_work),
)
