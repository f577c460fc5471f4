"""PostgreSQL's two roles. The owner runs the migrations and owns the tables; the
application connects as a role that reads and writes rows, may only add to the history,
and cannot TRUNCATE, ALTER or DROP anything (only a table's owner may alter or drop it,
and TRUNCATE is never granted). Run by the owner after every upgrade: it is idempotent,
and a table a new migration adds is granted only then."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, inspect, text

from clms.domain.errors import InvalidInput

APPEND_ONLY = ("case_history",)
READ_ONLY = ("alembic_version",)  # the application never migrates
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Creates `role` (LOGIN, no password) when missing and grants it exactly what the
    application needs; the statements run, in order."""
    _check_can_have_roles(engine, role)
    with engine.begin() as db:
        _refuse_owner_or_superuser(db, role)
        statements = app_role_statements(role, _schema_of(db), inspect(db).get_table_names())
        if not db.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            statements.insert(0, f'CREATE ROLE "{role}" LOGIN')
        for statement in statements:
            db.exec_driver_sql(statement)
    return statements


def app_role_statements(role: str, schema: str, tables: list[str]) -> list[str]:
    """From a clean slate (everything revoked), so that running it again after an upgrade
    takes back what an older version granted."""
    who, where = f'"{role}"', f'"{schema}"'
    writable = [t for t in sorted(tables) if t not in APPEND_ONLY + READ_ONLY]
    grants = [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        *(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {where}."{t}" TO {who}' for t in writable),
        *(f'GRANT SELECT, INSERT ON {where}."{t}" TO {who}' for t in APPEND_ONLY if t in tables),
        *(f'GRANT SELECT ON {where}."{t}" TO {who}' for t in READ_ONLY if t in tables),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ]
    return grants


def _check_can_have_roles(engine: Engine, role: str) -> None:
    if engine.dialect.name != "postgresql":
        raise InvalidInput(
            "database roles are PostgreSQL's; a SQLite file is guarded by its permissions "
            "(readable by its owner only)",
            field="database",
        )
    if not ROLE_NAME.fullmatch(role):
        raise InvalidInput(
            f"{role!r} is not a role name: lower-case letters, digits and _, "
            "not starting with a digit, at most 63",
            field="role",
        )


def _refuse_owner_or_superuser(db: Connection, role: str) -> None:
    """The owner and a superuser ignore grants: naming one would protect nothing."""
    owner = db.execute(text("SELECT current_user")).scalar_one()
    superuser = db.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).scalar()
    if role == owner or superuser:
        raise InvalidInput(
            f"{role!r} is the owner or a superuser, whom grants do not restrict: "
            "name the application's own role",
            field="role",
        )


def _schema_of(db: Connection) -> str:
    schema: str = db.execute(text("SELECT current_schema()")).scalar_one()
    return schema
