"""Migrations upgrade a database that already holds data, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from clms.adapters.db.migrate import alembic_config, upgrade
from clms.bootstrap import bootstrap
from clms.ports import CaseQuery
from clms.services import cases as s
from clms.settings import Settings


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
    assert s.list_cases(CaseQuery(), app.uow()) == []  # the use cases work on the upgraded schema
    app.engine.dispose()


def test_every_migration_can_be_undone_and_done_again(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)


def test_identifications_made_before_rules_were_versioned_read_back_with_no_version(
    database_url: str,
) -> None:
    command.upgrade(alembic_config(database_url), "0002")
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT rules_version FROM identifications")).all()
    engine.dispose()
    assert columns == []  # the column exists (empty table), with "" as its default
