"""Migrations build exactly the schema the tables describe, upgrade a database that already
holds data, and can be undone and done again, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from clms.adapters.db import tables  # noqa: F401  (registers the tables on the metadata)
from clms.adapters.db.engine import make_engine
from clms.adapters.db.migrate import alembic_config, upgrade
from clms.bootstrap import bootstrap
from clms.ports import CaseQuery
from clms.services import commands as c
from clms.settings import Settings
from tests.builders import NOW, child, seen

PROJECT_TABLES = set(SQLModel.metadata.tables)


def test_an_existing_database_with_cases_upgrades_to_the_latest_schema(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0001")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO providers (code, name, district, phone, email) "
            "VALUES ('SCH-1', 'School No. 1', 'KZ-TUR-MAK', '', 'a@example.kz')"
        ))  # fmt: skip
    engine.dispose()
    upgrade(database_url)
    app = bootstrap(Settings(database_url=database_url))
    with app.uow() as uow:
        provider = uow.providers.get("SCH-1")
    assert (provider.name, provider.email, provider.webhook_url, provider.language) == (
        "School No. 1",
        "a@example.kz",
        "",
        "ru",
    )
    assert app.handle(c.ListCases(CaseQuery())) == []  # the use cases work on the upgraded schema
    app.engine.dispose()


def test_the_migrated_schema_is_exactly_the_one_the_tables_describe(database_url: str) -> None:
    # Tables, columns, types, nullability, server defaults, indexes, unique and foreign keys:
    # a change to tables.py without a migration (or the other way round) shows here.
    upgrade(database_url)
    assert _differences_from_the_tables(database_url) == []


def test_every_migration_can_be_undone_and_done_again(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    assert _table_names(database_url) <= {"alembic_version"}
    assert _revision_of(database_url) is None

    upgrade(database_url)
    assert _table_names(database_url) == PROJECT_TABLES | {"alembic_version"}
    assert _revision_of(database_url) == _head(database_url)
    assert _differences_from_the_tables(database_url) == []
    _a_case_is_stored_and_its_history_stays_append_only(database_url)


def _a_case_is_stored_and_its_history_stays_append_only(url: str) -> None:
    app = bootstrap(Settings(database_url=url), clock=lambda: NOW)
    identify = c.Identify(child(), seen("after-redo", "weeding"), NOW)
    number = app.handle(identify).case_number
    case = app.handle(c.GetCase(number))
    assert (case.child, [h.trigger for h in case.history]) == (child(), ["identify"])
    # The downgrade dropped the append-only triggers with the table: they must be back.
    with pytest.raises(DBAPIError, match="append-only"), app.engine.begin() as connection:
        connection.execute(text("DELETE FROM case_history"))
    app.engine.dispose()


def _differences_from_the_tables(url: str) -> list[Any]:
    engine = make_engine(url)
    with engine.connect() as connection:
        options = {"compare_type": True, "compare_server_default": True}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return differences


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def _revision_of(url: str) -> str | None:
    engine = make_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_identifications_made_before_rules_were_versioned_read_back_with_no_version(
    database_url: str,
) -> None:
    upgrade(database_url)
    app = bootstrap(Settings(database_url=database_url), clock=lambda: NOW)
    identify = c.Identify(child(), seen("before-versions", "weeding"), NOW)
    number = app.handle(identify).case_number
    reasons = app.handle(c.GetCase(number)).identifications[0].classification.reasons
    command.downgrade(alembic_config(database_url), "0002")  # as it was before versions
    upgrade(database_url)
    classification = app.handle(c.GetCase(number)).identifications[0].classification
    assert (classification.rules_version, classification.reasons) == ("", reasons)
    app.engine.dispose()
