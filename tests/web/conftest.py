"""The answer page served for real: uvicorn on 127.0.0.1 in a thread, a SQLite database
with a child in service at School No. 3 and an attendance-check link waiting for it.

SQLite for most tests, copied from one seeded file to keep them fast; the tests of what
the database guarantees (an answer recorded once) run on PostgreSQL too."""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from clms.adapters.db.tables import AttendanceReportRow, ProviderRow
from clms.bootstrap import App, bootstrap
from clms.settings import Settings
from clms.web.app import create_app
from tests import postgres
from tests.builders import (
    DAY,
    NOW,
    PROVIDERS,
    SCHOOL,
    add_contacts,
    identified,
    in_service,
    reminders_of,
    run_check,
)
from tests.servers import ThreadedServer, wait_until
from tests.web.staff import staff_system

CHECKED = NOW + 25 * DAY  # the daily check finds the first follow-up coming due
ANSWERED = CHECKED + DAY  # and the school answers the next morning
MINUTE = DAY / (24 * 60)
LINK = re.compile(r"/answer/([A-Za-z0-9_\-\.]+)")

Serve = Callable[[App], str]


@dataclass(frozen=True)
class Waiting:
    """A case whose school has an unanswered attendance-check link."""

    app: App
    number: str
    token: str


@dataclass(frozen=True)
class Seeded:
    """A database file as the check left it: built once, copied for every test."""

    path: Path
    number: str
    token: str


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path = tmp_path_factory.mktemp("seeded") / "clms.db"
    return Seeded(path, *seed(f"sqlite:///{path}"))


def seed(database_url: str) -> tuple[str, str]:
    """Like tests/conftest.py's app, with a child in service at School No. 3 and the
    check's attendance-check reminder to the school: the case number and the link's token."""
    system = at_time(database_url, CHECKED)
    system.migrate()
    with system.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    add_contacts(system)
    number = in_service(system, identified(system, "s"), provider="SCH-MAIL")
    run_check(system, CHECKED)
    (reminder,) = [r for r in reminders_of(system, number) if r.rule == "attendance_check"]
    system.engine.dispose()
    found = LINK.search(reminder.body)
    assert found is not None, f"no answer link in {reminder.body!r}"
    return number, found.group(1)


@pytest.fixture
def database_url(seeded: Seeded, tmp_path: Path) -> str:
    """This test's own copy of the seeded database (SQLite's backup API: WAL-safe)."""
    copy = tmp_path / "clms.db"
    with closing(sqlite3.connect(seeded.path)) as source, closing(sqlite3.connect(copy)) as to:
        source.backup(to)
    return f"sqlite:///{copy}"


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    """The App the answer page runs with: its clock says the school answers the morning
    after the check."""
    system = at_time(database_url, ANSWERED)
    yield system
    system.engine.dispose()


def at_time(database_url: str, now: datetime) -> App:
    """An App on that database whose clock says `now`."""
    return bootstrap(Settings(database_url=database_url), clock=lambda: now)


@dataclass
class Clock:
    """A clock a test moves on, for one server through a story told minute by minute."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def school_speaks(app: App, language: str) -> None:
    """School No. 3's language in the service directory (English as seeded)."""
    provider = ProviderRow.__table__.c
    with app.engine.begin() as db:
        db.execute(
            update(ProviderRow).where(provider.code == SCHOOL.code).values(language=language)
        )


@pytest.fixture
def waiting(app: App, seeded: Seeded) -> Waiting:
    return Waiting(app, seeded.number, seeded.token)


@pytest.fixture
def waiting_on_postgres(postgres_host: str) -> Iterator[Waiting]:
    """The same, on a real PostgreSQL server (tests/conftest.py starts it, or skips)."""
    database_url = postgres.create_database(postgres_host, f"clms_web_{next(_databases)}")
    number, token = seed(database_url)
    system = at_time(database_url, ANSWERED)
    yield Waiting(system, number, token)
    system.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def waiting_anywhere(request: pytest.FixtureRequest) -> Waiting:
    """`waiting` on SQLite, then on PostgreSQL."""
    name = "waiting" if request.param == "sqlite" else "waiting_on_postgres"
    waiting: Waiting = request.getfixturevalue(name)
    return waiting


_databases = itertools.count(1)


@pytest.fixture
def staff_app(tmp_path: Path) -> Iterator[App]:
    """An App with the staff of tests/web/staff.py, its clock at NOW."""
    system = staff_system(tmp_path)
    yield system
    system.engine.dispose()


@pytest.fixture
def staff_client(staff_app: App) -> Iterator[TestClient]:
    with TestClient(create_app(staff_app)) as browser:
        yield browser


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Serves an App's web pages; returns the base URL. Every server stops at the end."""
    running: list[ThreadedServer] = []

    def start(system: App) -> str:
        server = ThreadedServer(create_app(system))
        running.append(server)
        base_url = f"http://127.0.0.1:{server.start()}"
        wait_until(lambda: _healthy(base_url), f"{base_url}/health does not answer")
        return base_url

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def site(serve: Serve, app: App) -> str:
    """The base URL of the answer page, served for the test's App."""
    return serve(app)


def recorded_answers(app: App) -> list[str]:
    """The schools' answers in the attendance_reports table."""
    with app.engine.connect() as db:
        return list(db.execute(select(AttendanceReportRow.__table__.c.answer)).scalars())


def answer_url(site: str, token: str) -> str:
    """The reminder's link points at settings.public_url; the test asks its own server."""
    return f"{site}/answer/{token}"


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health", timeout=0.5).text == "ok"
    except httpx.TransportError:
        return False
