"""Possible duplicates: new cases whose child may be an earlier case's child, listed for a
person who knows the children to confirm (one child) or dismiss (two children)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer

from clms.cli.plumbing import AsJson, Now, Who, emit, open_app, refusals
from clms.cli.rendering import jsonable_dict
from clms.domain.duplicates import Confirmed, PossibleDuplicate
from clms.domain.model import Actor
from clms.services import commands as c

duplicates_app = typer.Typer(
    help="Possible duplicates: confirm one child, or dismiss as two.", no_args_is_help=True
)

NewCase = Annotated[str, typer.Argument(help="The case flagged, e.g. KZ-000042.")]
OldCase = Annotated[str, typer.Argument(help="The earlier case it may duplicate.")]
Why = Annotated[str, typer.Option("--reason", help="How you know (recorded).")]


@duplicates_app.command("list")
def duplicates_list(
    status: Annotated[str, typer.Option(help="open, confirmed, dismissed, or all.")] = "open",
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    who: Who = "",
    as_json: AsJson = False,
) -> None:
    """The flags to decide (or, with --status, those decided): a supervisor's."""
    with refusals(as_json):
        query = c.ListPossibleDuplicates(None if status == "all" else status, limit)
        flags = open_app(None, who).handle(query)
        emit(as_json, [flag_dict(f) for f in flags], lambda: flags_text(flags))


@duplicates_app.command("confirm")
def duplicates_confirm(
    new_case: NewCase,
    old_case: OldCase,
    reason: Why,
    who: Who = "",
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """One child: the new case closes as a duplicate and its identifications join the earlier
    case; if the earlier case has ended, the new one goes on and both record the link."""

    def said(confirmed: Confirmed) -> tuple[dict[str, Any], str]:
        if confirmed.merged:
            text = f"{new_case} closed as a duplicate of {old_case}; its identifications are "
            text += f"on {old_case} now"
        else:
            text = f"{old_case} has ended: {new_case} goes on; both record that they are one child"
        return {**flag_dict(confirmed.flag), "merged": confirmed.merged}, text

    _decide(
        as_json,
        now,
        who,
        lambda t, actor: c.ConfirmDuplicate(new_case, old_case, actor, t, reason),
        said,
    )


@duplicates_app.command("dismiss")
def duplicates_dismiss(
    new_case: NewCase,
    old_case: OldCase,
    reason: Why,
    who: Who = "",
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Two children: the flag is kept as dismissed and not raised again."""

    def said(flag: PossibleDuplicate) -> tuple[dict[str, Any], str]:
        return flag_dict(flag), f"{new_case} and {old_case}: two children (dismissed)"

    _decide(
        as_json,
        now,
        who,
        lambda t, actor: c.DismissDuplicate(new_case, old_case, actor, t, reason),
        said,
    )


Decision = TypeVar("Decision")


def _decide(
    as_json: bool,
    now: datetime | None,
    who: str,
    build: Callable[[datetime, Actor], c.Command[Decision]],
    said: Callable[[Decision], tuple[dict[str, Any], str]],
) -> None:
    """Hand the decision `build` makes (given the time) to the one door; print what `said`."""
    with refusals(as_json):
        system = open_app(now, who)
        data, text = said(system.handle(build(system.clock(), system.user.actor)))
        emit(as_json, data, text)


def flag_dict(flag: PossibleDuplicate) -> dict[str, Any]:
    return jsonable_dict(
        {
            "new_case": flag.new_case,
            "old_case": flag.old_case,
            "resemblance": flag.resemblance.value,
            "in_words": flag.resemblance.words,
            "flagged_at": flag.flagged_at,
            "status": flag.status.value,
            "decided_by": flag.decided_by,
            "decided_at": flag.decided_at,
            "decision": flag.decision,
        }
    )


def flags_text(flags: list[PossibleDuplicate]) -> str:
    if not flags:
        return "no possible duplicates"
    header = f"{'new case':<11} {'old case':<11} {'flagged':<16} {'status':<10} why"
    return "\n".join([header, *(_flag_line(f) for f in flags)])


def _flag_line(f: PossibleDuplicate) -> str:
    decided = f" - {f.decided_by}: {f.decision}" if f.decided_by else ""
    return (
        f"{f.new_case:<11} {f.old_case:<11} {f.flagged_at:%Y-%m-%d %H:%M} {f.status.value:<10} "
        f"{f.resemblance.words}{decided}"
    )
