"""The people who log in: added, listed, disabled and given a new password by an
administrator at the server (these commands act as the system itself: whoever runs them
holds the database's credentials). A password is typed at a prompt, never an option, so
that it stays out of the shell's history; a script pipes it to standard input."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from clms.cli.plumbing import AsJson, emit, open_app, refusals
from clms.domain.access import User
from clms.domain.model import Role
from clms.ports import AccessEntry
from clms.services import commands as c
from clms.services.users import PEOPLE

users_app = typer.Typer(help="Who logs in, with which role and area.", no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="The login name, e.g. aigul.s")]
Password = Annotated[
    str,
    typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                 help="Asked at a prompt (or read from standard input)."),
]  # fmt: skip


@users_app.command("add")
def users_add(
    username: Username,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(PEOPLE)}.")],
    password: Password,
    area: Annotated[
        str,
        typer.Option(
            help="District (monitor, social worker), region (supervisor, "
            "coordinator) or provider code (provider); none for an admin."
        ),
    ] = "",  # fmt: skip
    language: Annotated[str, typer.Option(help="Of the pages: kk, ru or en.")] = "ru",
    as_json: AsJson = False,
) -> None:
    """Add a user. The first administrator is added this way: there is no default one."""
    with refusals(as_json):
        user = User(username, Role(role) if role in PEOPLE else Role.SYSTEM, area, language)
        added = open_app().handle(c.AddUser(user, password))
        emit(as_json, user_dict(added), f"added {user_line(added)}")


@users_app.command("list")
def users_list(as_json: AsJson = False) -> None:
    with refusals(as_json):
        found = open_app().handle(c.ListUsers())
        emit(as_json, [user_dict(u) for u in found], "\n".join(map(user_line, found)))


@users_app.command("disable")
def users_disable(username: Username, as_json: AsJson = False) -> None:
    """The user can no longer log in; their sessions end now. Their history stays."""
    with refusals(as_json):
        user = open_app().handle(c.DisableUser(username))
        emit(as_json, user_dict(user), f"disabled {user_line(user)}")


@users_app.command("reset-password")
def users_reset_password(username: Username, password: Password, as_json: AsJson = False) -> None:
    """A new password; the lock after failed logins is lifted and every session ends."""
    with refusals(as_json):
        user = open_app().handle(c.ResetPassword(username, password))
        emit(as_json, user_dict(user), f"new password for {user.username}")


@users_app.command("access-log")
def access_log(
    username: Annotated[str | None, typer.Option(help="Only this user's.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    as_json: AsJson = False,
) -> None:
    """Who read which case when, and every refused access (never a child's name)."""
    with refusals(as_json):
        entries = open_app().handle(c.ReadAccessLog(limit, username))
        emit(as_json, [entry_dict(e) for e in entries], "\n".join(map(entry_line, entries)))


def user_dict(user: User) -> dict[str, Any]:
    disabled = user.disabled_at.isoformat() if user.disabled_at else None
    return {"username": user.username, "role": str(user.role), "area": user.area,
            "language": user.language, "disabled_at": disabled}  # fmt: skip


def user_line(user: User) -> str:
    area = f" of {user.area}" if user.area else ""
    disabled = " (disabled)" if user.disabled_at else ""
    return f"{user.username}: {user.role}{area}{disabled}"


def entry_dict(entry: AccessEntry) -> dict[str, Any]:
    return {"at": entry.at.isoformat(), "username": entry.username, "role": entry.role,
            "action": entry.action, "case": entry.case_number, "allowed": entry.allowed,
            "reason": entry.reason}  # fmt: skip


def entry_line(e: AccessEntry) -> str:
    verdict = "read" if e.allowed else f"REFUSED ({e.reason})"
    return f"{e.at:%Y-%m-%d %H:%M} {e.username} ({e.role}) {e.action} {e.case_number} {verdict}"
