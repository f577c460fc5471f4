"""How long one case transition takes: the shared machine alone, the domain with its
guards, effects and history row, and a whole use case on a SQLite file (load, fire,
save, commit with synchronous=FULL), beside plain SQL doing the same writes on a copy of
the same file (read the case, update it under its version, append its history row,
commit). Prints its figures; run with `make bench`."""

from __future__ import annotations

import json
import shutil
import sqlite3
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


def use_case_and_plain_sql(cases: int = 300) -> tuple[tuple[float, float], tuple[float, float]]:
    """The use case on one file, plain SQL on a copy of it: the same cases, the same writes."""
    folder = tempfile.mkdtemp()
    app = bootstrap(Settings(database_url=f"sqlite:///{folder}/bench.db"))
    app.migrate()
    child = Child("Айгерім", "Сапарова", date(2013, 4, 5), "f", "KZ-TUR-MAK")
    numbers = []
    for n in range(cases):
        seen = Observation(f"b-{n}", "m", NOW, ("weeding",))
        named = replace(child, birth_date=child.birth_date - timedelta(days=n))  # distinct children
        numbers.append(s.identify(c.Identify(named, seen, NOW), app.uow(), app.rules).case_number)
    app.engine.dispose()
    shutil.copy(f"{folder}/bench.db", f"{folder}/plain.db")
    app = bootstrap(Settings(database_url=f"sqlite:///{folder}/bench.db"))
    samples = []
    for number in numbers:
        start = time.perf_counter()
        s.assess(c.Assess(number, WORKER, NOW + timedelta(hours=1)), app.uow(), app.rules)
        samples.append((time.perf_counter() - start) * 1e6)
    return (statistics.median(samples), min(samples)), plain_sql(f"{folder}/plain.db", numbers)


def plain_sql(path: str, numbers: list[str]) -> tuple[float, float]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    at = (NOW + timedelta(hours=1)).replace(tzinfo=None).isoformat(" ", "microseconds")
    due = (NOW + timedelta(days=15)).replace(tzinfo=None).isoformat(" ", "microseconds")
    samples = []
    for number in numbers:
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        case_id, version, state = connection.execute(
            "SELECT id, version, state FROM cases WHERE number = ?", (number,)
        ).fetchone()
        connection.execute(
            "UPDATE cases SET state = 'assessed', state_entered_at = ?, assessed_at = ?,"
            " alternative_status = 'none', next_action_due = ?, version = version + 1,"
            " updated_at = ? WHERE id = ? AND version = ?",
            (at, at, due, at, case_id, version),
        )
        connection.execute(
            'INSERT INTO case_history (case_id, seq, at, actor, role, "trigger", from_state,'
            " to_state, reason, data) VALUES (?, 2, ?, 'bench', 'social_worker', 'assess', ?,"
            " 'assessed', '', '{}')",
            (case_id, at, state),
        )
        connection.execute("COMMIT")
        samples.append((time.perf_counter() - start) * 1e6)
    connection.close()
    return statistics.median(samples), min(samples)


def main() -> None:
    print("one case transition (assess), median and best of the runs, in microseconds")
    for name, measure in [
        ("shared machine only", machine_only),
        ("domain: guards, effects, history row", domain_transition),
    ]:
        median, best = measure()
        print(f"  {name:<48} median {median:9.1f} us   best {best:9.1f} us")
    use_case, plain = use_case_and_plain_sql()
    for name, (median, best) in [
        ("use case on SQLite (load, fire, save, commit)", use_case),
        ("plain SQL, the same writes (sqlite3)", plain),
    ]:
        print(f"  {name:<48} median {median:9.1f} us   best {best:9.1f} us"
              f"   {1e6 / median:7.0f} per second")  # fmt: skip
    ratio = use_case[0] / plain[0]
    print(f"  use case / plain SQL: {ratio:.2f}x (medians)")
    print(json.dumps({"use_case_per_second": round(1e6 / use_case[0]),
                      "plain_sql_per_second": round(1e6 / plain[0]), "ratio": round(ratio, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
