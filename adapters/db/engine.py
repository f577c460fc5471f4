"""Engines: SQLite by default (one file, WAL), PostgreSQL when the URL says so.

A write that waits longer than `busy_timeout_seconds` for another writer's lock raises
StorageBusy (nothing written, try again) instead of the driver's error."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from clms.domain.errors import StorageBusy

# The file holds children's names and histories: nobody but its owner reads it. SQLite
# gives its -wal and -shm files the database file's permissions.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout runs out


def make_engine(url: str, busy_timeout_seconds: float = 30) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return _postgres_engine(url, busy_timeout_seconds)
    _create_private_file_of(url)
    # The driver's own transaction handling is switched off so that every transaction
    # starts with BEGIN IMMEDIATE: writers queue for the lock up front instead of failing
    # with "database is locked" when two of them read first and write second.
    connect_args = {"timeout": busy_timeout_seconds, "isolation_level": None}
    engine = create_engine(url, connect_args=connect_args)
    event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_seconds))
    event.listen(engine, "begin", _begin_immediate)
    event.listen(engine, "handle_error", _storage_busy)
    return engine


def _postgres_engine(url: str, busy_timeout_seconds: float) -> Engine:
    # Without lock_timeout a write behind a stuck lock would wait for ever.
    options = f"-c lock_timeout={int(busy_timeout_seconds * 1000)}"
    engine = create_engine(url, pool_pre_ping=True, connect_args={"options": options})
    event.listen(engine, "handle_error", _storage_busy)
    return engine


def _storage_busy(context: ExceptionContext) -> None:
    """The driver's "locked" errors become StorageBusy; the others pass unchanged."""
    error = context.original_exception
    locked = "database is locked" in str(error)
    if locked or getattr(error, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        raise StorageBusy() from error


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(busy_timeout_seconds: float) -> Any:
    def set_pragmas(connection: Any, _record: Any) -> None:
        # WAL lets readers work during a write; synchronous=FULL so that an acknowledged
        # identification survives a power cut; SQLite leaves foreign keys off by default.
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.close()

    return set_pragmas


def _create_private_file_of(url: str) -> None:
    """Creates the database's folder (0700) and an empty file (0600, a valid empty
    database) before SQLite would create them readable by everyone; an existing file
    keeps the permissions its owner gave it."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=FOLDER_MODE, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
