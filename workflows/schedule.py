"""The embedded schedule: APScheduler triggers the two flows at the cron times in settings.

APScheduler cannot share its job store between processes, so the schedule runs in
exactly one: a lock file next to the database says which, and a second process that
tries to start the schedule is refused."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import IO, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import make_url

from clms.bootstrap import App
from clms.domain.errors import Refused


def add_jobs(
    scheduler: BaseScheduler, app: App, check: Callable[[], Any], deliver: Callable[[], Any]
) -> None:
    settings = app.settings
    scheduler.add_job(
        check, CronTrigger.from_crontab(settings.check_cron, timezone=UTC), id="check"
    )
    scheduler.add_job(
        deliver, CronTrigger.from_crontab(settings.deliver_cron, timezone=UTC), id="deliver"
    )


def background_scheduler(
    app: App, check: Callable[[], Any], deliver: Callable[[], Any]
) -> BackgroundScheduler:
    # A run that is late (the machine slept) runs once, not once per missed time.
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults=defaults)
    add_jobs(scheduler, app, check, deliver)
    return scheduler


class ScheduleLock:
    """An exclusive lock held for as long as this process runs the schedule."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise Refused(
                f"the schedule already runs in process {holder}: run it in one process only"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_for(app: App) -> ScheduleLock:
    """Next to a SQLite file; in data/ for a server database."""
    url = make_url(app.settings.database_url)
    folder = (
        Path(url.database).parent
        if url.get_backend_name() == "sqlite" and url.database
        else Path("data")
    )
    return ScheduleLock(folder / "scheduler.lock")
