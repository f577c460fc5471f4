"""The embedded schedule: the cron times from settings, and one process only."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from clms.bootstrap import bootstrap
from clms.settings import Settings
from clms.workflows.schedule import background_scheduler, lock_for
from tests.servers import accepts_connections, wait_until

CLMS = str(Path(sys.executable).with_name("clms"))


def test_the_check_runs_daily_and_delivery_every_five_minutes_by_default(tmp_path: Path) -> None:
    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/clms.db"))
    schedule = background_scheduler(app, lambda: None, lambda: None)
    after = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    check, deliver = schedule.get_job("check"), schedule.get_job("deliver")
    assert check.trigger.get_next_fire_time(None, after) == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert deliver.trigger.get_next_fire_time(None, after) == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)


def test_a_second_scheduler_on_the_same_database_is_refused(tmp_path: Path) -> None:
    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/clms.db"))
    first = lock_for(app)
    first.acquire()
    try:
        env = {**os.environ, "CLMS_DATABASE_URL": app.settings.database_url}
        subprocess.run([CLMS, "init"], env=env, check=True, capture_output=True, timeout=120)
        second = subprocess.run(
            [CLMS, "scheduler", "--dev"], env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        first.release()
    assert second.returncode == 4
    assert f"the schedule already runs in process {os.getpid()}" in second.stderr


def test_clms_serve_answers_on_its_port_with_the_schedule_running(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CLMS_DATABASE_URL": f"sqlite:///{tmp_path}/clms.db",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    subprocess.run([CLMS, "init"], env=env, check=True, capture_output=True, timeout=120)
    server = subprocess.Popen(
        [CLMS, "serve", "--port", "18731", "--dev"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: accepts_connections(18731), "clms serve does not listen on 18731", 60)
        assert httpx.get("http://127.0.0.1:18731/health", timeout=5).text == "ok"
        assert (tmp_path / "scheduler.lock").read_text().strip() == str(server.pid)
        assert httpx.get("http://127.0.0.1:18731/answer/forged.token", timeout=5).status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
