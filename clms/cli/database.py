"""The database's administration, as its owner: the application's own PostgreSQL role."""

from __future__ import annotations

from typing import Annotated

import typer

from clms.bootstrap import bootstrap
from clms.cli.plumbing import AsJson, emit, refusals
from clms.settings import Settings

db_app = typer.Typer(help="The database's administration (run as its owner).")


@db_app.command("grant-app-role")
def grant_app_role(
    role: Annotated[str, typer.Argument(help="The role the application connects as.")],
    as_json: AsJson = False,
) -> None:
    """PostgreSQL: create the application's role if missing (LOGIN, no password) and grant
    it rows but not the schema: only SELECT and INSERT on case_history, no TRUNCATE, ALTER
    or DROP. Run as the owner after every `clms init`."""
    with refusals(as_json):
        statements = bootstrap(Settings()).grant_app_role(role)
        emit(as_json, statements, "\n".join(f"{s};" for s in statements))
