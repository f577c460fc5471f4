"""The daily check at scale, side by side with its raw-SQL floor (benchmarks/floor.py):
one synthetic caseload written straight into the tables, copied, and checked three times
on each copy: the first run, the same day again (nothing new), the next day. Each run is
a process of its own (its peak memory is its own), the project and the floor taking
turns. Prints a table and one JSON line; `make bench`, or

    python benchmarks/check.py [CASES] [--postgresql]

The project's side goes through App.handle, as the flow's tasks do (FindCheckChunks once
per rule, ActOnCheckChunk once per chunk), without Prefect: a task run costs 5-8 ms here,
and the flow maps one per chunk, so the task runs are counted, not timed."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from clms.adapters.db.tables import CaseRow, FollowUpRow, ProviderRow, ReferralRow, StaffRow
from clms.bootstrap import App, bootstrap
from clms.domain.reminders import RUN_ORDER
from clms.services.commands import ActOnCheckChunk, FindCheckChunks
from clms.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
DAYS = (("first run", NOW), ("same day again", NOW), ("next day", NOW + timedelta(days=1)))
STATES = (
    ["identified"] * 20
    + ["assessed"] * 10
    + ["referred"] * 15
    + ["in_service"] * 40
    + ["closed"] * 15
)


def app_on(url: str, chunk_size: int | None = None) -> App:
    settings = Settings(database_url=url)
    if chunk_size:
        settings = Settings(database_url=url, check_chunk_size=chunk_size)
    return bootstrap(settings, clock=lambda: NOW)


def synthetic(app: App, count: int, rng: random.Random) -> None:
    """Cases in every state, due dates spread over the last and the next 60 days."""
    districts = list(app.rules.districts.values())
    with app.engine.begin() as connection:
        connection.execute(insert(ProviderRow), [{"code": "SCH", "name": "School", "district": districts[0].code,
                                                  "phone": "", "email": "s@example.kz", "webhook_url": "", "language": "ru"}])  # fmt: skip
        connection.execute(insert(StaffRow), [{"name": f"SW {d.code}", "role": "social_worker", "area": d.code,
                                               "phone": "+7700", "email": "", "language": "ru"} for d in districts])  # fmt: skip
        for start in range(0, count, 10_000):
            rows = [_case(n, rng, districts) for n in range(start, min(start + 10_000, count))]
            connection.execute(insert(CaseRow), rows)
            connection.execute(
                insert(ReferralRow),
                [_referral(r, rng) for r in rows if r["state"] in ("referred", "in_service")],
            )
            connection.execute(
                insert(FollowUpRow),
                [f for r in rows if r["state"] == "in_service" for f in _follow_ups(r)],
            )


def _case(n: int, rng: random.Random, districts: list[Any]) -> dict[str, Any]:
    district = rng.choice(districts)
    state = rng.choice(STATES)
    due = NOW + timedelta(days=rng.randint(-60, 60))
    return {
        "id": n + 1, "number": f"KZ-{n + 1:07d}", "country": "kz", "district": district.code,
        "region": district.region, "first_name": "Aigerim", "last_name": f"S{n}", "first_key": "aigerim",
        "last_key": f"s{n}", "birth_date": date(2009 + n % 9, 1 + n % 12, 1 + n % 28), "sex": "f",
        "category": "hazardous", "priority": "urgent" if n % 50 == 0 else "normal", "state": state,
        "state_entered_at": due - timedelta(days=7), "alternative_status": "pending",
        "next_action_due": None if state == "closed" else due, "opened_at": due - timedelta(days=30),
        "updated_at": due - timedelta(days=7), "version": 1, "assessment": "", "relapses": 0,
        "failed_contacts": 0, "service_started_on": (due - timedelta(days=30)).date() if state == "in_service" else None,
    }  # fmt: skip


def _referral(case: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    started = case["state"] == "in_service"
    return {"case_id": case["id"], "provider_code": "SCH", "service_type": "school",
            "state": "started" if started else "sent", "proposed_at": case["opened_at"],
            "due_at": case["next_action_due"], "override_reason": "", "answer_note": "",
            "started_on": case["service_started_on"]}  # fmt: skip


def _follow_ups(case: dict[str, Any]) -> list[dict[str, Any]]:
    start = case["service_started_on"]
    return [{"case_id": case["id"], "due_on": start + timedelta(days=d), "state": "scheduled",
             "note": "", "evidence": ""} for d in (30, 90, 180)]  # fmt: skip


# --- one run, in a process of its own ---------------------------------------------------


def run_project(url: str, now: datetime, chunk_size: int) -> dict[str, Any]:
    app = app_on(url, chunk_size)
    found, chunks = 0, 0
    start = time.perf_counter()
    for rule in RUN_ORDER:
        for chunk in app.handle(FindCheckChunks(rule, now)):
            found += sum(app.handle(ActOnCheckChunk(rule, chunk, now)).found.values())
            chunks += 1
    return {"seconds": time.perf_counter() - start, "found": found, "chunks": chunks}


def run_floor(url: str, now: datetime, chunk_size: int) -> dict[str, Any]:
    from floor import Floor

    app = app_on(url)
    floor = Floor(app.engine, app.rules, chunk_size)
    start = time.perf_counter()
    found = floor.run(now)
    return {"seconds": time.perf_counter() - start, "found": sum(found.values()), "chunks": 0}


def one_run(side: str, url: str, now: str, chunk_size: str) -> None:
    run = run_project if side == "project" else run_floor
    result = run(url, datetime.fromisoformat(now), int(chunk_size))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result | {"peak_mib": round(peak_kib / 1024)}))


def in_a_process(side: str, url: str, now: datetime, chunk_size: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one-run", side, url, now.isoformat(), str(chunk_size)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- the databases ------------------------------------------------------------------------


@contextmanager
def sqlite_copies(count: int) -> Iterator[tuple[str, str, float]]:
    folder = Path(tempfile.mkdtemp(prefix="clms-bench-"))
    template = folder / "template.db"
    seconds = _generate(f"sqlite:///{template}", count)
    with sqlite3.connect(template) as connection:  # everything in the file, none in the WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for side in ("project", "floor"):
        shutil.copy(template, folder / f"{side}.db")
    try:
        yield f"sqlite:///{folder}/project.db", f"sqlite:///{folder}/floor.db", seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgresql_copies(count: int) -> Iterator[tuple[str, str, float]]:
    sys.path.insert(0, str(ROOT))
    from tests.postgres import create_database, temporary_server

    with temporary_server() as host:
        seconds = _generate(create_database(host, "template_check"), count)
        urls = [_copy_database(host, "template_check", side) for side in ("project", "floor")]
        yield urls[0], urls[1], seconds


def _copy_database(host: str, template: str, name: str) -> str:
    import psycopg

    from tests.postgres import PORT

    with psycopg.connect(
        host=host, port=PORT, user="postgres", dbname="postgres", autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"postgresql+psycopg://postgres@/{name}?host={host}&port={PORT}"


def _generate(url: str, count: int) -> float:
    start = time.perf_counter()
    app = app_on(url)
    app.migrate()
    synthetic(app, count, random.Random(1))
    app.engine.dispose()
    return time.perf_counter() - start


# --- the report ---------------------------------------------------------------------------


def measure(count: int, database: str, chunk_size: int) -> dict[str, Any]:
    copies = postgresql_copies if database == "postgresql" else sqlite_copies
    with copies(count) as (project_url, floor_url, generated):
        print(f"{database}: {count:,} cases written in {generated:.1f} s; chunks of {chunk_size:,}")
        runs = []
        for day, now in DAYS:
            project = in_a_process("project", project_url, now, chunk_size)
            floor = in_a_process("floor", floor_url, now, chunk_size)
            runs.append({"run": day, "project": project, "floor": floor,
                         "ratio": round(project["seconds"] / floor["seconds"], 2)})  # fmt: skip
            _print_row(runs[-1])
    return {"database": database, "cases": count, "chunk_size": chunk_size, "runs": runs,
            "date": date.today().isoformat(), "cores": os.cpu_count()}  # fmt: skip


def _print_row(run: dict[str, Any]) -> None:
    project, floor = run["project"], run["floor"]
    task_runs = project["chunks"] + len(RUN_ORDER)  # the flow: a find per rule, a task per chunk
    print(
        f"  {run['run']:<16} {project['found']:>9,} found  project {project['seconds']:8.2f} s"
        f" ({project['peak_mib']:>5} MiB, {task_runs:>4} task runs)  floor {floor['seconds']:7.2f} s"
        f" ({floor['peak_mib']:>4} MiB, {floor['found']:>9,} found)  ratio {run['ratio']:5.2f}x"
    )


def main() -> None:
    if sys.argv[1:2] == ["--one-run"]:
        one_run(*sys.argv[2:6])
        return
    words = [w for w in sys.argv[1:] if not w.startswith("--")]
    count = int(words[0].replace("_", "")) if words else 200_000
    database = "postgresql" if "--postgresql" in sys.argv else "sqlite"
    chunk_size = Settings().check_chunk_size
    print("the daily check, seconds, the project and its raw-SQL floor in turn")
    print(json.dumps(measure(count, database, chunk_size)))


if __name__ == "__main__":
    main()
