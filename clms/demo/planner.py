"""The planner: who is seen, where, when, doing what. It draws one child per story from
the tables (clms.demo.data), each seen in a window of days before the clock that leaves room
for the whole story (clms.demo.stories), and never a child an open case already has: that
child would attach to the case instead of opening a new one."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from clms.demo.context import Demo
from clms.demo.data import (
    BOYS,
    BOYS_LATIN,
    DISTRICT_WEIGHTS,
    GIRLS,
    GIRLS_LATIN,
    LATIN_SHARE,
    MONITORS,
    NEIGHBOUR,
    NOT_WORK,
    SPELLINGS,
    SURNAMES,
    SURNAMES_LATIN,
    WORK,
    WORST_SERVICES,
    Sighting,
)
from clms.domain.model import Child, Observation
from clms.ports import ChildKey
from clms.services.cases import child_key

# The stories import the planner, so `load` hands the catalogue in and `Kind` is a type here.
if TYPE_CHECKING:
    from clms.demo.stories import Kind


@dataclass(frozen=True)
class Plan:
    kind: Kind
    need: str  # a key of NEEDS
    child: Child
    seen: Observation
    alias: Child | None = None  # the same child as spelled in the passport
    twin: Child | None = None  # the same child, registered again in the next district


def plan_all(demo: Demo, stories: Sequence[Kind], n: int) -> list[Plan]:
    """One plan per child for `n` of the `stories`, sorted by the moment the child is seen,
    so that case numbers follow the calendar as they would in the field."""
    used: set[ChildKey] = set()
    plans = [_plan(demo, kind, used) for kind in _allocate(stories, n, demo.rng)]
    return sorted(plans, key=lambda plan: plan.seen.observed_at)


def _allocate(stories: Sequence[Kind], n: int, rng: random.Random) -> list[Kind]:
    """One of each story first, so that even a small demo shows every state."""
    first = list(stories[:n])
    weights = [kind.weight for kind in stories]
    return first + rng.choices(stories, weights=weights, k=n - len(first))


def _plan(demo: Demo, kind: Kind, used: set[ChildKey]) -> Plan:
    rng = demo.rng
    need = rng.choice(kind.needs)
    district = _district(rng, need)
    seen_at = _seen_at(rng, demo.now, kind.window)
    sighting = _sighting(rng, need, district, seen_at.month, kind.aged_out)
    while True:  # draw again while an open case has this child: it would attach to it
        plan = _draw_child(demo, kind, need, sighting, district, seen_at)
        children = [child for child in (plan.child, plan.twin) if child]
        if all(demo.is_new(child, used) for child in children):
            used.update(child_key(child) for child in children)
            return plan


def _district(rng: random.Random, need: str) -> str:
    if need == "worst":  # the worst forms in the tables are Almaty's
        return rng.choice([d for d, found in WORK.items() if any(map(_is_worst, found))])
    return rng.choices(list(DISTRICT_WEIGHTS), weights=list(DISTRICT_WEIGHTS.values()))[0]


def _seen_at(rng: random.Random, now: datetime, window: tuple[int, int]) -> datetime:
    """A daytime moment `window` days before now (03:00-13:00 UTC is 08:00-18:00 local)."""
    day = (now - timedelta(days=rng.uniform(*window))).date()
    return datetime.combine(day, time(3), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))


def _sighting(rng: random.Random, need: str, district: str, month: int, aged_out: bool) -> Sighting:
    """A pattern for the need, in season when one is (cotton in autumn, weeding in summer)."""
    found = NOT_WORK.get(need, WORK[district])
    fitting = [s for s in found if need == "labour" or _is_worst(s) == (need == "worst")]
    fitting = [s for s in fitting if not aged_out or s.ages[0] <= 17 <= s.ages[1]]
    in_season = [s for s in fitting if month in s.months] or fitting
    return rng.choices(in_season, weights=[s.weight for s in in_season])[0]


def _is_worst(sighting: Sighting) -> bool:
    return any(code in WORST_SERVICES for code in sighting.activities)


def _draw_child(
    demo: Demo, kind: Kind, need: str, sighting: Sighting, district: str, seen_at: datetime
) -> Plan:
    rng = demo.rng
    sex = sighting.sex or rng.choice("fm")
    (first, last), passport = _name(rng, sex, kind.alias)
    if kind.aged_out:
        born = _born_to_age_out(rng, seen_at, demo.now)
    else:
        born = _born(rng, rng.randint(*sighting.ages), seen_at.date(), demo.now.date())
    child = Child(first, last, born, sex, district)
    alias = replace(child, first_name=passport[0], last_name=passport[1]) if passport else None
    twin = replace(child, district=NEIGHBOUR[district]) if kind.twin else None
    return Plan(kind, need, child, _observation(demo, sighting, district, seen_at), alias, twin)


def _name(rng: random.Random, sex: str, alias: bool) -> tuple[tuple[str, str], list[str] | None]:
    """(first, last), and the passport spelling when the story needs one."""
    if alias:
        first, last, *passport, _ = rng.choice([s for s in SPELLINGS if s[4] == sex])
        return (first, last), passport
    latin = rng.random() < LATIN_SHARE
    girls, boys = (GIRLS_LATIN, BOYS_LATIN) if latin else (GIRLS, BOYS)
    his, hers = rng.choice(SURNAMES_LATIN if latin else SURNAMES)
    if sex == "f":
        return (rng.choice(girls), hers), None
    return (rng.choice(boys), his), None


def _born(rng: random.Random, age: int, seen: date, today: date) -> date:
    """A birthday that makes the child `age` when seen and still under 18 today, so that
    every referral in the story fits a service for children."""
    latest = years_before(seen, age)
    earliest = max(years_before(seen, age + 1), years_before(today, 18)) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _born_to_age_out(rng: random.Random, seen_at: datetime, now: datetime) -> date:
    """17 when seen, 18 at least 20 days ago: the case can close as aged out."""
    first, last = seen_at.date() + timedelta(days=100), now.date() - timedelta(days=20)
    eighteenth = first + timedelta(days=rng.randint(0, (last - first).days))
    return years_before(eighteenth, 18)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _observation(demo: Demo, sighting: Sighting, district: str, seen_at: datetime) -> Observation:
    rng = demo.rng
    in_school = rng.random() < 0.6 if sighting.in_school is None else sighting.in_school
    return Observation(
        submission_id=demo.submission_id(),
        monitor=rng.choice(MONITORS[district]),
        observed_at=seen_at,
        activities=sighting.activities,
        conditions=sighting.conditions,
        hours_per_week=rng.randint(*sighting.hours) if sighting.activities else None,
        parent_consent=sighting.light,
        free_time_only=sighting.light,
        in_school=in_school,
        family_at_risk=sighting.family_at_risk,
        note=sighting.note,
    )
