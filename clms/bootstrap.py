"""The composition root: the one place that picks the database, the rules and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from clms.adapters.db.engine import make_engine
from clms.adapters.db.uow import SqlUnitOfWork
from clms.config_files import load_country
from clms.domain.rules import CountryRules
from clms.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    rules: CountryRules
    engine: Engine
    clock: Clock = field(default=system_clock)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.rules)

    def migrate(self) -> None:
        from clms.adapters.db.migrate import upgrade  # Alembic is needed only here

        upgrade(self.settings.database_url)


def bootstrap(settings: Settings | None = None, clock: Clock = system_clock) -> App:
    settings = settings or Settings()
    rules = load_country(settings.country, settings.config_dir)
    return App(settings, rules, make_engine(settings.database_url), clock)
