"""The command line: thin, each command parses, hands one command to the one door
(`App.handle`) and prints (text or --json). Every refusal is printed with its reason and
exits non-zero (clms.cli.plumbing).

This module only assembles `app` (the `clms` entry point); the commands live in
cases, directory, duplicates, rules, reminders, run and users. They are registered here in the order
`clms --help` lists them."""

from __future__ import annotations

import typer

from clms.cli import cases, database, directory, duplicates, reminders, rules, run, users

app = typer.Typer(
    help="CLMS: follow every child in child labour to a satisfactory alternative.",
    no_args_is_help=True,
)

COMMANDS = (
    ("init", run.init),
    ("demo", run.demo),
    ("classify", rules.classify),
    ("identify", cases.identify),
    ("show", cases.show),
    ("list", cases.list_cases),
    ("refer", cases.refer),
    ("answer", cases.answer),
    ("cancel-referral", cases.cancel_referral),
    ("start-service", cases.start_service),
    ("follow-up", cases.follow_up),
    ("close", cases.close),
    ("assess", cases.assess),
    ("screen-out", cases.screen_out),
    ("mark-lost", cases.mark_lost),
    ("resume", cases.resume),
    ("reopen", cases.reopen),
    ("diagram", cases.diagram),
    ("check", reminders.check),
    ("deliver", reminders.deliver),
    ("reminders", reminders.reminders),
    ("requeue", reminders.requeue),
    ("scheduler", run.scheduler),
    ("serve", run.serve),
)
for name, command in COMMANDS:
    app.command(name)(command)

app.add_typer(rules.rules_app, name="rules")
app.add_typer(directory.providers_app, name="providers")
app.add_typer(directory.staff_app, name="staff")
app.add_typer(duplicates.duplicates_app, name="duplicates")
app.add_typer(users.users_app, name="users")
app.add_typer(database.db_app, name="db")

__all__ = ["app"]
