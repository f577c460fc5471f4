"""Delivering the outbox as a Prefect flow: batches of due reminders, each claimed
atomically under a lease (several workers never send one row twice). Steps:
clms.workflows.steps; logic: clms.services.outbox."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from clms.workflows import steps

# Every call sends what is due now: a result cached from an earlier call would skip it.
deliver_batch = task(cache_policy=NO_CACHE)(steps.deliver_batch)


@flow(name="deliver-reminders")
def deliver_reminders(max_batches: int = 20, worker: str | None = None) -> dict[str, int]:
    """Sends due reminders until none is left (or `max_batches` were sent)."""
    return steps.run_delivery(max_batches, worker, deliver_batch)
