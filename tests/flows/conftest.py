"""Flows run under one Prefect test harness for the whole session (it takes seconds to
start): a temporary local API and database, no network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from clms.bootstrap import App, bootstrap
from clms.services.commands import SetMode
from clms.settings import Settings
from tests.builders import NOW

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flows_app(prefect_harness: None, tmp_path: Path) -> Iterator[App]:
    """The flows work with this test's App, on a SQLite file (the rules' SQL is run on
    PostgreSQL too in tests/check)."""
    from clms.bootstrap import use_app

    system = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/clms.db"), clock=lambda: NOW)
    system.migrate()
    system.handle(SetMode("simulation"))  # `clms check --now` replays a time on it
    use_app(system)
    yield system
    use_app(None)
    system.engine.dispose()
