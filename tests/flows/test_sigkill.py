"""`clms check` and `clms deliver` killed with SIGKILL in the middle of their work leave no
process behind: without PREFECT_API_URL they start no Prefect server (a temporary one, as
a flow run without a server starts, outlived the process that started it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from clms.bootstrap import bootstrap
from clms.settings import Settings
from tests import postgres
from tests.builders import add_contacts, child, identified
from tests.flows.sms_gateway import sms_gateway
from tests.servers import wait_until

CLMS = str(Path(sys.executable).with_name("clms"))


def environment(database_url: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "CLMS_DATABASE_URL": database_url, **more}
    env.pop("PREFECT_API_URL", None)
    return env


def children_of(pid: int) -> set[int]:
    """Every process started by `pid`, and by those, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def group_is_empty(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def kill_and_check_nothing_stays(process: subprocess.Popen[bytes]) -> None:
    started = children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    left = {pid for pid in started if alive(pid)}
    assert started == set(), f"it started processes: {started}, of which alive: {left}"
    wait_until(lambda: group_is_empty(process.pid), "its process group outlived it", 10)


@contextmanager
def cases_table_locked(database_url: str) -> Iterator[None]:
    """The check blocks on its first query of the cases: it is mid-run for as long as the
    test holds this lock."""
    dsn = database_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn) as connection:
        connection.execute("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE")
        yield
        connection.rollback()


def waiting_on_a_lock(database_url: str) -> bool:
    # Another connection: within a transaction pg_stat_activity is a snapshot that stays.
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    dsn = database_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(query).fetchone()
    return row is not None and row[0] > 0


@pytest.mark.postgres
def test_a_check_killed_mid_run_leaves_no_prefect_server_behind(postgres_host: str) -> None:
    url = postgres.create_database(postgres_host, "clms_sigkill_check")
    app = bootstrap(Settings(database_url=url))
    app.migrate()
    identified(app, "a", who=child())
    app.engine.dispose()
    with cases_table_locked(url):
        check = subprocess.Popen(
            [CLMS, "check"], env=environment(url), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(lambda: waiting_on_a_lock(url), "clms check never reached the cases", 60)
            kill_and_check_nothing_stays(check)
        finally:
            check.kill()


def test_a_delivery_killed_mid_send_leaves_no_prefect_server_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/clms.db"
    app = bootstrap(Settings(database_url=url))
    app.migrate()
    add_contacts(app)
    identified(app, "a", "trafficking", who=child())  # told at once: an SMS to send
    app.engine.dispose()
    with sms_gateway() as (gateway, sms_url):
        env = environment(url, CLMS_SMS_URL=sms_url, CLMS_SMS_TOKEN="gateway-token")
        deliver = subprocess.Popen(
            [CLMS, "deliver"], env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert gateway.first_hit.wait(60), "clms deliver sent nothing"
            kill_and_check_nothing_stays(deliver)
        finally:
            deliver.kill()
