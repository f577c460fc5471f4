"""Many rows in one statement through the driver's executemany, the statement compiled
once. SQLAlchemy's own executemany builds and converts every row's parameters in Python,
function by function: for the daily check's thousands of reminders, history rows and
changed cases a night that cost more than the database's work. Here a row's values are
converted by a list of functions made once per statement; the moments (UTCDateTime) on
SQLite, most of the work, by one conversion of our own, the rest by SQLAlchemy's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement
from sqlmodel import Session

from clms.adapters.db.tables import UTCDateTime

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in the order the SQL names them
    converters: tuple[Convert | None, ...]
    positional: bool
    fixed: dict[str, Any]  # the statement's own values (`version + 1`'s 1), not a row's


_COMPILED: dict[tuple[int, str, tuple[str, ...]], tuple[ClauseElement, _Compiled]] = {}


def execute_many(session: Session, statement: ClauseElement, rows: Sequence[dict[str, Any]]) -> int:
    """Runs `statement` once per row (every row with the same keys) in the session's
    transaction; returns the rows the database says it changed or inserted."""
    if not rows:
        return 0
    connection = session.connection()
    compiled = _compiled(statement, connection.dialect, tuple(rows[0]))
    parameters = [_parameters(compiled, row) for row in rows]
    result = connection.exec_driver_sql(compiled.sql, parameters)
    return int(result.rowcount)


def _parameters(compiled: _Compiled, row: dict[str, Any]) -> Any:
    if compiled.fixed:
        row = compiled.fixed | row
    values = [
        row[name] if convert is None else convert(row[name])
        for name, convert in zip(compiled.names, compiled.converters, strict=True)
    ]
    return tuple(values) if compiled.positional else dict(zip(compiled.names, values, strict=True))


def _compiled(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    # Keyed by identity, the statement kept alive beside it: the callers' statements are
    # module constants, compiled once per process and database kind.
    cache_key = (id(statement), dialect.name, keys)
    if cache_key not in _COMPILED:
        _COMPILED[cache_key] = (statement, _compile(statement, dialect, keys))
    return _COMPILED[cache_key][1]


def _compile(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup) if compiled.positional else tuple(compiled.binds)
    processors = compiled._bind_processors  # noqa: SLF001 (SQLAlchemy's own conversions)
    converters = tuple(
        _utc_text if _is_utc(compiled.binds[name], dialect) else processors.get(name)
        for name in names
    )
    fixed = {name: compiled.binds[name].effective_value for name in names if name not in keys}
    return _Compiled(str(compiled), names, converters, bool(compiled.positional), fixed)


def _is_utc(bind: Any, dialect: Dialect) -> bool:
    return isinstance(bind.type, UTCDateTime) and dialect.name == "sqlite"


def _utc_text(moment: datetime | None) -> str | None:
    """A moment as SQLite stores UTCDateTime: naive UTC, as SQLAlchemy's DATETIME writes it."""
    return None if moment is None else _utc_text_of(moment)


@lru_cache(maxsize=1024)  # most rows of a chunk carry the same moment: the check's `now`
def _utc_text_of(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time must carry its time zone")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "microseconds")[:26]  # without its "+00:00"
