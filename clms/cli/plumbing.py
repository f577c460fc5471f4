"""What every command shares: the options' types, opening the system, printing a result
(text or --json), and turning a refusal into its reason and its exit code."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import inspect

from clms.bootstrap import App, bootstrap, system_clock
from clms.cli.rendering import case_dict, commands_for, commands_text, refusal_text
from clms.config_files import load_country
from clms.domain.access import Forbidden, NotAuthenticated, User
from clms.domain.errors import (
    ClmsError,
    Conflict,
    InvalidInput,
    NotFound,
    Refused,
    StorageBusy,
)
from clms.domain.model import Actor
from clms.domain.rules import CountryRules
from clms.services import commands as c
from clms.settings import Settings

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Who = Annotated[
    str,
    typer.Option(
        "--as", envvar="CLMS_USER",
        help="The user who acts (clms users list): their role and area decide what they may.",
    ),
]  # fmt: skip
Now = Annotated[
    datetime | None,
    typer.Option("--now", help="Act as at this UTC time (a simulation database only)."),
]
Expected = Annotated[
    int | None,
    typer.Option("--expected-version", help="Refuse if the case changed since this version."),
]
Reason = Annotated[str, typer.Option("--reason", help="Why (recorded in the history).")]
CaseNumber = Annotated[str, typer.Argument(help="The case number, e.g. KZ-000042.")]
Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="A date, YYYY-MM-DD.")]
Country = Annotated[str | None, typer.Option(help="Country code (default: from settings).")]
Codes = Annotated[list[str] | None, typer.Option(help="A code (repeat the option for more).")]
# What a monitor observed, asked by both `classify` and `identify`.
HoursPerDay = Annotated[float | None, typer.Option(help="Hours of work a day.")]
SchoolHolidays = Annotated[bool, typer.Option(help="Seen during the school holidays.")]
AuthorityConsent = Annotated[
    bool, typer.Option(help="A trade union or the labour inspectorate consented.")
]
LoadKg = Annotated[float | None, typer.Option(help="The heaviest load carried by hand, kg.")]


@contextmanager
def refusals(as_json: bool, case: str = "CASE") -> Iterator[None]:
    """Print a refusal with its reason and exit with its code (nothing was written); what
    is allowed now is named as the commands to type on `case`."""
    try:
        yield
    except ClmsError as error:
        if as_json:
            typer.echo(json.dumps(refusal_dict(error, case), ensure_ascii=False))
        typer.echo(f"error: {refusal_text(error, case)}", err=True)
        raise typer.Exit(exit_code(error)) from None
    except StorageBusy as busy:  # not a refusal: the same command works once the lock goes
        if as_json:
            typer.echo(json.dumps(busy.as_dict(), ensure_ascii=False))
        typer.echo(f"error: {busy.message}", err=True)
        raise typer.Exit(BUSY_EXIT_CODE) from None


def refusal_dict(error: ClmsError, case: str) -> dict[str, Any]:
    if not isinstance(error, Refused):
        return error.as_dict()
    return {**error.as_dict(), "commands_now": commands_for(error.allowed_now, case)}


# What each kind of refusal exits with (a subclass as its base): the README lists them.
EXIT_CODES: tuple[tuple[type[ClmsError], int], ...] = (
    (InvalidInput, 2),
    (NotFound, 3),
    (Refused, 4),
    (Conflict, 5),
    (Forbidden, 6),
    (NotAuthenticated, 7),
)

BUSY_EXIT_CODE = 8


def exit_code(error: ClmsError) -> int:
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), 1)


def emit(as_json: bool, data: Any, text: str | Callable[[], str]) -> None:
    """Print `data` as JSON, or `text`; a callable text is rendered only when it is printed."""
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(text if isinstance(text, str) else text())


def open_app(now: datetime | None = None, who: str | None = None) -> App:
    """The system as configured, asked by the user `who` when given (else by the system
    itself: the administration commands), its clock fixed at `now` on a simulation database."""
    fixed = as_utc(now) if now else None
    system = bootstrap(Settings(), clock=(lambda: fixed) if fixed else system_clock)
    if not inspect(system.engine).has_table("installation"):
        raise InvalidInput("the database is not initialised: run `clms init`", field="database")
    if fixed and system.handle(c.GetMode()) != "simulation":
        raise InvalidInput(
            "--now names a time only on a simulation database (the demo, the tests: "
            "`clms init --simulation`); real data is recorded at the server's time",
            field="now",
        )
    return system if who is None else system.acting_as(local_user(system, who))


def local_user(system: App, who: str) -> User:
    """The named user the command acts as: an account of `clms users`, not disabled."""
    if not who:
        raise InvalidInput("name the user who acts: --as USERNAME (or CLMS_USER)", field="as")
    user = system.handle(c.GetUser(who))
    if user.disabled_at is not None:
        raise InvalidInput(f"the user {who!r} is disabled", field="as")
    return user


def country_rules(country: str | None) -> CountryRules:
    settings = Settings()
    return load_country(country or settings.country, settings.config_dir)


def change_case(
    as_json: bool,
    now: datetime | None,
    who: str,
    number: str,
    build: Callable[[datetime, Actor], c.CaseCommand],
) -> None:
    """Hand the command `build` makes (given the time and the actor) for case `number` to
    the one door as the user `who`; print the case and what may be done with it now."""
    with refusals(as_json, number):
        system = open_app(now, who)
        case = system.handle(build(system.clock(), system.user.actor))
        data = case_dict(case, system.rules)
        moved = f"{case.number} is {case.state} (version {case.version})"
        emit(as_json, data, f"{moved}; {commands_text(data['commands_now'])}")


def quiet_prefect() -> None:
    # No network here, and the CLI prints its own summary: Prefect's log lines go.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def as_utc(moment: datetime) -> datetime:
    """A time given without a zone is taken as UTC, the zone every time is stored in."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_of(moment: datetime | None) -> date | None:
    """The date of a `Day` option (typer parses a date into a datetime)."""
    return moment.date() if moment else None
