"""How long one case transition takes: the shared machine alone, the domain with its
guards, effects and history row, and a whole use case on a SQLite file (load, fire,
save, commit with synchronous=FULL). Prints its figures; run with `make bench`."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from clms.bootstrap import bootstrap
from clms.config_files import load_country
from clms.domain.lifecycle import Act, fire
from clms.domain.model import Actor, Case, Category, Child, Observation, Role
from clms.services import cases as s
from clms.services import commands as c
from clms.settings import Settings
from clms.states import CASE_LIFECYCLE

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
WORKER = Actor("bench", Role.SOCIAL_WORKER)
RULES = load_country("kz")


class Bare:
    """The cheapest model the machine can fire on: no guards, no effects."""

    def __init__(self) -> None:
        self.state = "identified"

    def record_assessment(self, event: object) -> None:
        pass


def per_call_us(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            action()
        samples.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(samples), min(samples)


def machine_only() -> tuple[float, float]:
    model = Bare()

    def step() -> None:
        model.state = "identified"
        CASE_LIFECYCLE.fire(model, "assess")

    return per_call_us(step, 20_000)


def domain_transition() -> tuple[float, float]:
    child = Child("Айгерім", "Сапарова", date(2013, 4, 5), "f", "KZ-TUR-MAK")
    case = Case("KZ-1", "kz", child, Category.HAZARDOUS, NOW)
    act = Act(WORKER, NOW, RULES, reason="bench")

    def step() -> None:
        case.state, case.history = "identified", []
        fire(case, "assess", act)

    return per_call_us(step, 20_000)


def use_case_on_sqlite(cases: int = 300) -> tuple[float, float]:
    app = bootstrap(Settings(database_url=f"sqlite:///{tempfile.mkdtemp()}/bench.db"))
    app.migrate()
    child = Child("Айгерім", "Сапарова", date(2013, 4, 5), "f", "KZ-TUR-MAK")
    numbers = []
    for n in range(cases):
        seen = Observation(f"b-{n}", "m", NOW, ("weeding",))
        named = replace(child, birth_date=child.birth_date - timedelta(days=n))  # distinct children
        numbers.append(s.identify(c.Identify(named, seen, NOW), app.uow(), app.rules).case_number)
    samples = []
    for number in numbers:
        start = time.perf_counter()
        s.assess(c.Assess(number, WORKER, NOW + timedelta(hours=1)), app.uow(), app.rules)
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples), min(samples)


def main() -> None:
    print("one case transition (assess), median and best of the runs, in microseconds")
    for name, measure in [
        ("shared machine only", machine_only),
        ("domain: guards, effects, history row", domain_transition),
        ("use case on SQLite (load, fire, save, commit)", use_case_on_sqlite),
    ]:
        median, best = measure()
        print(f"  {name:<48} median {median:9.1f} us   best {best:9.1f} us")


if __name__ == "__main__":
    main()
