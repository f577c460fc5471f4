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
    """Run the daily check once: who must act for every open case; writes the reminders."""
    quiet_prefect()
    # The flows import Prefect, which takes seconds: only the commands that run them wait.
    from clms.workflows.check import satisfactory_alternative_check

    with refusals(as_json):
        system = open_app(now)
        use_app(system)
        summary = satisfactory_alternative_check(now=system.clock(), region=region)
        emit(as_json, summary, lambda: check_text(summary))


def deliver(as_json: AsJson = False) -> None:
    """Send the due reminders once (retries wait for their time)."""
    quiet_prefect()
    from clms.workflows.deliver import deliver_reminders

    with refusals(as_json):
        system = open_app()
        use_app(system)
        outcomes = deliver_reminders()
        emit(
            as_json,
            outcomes,
            lambda: ", ".join(f"{k}: {v}" for k, v in outcomes.items()) or "nothing was due",
        )
        for channel, count in system.handle(c.WaitingWithoutChannel()).items():
            setting = CHANNEL_SETTINGS.get(channel, "its settings")
            typer.echo(f"no {channel} channel is configured (set {setting}): "
                       f"{count} reminders wait", err=True)  # fmt: skip


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
