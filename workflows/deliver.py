"""Delivering the outbox as a Prefect flow: batches of due reminders, each claimed
atomically (several deliverers never send one row twice). Logic: clms.services.outbox."""

from __future__ import annotations

import os
import socket
from collections import Counter

from prefect import flow, task

from clms.bootstrap import current_app
from clms.services.commands import DeliverDue


@task
def deliver_batch(worker: str) -> dict[str, int]:
    return current_app().handle(DeliverDue(worker))


@flow(name="deliver-reminders")
def deliver_reminders(max_batches: int = 20, worker: str | None = None) -> dict[str, int]:
    """Sends due reminders until none is left (or `max_batches` were sent)."""
    name = worker or f"{socket.gethostname()}-{os.getpid()}"
    total: Counter[str] = Counter()
    for _ in range(max_batches):
        outcomes = deliver_batch(name)
        total.update(outcomes)
        if not outcomes:
            break
    return dict(total)
