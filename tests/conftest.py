"""Shared fixtures: the Kazakhstan rules, a fixed clock, fakes and a real SQLite app."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from clms.bootstrap import App, bootstrap
from clms.config_files import load_country
from clms.domain.model import Actor, Child, Observation, Provider, Role
from clms.domain.rules import CountryRules
from clms.settings import Settings
from tests import postgres
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOCIAL_WORKER = Actor("aigul.s", Role.SOCIAL_WORKER)
SUPERVISOR = Actor("marat.k", Role.SUPERVISOR)
DISTRICT = "KZ-TUR-MAK"


@pytest.fixture(scope="session")
def kz() -> CountryRules:
    return load_country("kz")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for provider in PROVIDERS:
        fake.providers.add(provider)
    return fake


@pytest.fixture(scope="session")
def postgres_host() -> Iterator[str]:
    if postgres.server_binaries() is None:
        if os.environ.get("CLMS_REQUIRE_POSTGRES"):
            pytest.fail("CLMS_REQUIRE_POSTGRES is set but no PostgreSQL server is installed")
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql; CI installs it)")
    with postgres.temporary_server() as host:
        yield host


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tests run on a SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/clms.db"
    host = request.getfixturevalue("postgres_host")
    return postgres.create_database(host, f"clms_{next(_databases)}")


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    """A migrated database with the test directory in it, and a clock fixed at NOW."""
    system = bootstrap(Settings(database_url=database_url), clock=lambda: NOW)
    system.migrate()
    with system.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    yield system
    system.engine.dispose()


_databases = itertools.count(1)


def child(
    first: str = "Айгерім",
    last: str = "Сапарова",
    born: date = date(2013, 4, 5),
    district: str = DISTRICT,
) -> Child:
    return Child(first, last, born, "f", district)


def seen(
    submission: str = "sub-1", *activities: str, at: datetime = NOW, **facts: object
) -> Observation:
    return Observation(submission, "inspector.b", at, tuple(activities), **facts)  # type: ignore[arg-type]


PROVIDERS = (
    Provider("SCH-12", "School-lyceum No. 12", DISTRICT, frozenset({("school", DISTRICT)})),
    Provider(
        "VOC-1",
        "Maktaaral Agrarian College",
        DISTRICT,
        frozenset({("vocational_training", DISTRICT), ("non_formal_education", DISTRICT)}),
    ),
    Provider(
        "SCH-ALM", "Secondary school No. 45", "KZ-ALA-ALT", frozenset({("school", "KZ-ALA-ALT")})
    ),
)
