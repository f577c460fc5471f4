"""Setting up and running: create the database, load the demo, run the schedule, serve the
answer pages."""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Annotated

import typer

from clms.bootstrap import App, bootstrap, use_app
from clms.cli.plumbing import AsJson, emit, open_app, quiet_prefect, refusals
from clms.config_files import DEFAULT_CONFIG_DIR
from clms.domain.errors import InvalidInput
from clms.services.commands import GetMode, SetMode
from clms.settings import Settings
from clms.workflows.steps import where_runs_go

Dev = Annotated[
    bool,
    typer.Option(
        "--dev",
        help="Development mode: run with the public default secrets (prints a warning). "
        "Without it, a default CLMS_SECRET_KEY or CLMS_WEBHOOK_SECRET is refused.",
    ),
]

# The secrets that sign what leaves the system: setting, variable, what it signs.
SECRETS = (
    ("secret_key", "CLMS_SECRET_KEY", "the answer links"),
    ("webhook_secret", "CLMS_WEBHOOK_SECRET", "the school webhooks"),
)


def init(
    simulation: Annotated[
        bool,
        typer.Option(help="A database for the demo, training or tests, where a command may "
                     "act at a time it names (--now); never for real children."),
    ] = False,
) -> None:  # fmt: skip
    """Create the database, or upgrade it to the latest schema."""
    settings = Settings()
    with refusals(False):
        system = bootstrap(settings)
        system.migrate()
        if simulation:
            system.handle(SetMode("simulation"))
        mode = system.handle(GetMode())
    typer.echo(f"database ready ({mode} data): {settings.database_url}")


def demo(
    cases: Annotated[int, typer.Option(help="How many children to log.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same demo.")] = 7,
    if_empty: Annotated[bool, typer.Option(help="Do nothing if there are cases already.")] = False,
    as_json: AsJson = False,
) -> None:
    """Load a realistic Kazakhstan demo: a service directory and cases in every state."""
    from clms import demo as demo_data

    with refusals(as_json):
        system = open_app()
        counts = demo_data.load(system, cases=cases, seed=seed, if_empty=if_empty)
        simulated = system.handle(GetMode()) == "simulation"  # never on real data
        people = demo_data.add_users(system) if simulated else []
        logins = [{"username": u.username, "role": str(u.role), "area": u.area, "password": p}
                  for u, p in people]  # fmt: skip
        emit(
            as_json,
            {**counts, "users": logins},
            lambda: "\n".join(f"{k:<26} {v}" for k, v in counts.items()) + _logins_text(logins),
        )


def _logins_text(logins: list[dict[str, str]]) -> str:
    """The demo's users with their passwords: printed this once, never stored."""
    if not logins:
        return ""
    lines = [f"  {x['username']:<22} {x['password']:<18} {x['role']} {x['area']}" for x in logins]
    return "\n\nthe demo's users (their passwords are shown only now):\n" + "\n".join(lines)


def scheduler(dev: Dev = False) -> None:
    """Run the schedule alone (check daily, delivery every few minutes), in this process only.

    Each run is a flow run on the Prefect server in PREFECT_API_URL when it is set, else it \
runs in this process (no Prefect server is started)."""
    with refusals(False):
        refuse_public_secrets(Settings(), dev)
    with schedule_in_this_process(True) as system:
        settings = system.settings
        typer.echo(
            f"schedule running: check {settings.check_cron}, delivery {settings.deliver_cron} "
            f"(UTC), {where_runs_go()}"
        )
        with suppress(KeyboardInterrupt):  # Ctrl-C is how this process is meant to stop
            threading.Event().wait()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Also run the schedule here.")
    ] = True,
    dev: Dev = False,
) -> None:
    """Serve the answer pages, and run the schedule in this process (the embedded mode).

    Each scheduled run is a flow run on the Prefect server in PREFECT_API_URL when it is \
set, else it runs in this process (no Prefect server is started)."""
    quiet_prefect()
    import uvicorn

    from clms.web.app import create_app

    with refusals(False):
        refuse_public_secrets(Settings(), dev)
    with schedule_in_this_process(with_scheduler) as system:
        typer.echo(where_served(f"http://{host}:{port}", system.settings.public_url))
        uvicorn.run(create_app(system), host=host, port=port, log_level="warning")


def where_served(served: str, public_url: str) -> str:
    """Where this process answers, and where the links in messages send schools: they
    differ behind a proxy, and by mistake when CLMS_PUBLIC_URL was not set."""
    lines = [f"serving the answer pages on {served}"]
    if public_url.rstrip("/") == served:
        lines.append(f"links in messages point here ({public_url}, CLMS_PUBLIC_URL)")
    else:
        lines.append(
            f"links in messages point to {public_url} (CLMS_PUBLIC_URL), not to {served}: "
            "it must reach this server"
        )
    return "\n".join(lines)


def refuse_public_secrets(settings: Settings, dev: bool) -> None:
    """A secret every copy of CLMS ships with lets anyone forge a school's answer or a
    webhook: refused, unless `dev` asks for development mode, which says so."""
    public = [(var, signs) for name, var, signs in SECRETS if _is_public(name, settings)]
    if not public:
        return
    names, forged = (" and ".join(words) for words in zip(*public, strict=True))
    are, them = (
        ("is the shipped default", "it")
        if len(public) == 1
        else ("are the shipped defaults", "them")
    )
    if not dev:
        raise InvalidInput(
            f"{names} {are}, which anyone can read: anyone could forge {forged}; set {them}, "
            "or pass --dev for development only",
            field=public[0][0],
        )
    typer.echo(f"warning: development mode: {names} {are}, which anyone can read: anyone "
               f"can forge {forged}", err=True)  # fmt: skip


def _is_public(name: str, settings: Settings) -> bool:
    value = getattr(settings, name)
    return not value.strip() or value in _shipped_defaults(name)


def _shipped_defaults(name: str) -> set[str]:
    """The value in the code and in the shipped config/settings.toml (a copied config keeps it)."""
    with (DEFAULT_CONFIG_DIR / "settings.toml").open("rb") as file:
        shipped = tomllib.load(file).get(name)
    return {Settings.model_fields[name].default, *([shipped] if shipped else [])}


@contextmanager
def schedule_in_this_process(runs_here: bool) -> Iterator[App]:
    """The system, made the flows' own. With `runs_here`, this process takes the schedule's
    lock (a second one is refused: APScheduler cannot share its job store) and runs the
    schedule until the block ends: each run is a flow run on the Prefect server in
    PREFECT_API_URL, or runs in this process when it is not set (no server is started)."""
    quiet_prefect()
    from clms.workflows.schedule import background_scheduler, lock_for
    from clms.workflows.steps import check_once, deliver_once

    with refusals(False):
        system = open_app()
        use_app(system)
        lock = lock_for(system)
        if runs_here:
            lock.acquire()
    schedule = background_scheduler(system, check_once, deliver_once)
    if runs_here:
        schedule.start()
    try:
        yield system
    finally:
        if runs_here:
            schedule.shutdown(wait=False)
            lock.release()
