"""What the storage guarantees beyond the schema: a SQLite file only its owner can read, a
locked database that says "busy, try again" (never a traceback), a history that even a
hand-written REPLACE cannot rewrite, and on PostgreSQL an application role that cannot
TRUNCATE, ALTER or DROP it. Real SQLite files, a real second connection holding the lock,
the real `clms` command and a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from clms.bootstrap import App, bootstrap
from clms.domain.access import User
from clms.domain.errors import StorageBusy
from clms.domain.model import Role
from clms.services import commands as c
from clms.settings import Settings
from tests import postgres
from tests.builders import NOW, PROVIDERS, identified, referred
from tests.locks import write_lock_held

CLMS = str(Path(sys.executable).with_name("clms"))
HISTORY_COLUMNS = "id, case_id, seq, at, actor, role, trigger, from_state, to_state, reason, data"


def sqlite_app(path: Path, busy_timeout_seconds: float = 30) -> App:
    settings = Settings(database_url=f"sqlite:///{path}", busy_timeout_seconds=busy_timeout_seconds)
    return bootstrap(settings, clock=lambda: NOW)


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_file_its_journal_and_its_folder_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    with umask(0o022):  # the usual one, under which SQLite alone would create 0644 files
        app = sqlite_app(folder / "clms.db")
        app.migrate()
        identified(app, "s")
        with app.engine.connect():  # the -wal and -shm files exist while a connection is open
            modes = {p.name: mode_of(p) for p in folder.iterdir()}
    app.engine.dispose()
    assert modes == {"clms.db": 0o600, "clms.db-wal": 0o600, "clms.db-shm": 0o600}
    assert mode_of(folder) == 0o700


def test_an_existing_database_file_keeps_the_permissions_its_owner_gave_it(tmp_path: Path) -> None:
    path = tmp_path / "clms.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    app = sqlite_app(path)
    app.migrate()
    app.engine.dispose()
    assert mode_of(path) == 0o640


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    path = tmp_path / "clms.db"
    app = sqlite_app(path)
    app.migrate()
    identified(app, "first")
    app.engine.dispose()
    return path


def case_numbers(app: App) -> list[str]:
    with app.engine.connect() as db:
        return list(db.execute(text("SELECT number FROM cases ORDER BY number")).scalars())


def submissions(app: App) -> list[str]:
    with app.engine.connect() as db:
        query = text("SELECT submission_id FROM identifications ORDER BY id")
        return list(db.execute(query).scalars())


def test_a_write_behind_another_writers_lock_is_storage_busy_and_writes_nothing(
    migrated: Path,
) -> None:
    app = sqlite_app(migrated, busy_timeout_seconds=0.2)
    with write_lock_held(migrated), pytest.raises(StorageBusy, match="busy.*nothing was written"):
        identified(app, "while-locked")
    assert submissions(app) == ["first"]
    identified(app, "after-the-lock")  # the same work succeeds once the lock goes
    assert submissions(app) == ["first", "after-the-lock"]
    app.engine.dispose()


def clms(database: Path, *words: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CLMS_DATABASE_URL": f"sqlite:///{database}",
                   "CLMS_USER": "aigul.s", **env}  # fmt: skip
    return subprocess.run(
        [CLMS, *words], env=environment, capture_output=True, text=True, timeout=60
    )


def test_the_cli_on_a_locked_database_prints_one_line_and_exits_8(migrated: Path) -> None:
    system = bootstrap(Settings(database_url=f"sqlite:///{migrated}"))
    system.handle(
        c.AddUser(User("aigul.s", Role.SOCIAL_WORKER, "KZ-TUR-MAK"), "long enough, and secret")
    )
    identify = ("identify", "--submission-id", "odk-1", "--first-name", "Томирис",
                "--last-name", "Бекова", "--birth-date", "2012-09-14", "--sex", "f",
                "--district", "KZ-TUR-MAK", "--activity", "cotton_harvesting")  # fmt: skip
    with write_lock_held(migrated):
        listed = clms(migrated, "list", CLMS_BUSY_TIMEOUT_SECONDS="0.2")
        as_json = clms(migrated, *identify, "--json", CLMS_BUSY_TIMEOUT_SECONDS="0.2")
    assert (listed.returncode, listed.stdout) == (8, "")
    assert listed.stderr == (
        "error: the database is busy (another process is writing): nothing was written; try again\n"
    )
    assert as_json.returncode == 8 and "Traceback" not in as_json.stderr
    assert '"error": "StorageBusy"' in as_json.stdout
    assert clms(migrated, *identify).returncode == 0  # and works once the lock goes


def history_rows(app: App) -> list[Any]:
    with app.engine.connect() as db:
        return list(db.execute(text(f"SELECT {HISTORY_COLUMNS} FROM case_history ORDER BY id")))


@pytest.mark.parametrize(
    "rewrite",
    [
        # the same id: REPLACE would delete the row and insert its forgery
        f"INSERT OR REPLACE INTO case_history ({HISTORY_COLUMNS}) SELECT id, case_id, seq, at, "
        "'someone.else', role, trigger, from_state, to_state, 'rewritten', data FROM case_history",
        # a new id, the same (case, seq): REPLACE would delete the row the unique key meets
        f"REPLACE INTO case_history ({HISTORY_COLUMNS}) SELECT id + 1000, case_id, seq, at, "
        "'someone.else', role, trigger, from_state, to_state, 'rewritten', data FROM case_history",
        f"INSERT OR REPLACE INTO case_history ({HISTORY_COLUMNS}) SELECT NULL, case_id, seq, at, "
        "'someone.else', role, trigger, from_state, to_state, 'rewritten', data FROM case_history",
    ],
)
def test_replace_on_sqlite_cannot_rewrite_the_history(migrated: Path, rewrite: str) -> None:
    app = sqlite_app(migrated)
    before = history_rows(app)
    with pytest.raises(DBAPIError, match="case_history is append-only"), app.engine.begin() as db:
        db.exec_driver_sql(rewrite)
    assert history_rows(app) == before
    app.engine.dispose()


def test_new_history_is_still_appended_under_the_no_replace_trigger(migrated: Path) -> None:
    app = sqlite_app(migrated)
    with app.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    (number,) = case_numbers(app)
    referred(app, number)
    history = app.handle(c.GetCase(number)).history
    assert [h.trigger for h in history] == ["identify", "assess", "refer"]
    app.engine.dispose()


_names = itertools.count(1)


def url_as(host: str, user: str, database: str) -> str:
    return f"postgresql+psycopg://{user}@/{database}?host={host}&port={postgres.PORT}"


@pytest.fixture
def owned_database(postgres_host: str) -> tuple[str, str]:
    """A database owned by a role that is not a superuser (it may create roles), migrated,
    with the test directory: the owner's URL and the database's name."""
    n = next(_names)
    owner, database = f"clms_owner_{n}", f"clms_roles_{n}"
    with psycopg.connect(host=postgres_host, port=postgres.PORT, user="postgres",
                         dbname="postgres", autocommit=True) as admin:  # fmt: skip
        admin.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE")
        admin.execute(f"CREATE DATABASE {database} OWNER {owner}")
    owner_app = bootstrap(Settings(database_url=url_as(postgres_host, owner, database)))
    owner_app.migrate()
    with owner_app.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    owner_app.engine.dispose()
    return url_as(postgres_host, owner, database), database


def grant(owner_url: str, role: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CLMS_DATABASE_URL": owner_url}
    return subprocess.run([CLMS, "db", "grant-app-role", role], env=environment,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.postgres
def test_the_application_role_does_its_work_but_cannot_rewrite_truncate_alter_or_drop_the_history(
    postgres_host: str, owned_database: tuple[str, str]
) -> None:
    owner_url, database = owned_database
    role = f"clms_app_{next(_names)}"
    granted = grant(owner_url, role)
    assert granted.returncode == 0, granted.stderr
    assert f'CREATE ROLE "{role}" LOGIN;' in granted.stdout
    assert grant(owner_url, role).returncode == 0  # again, as after an upgrade: idempotent

    app = bootstrap(Settings(database_url=url_as(postgres_host, role, database)), clock=lambda: NOW)
    number = referred(app, identified(app, "as-the-app"))
    assert [h.trigger for h in app.handle(c.GetCase(number)).history] == [
        "identify",
        "assess",
        "refer",
    ]
    before = history_rows(app)

    refused = {}
    for statement in (
        "TRUNCATE case_history",
        "ALTER TABLE case_history DISABLE TRIGGER ALL",
        "DROP TABLE case_history",
        "UPDATE case_history SET reason = 'rewritten'",
        "DELETE FROM case_history",
        "TRUNCATE cases CASCADE",
        "ALTER TABLE cases ADD COLUMN note text",
    ):
        with pytest.raises(DBAPIError) as error, app.engine.begin() as db:
            db.exec_driver_sql(statement)
        refused[statement] = getattr(error.value.orig, "sqlstate", None)
    assert set(refused.values()) == {"42501"}, refused  # insufficient_privilege, every one
    assert history_rows(app) == before
    app.engine.dispose()


@pytest.mark.postgres
def test_granting_the_owner_itself_or_on_sqlite_is_refused_naming_why(
    owned_database: tuple[str, str], tmp_path: Path
) -> None:
    owner_url, _ = owned_database
    owner = owner_url.split("//", 1)[1].split("@", 1)[0]
    to_owner = grant(owner_url, owner)
    assert to_owner.returncode == 2
    assert f"'{owner}' is the owner or a superuser, whom grants do not restrict" in to_owner.stderr
    bad_name = grant(owner_url, "app; DROP TABLE cases")
    assert bad_name.returncode == 2 and "not a role name" in bad_name.stderr
    on_sqlite = clms(tmp_path / "x.db", "db", "grant-app-role", "clms_app")
    assert on_sqlite.returncode == 2 and "PostgreSQL's" in on_sqlite.stderr


@pytest.mark.postgres
def test_a_write_behind_a_postgresql_lock_is_storage_busy_after_the_lock_timeout(
    postgres_host: str,
) -> None:
    url = postgres.create_database(postgres_host, f"clms_busy_{next(_names)}")
    app = bootstrap(Settings(database_url=url, busy_timeout_seconds=0.3), clock=lambda: NOW)
    app.migrate()
    holder = create_engine(url)
    with holder.connect() as other:
        other.exec_driver_sql("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StorageBusy):
            identified(app, "while-locked")
        other.rollback()
    holder.dispose()
    assert submissions(app) == []
    identified(app, "after-the-lock")
    assert submissions(app) == ["after-the-lock"]
    app.engine.dispose()
