"""Shared fixtures: the Kazakhstan rules, the fakes and an App over them, and an App on a
real database (SQLite and PostgreSQL). What they are built from is in tests/builders.py."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from clms.bootstrap import App, bootstrap
from clms.config_files import load_country
from clms.domain.rules import CountryRules
from clms.settings import Settings
from tests import postgres
from tests.builders import NOW, PROVIDERS, app_over, fakes_with_providers
from tests.fakes import FakeUnitOfWork


@pytest.fixture(scope="session")
def kz() -> CountryRules:
    return load_country("kz")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """The fakes, with the test directory in them."""
    return fakes_with_providers()


@pytest.fixture
def fake_app(uow: FakeUnitOfWork, kz: CountryRules) -> App:
    """An App whose use cases work on `uow`, with a clock fixed at NOW."""
    return app_over(uow, kz)


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
    """A migrated database with the test directory in it, and a clock fixed at NOW. The
    check works in chunks of two cases, so that its tests cross chunk boundaries."""
    settings = Settings(database_url=database_url, check_chunk_size=2)
    system = bootstrap(settings, clock=lambda: NOW)
    system.migrate()
    with system.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    yield system
    system.engine.dispose()


_databases = itertools.count(1)
