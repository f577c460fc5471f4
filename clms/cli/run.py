"""Setting up and running: create the database, load the demo, run the schedule, serve the
answer pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Annotated

import typer

from clms.bootstrap import App, bootstrap, use_app
from clms.cli.plumbing import AsJson, emit, open_app, quiet_prefect, refusals
from clms.settings import Settings


def init() -> None:
    """Create the database, or upgrade it to the latest schema."""
    settings = Settings()
    with refusals(False):
        bootstrap(settings).migrate()
    typer.echo(f"database ready: {settings.database_url}")


def demo(
    cases: Annotated[int, typer.Option(help="How many children to log.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same demo.")] = 7,
    if_empty: Annotated[bool, typer.Option(help="Do nothing if there are cases already.")] = False,
    as_json: AsJson = False,
) -> None:
    """Load a realistic Kazakhstan demo: a service directory and cases in every state."""
    from clms import demo as demo_data

    with refusals(as_json):
        counts = demo_data.load(open_app(), cases=cases, seed=seed, if_empty=if_empty)
        emit(as_json, counts, lambda: "\n".join(f"{k:<26} {v}" for k, v in counts.items()))


def scheduler() -> None:
    """Run the schedule alone (check daily, delivery every few minutes), in this process only."""
    with schedule_in_this_process(True) as system:
        settings = system.settings
        typer.echo(
            f"schedule running: check {settings.check_cron}, delivery {settings.deliver_cron} (UTC)"
        )
        with suppress(KeyboardInterrupt):  # Ctrl-C is how this process is meant to stop
            threading.Event().wait()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Also run the schedule here.")
    ] = True,
) -> None:
    """Serve the answer pages, and run the schedule in this process (the embedded mode)."""
    quiet_prefect()
    import uvicorn

    from clms.web.app import create_app

    with schedule_in_this_process(with_scheduler) as system:
        uvicorn.run(create_app(system), host=host, port=port, log_level="warning")


@contextmanager
def schedule_in_this_process(runs_here: bool) -> Iterator[App]:
    """The system, made the flows' own. With `runs_here`, this process takes the schedule's
    lock (a second one is refused: APScheduler cannot share its job store) and runs the
    schedule until the block ends."""
    quiet_prefect()
    from clms.workflows.check import satisfactory_alternative_check
    from clms.workflows.deliver import deliver_reminders
    from clms.workflows.schedule import background_scheduler, lock_for

    with refusals(False):
        system = open_app()
        use_app(system)
        lock = lock_for(system)
        if runs_here:
            lock.acquire()
    schedule = background_scheduler(system, satisfactory_alternative_check, deliver_reminders)
    if runs_here:
        schedule.start()
    try:
        yield system
    finally:
        if runs_here:
            schedule.shutdown(wait=False)
            lock.release()
