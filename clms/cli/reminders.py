"""The daily check and the reminders it writes: run each once by hand, see what went out,
send the dead ones again. The schedule runs the same flows (clms.cli.run)."""

from __future__ import annotations

from typing import Annotated

import typer

from clms.bootstrap import CHANNEL_SETTINGS, use_app
from clms.cli.plumbing import AsJson, Now, emit, open_app, quiet_prefect, refusals
from clms.cli.rendering import check_text, reminder_dict, reminders_text
from clms.services import commands as c


def check(
    region: Annotated[str | None, typer.Option(help="Only this region.")] = None,
    now: Now = None,
    as_json: AsJson = False,
) -> None:
    """Run the daily check once: who must act for every open case; writes the reminders.

    With PREFECT_API_URL set, it runs as a flow run on that Prefect server; without it, the \
same steps run in this process and no Prefect server is started. It says which."""
    quiet_prefect()
    from clms.workflows.steps import check_once, where_runs_go

    with refusals(as_json):
        system = open_app(now)
        use_app(system)
        summary = check_once(system.clock(), region)
        emit(as_json, summary, lambda: check_text(summary))
    typer.echo(f"ran {where_runs_go()}", err=True)


def deliver(as_json: AsJson = False) -> None:
    """Send the due reminders once (retries wait for their time).

    With PREFECT_API_URL set, it runs as a flow run on that Prefect server; without it, the \
same steps run in this process and no Prefect server is started. It says which."""
    quiet_prefect()
    from clms.workflows.steps import deliver_once, where_runs_go

    with refusals(as_json):
        system = open_app()
        use_app(system)
        outcomes = deliver_once()
        emit(
            as_json,
            outcomes,
            lambda: ", ".join(f"{k}: {v}" for k, v in outcomes.items()) or "nothing was due",
        )
        for channel, count in system.handle(c.WaitingWithoutChannel()).items():
            setting = CHANNEL_SETTINGS.get(channel, "its settings")
            typer.echo(f"no {channel} channel is configured (set {setting}): "
                       f"{count} reminders wait", err=True)  # fmt: skip
    typer.echo(f"ran {where_runs_go()}", err=True)


def reminders(
    status: Annotated[str | None, typer.Option(help="pending, sent, dead or task.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: AsJson = False,
) -> None:
    """What went out and what did not, with the reasons."""
    with refusals(as_json):
        rows = open_app().handle(c.ListReminders(status, limit))
        emit(as_json, [reminder_dict(r) for r in rows], lambda: reminders_text(rows))


def requeue(
    reminder: Annotated[
        list[int] | None, typer.Argument(help="Reminder ids (default: every dead one).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Send dead reminders again, once the contact or the gateway is fixed."""
    with refusals(as_json):
        system = open_app()
        count = system.handle(c.RequeueDead(reminder or None, system.clock()))
        emit(as_json, {"requeued": count}, f"{count} reminders back in the queue")
