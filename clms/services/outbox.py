"""Delivering the outbox: claim due reminders atomically, send each through its channel's
adapter outside any transaction, record the outcome. A crash between sending and
recording leaves the claim to expire and the reminder to be sent again, with the same
idempotency key, so a receiver can drop the duplicate; nothing is ever lost."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from clms.domain.errors import one_of
from clms.domain.outbox import ReminderStatus, RetryPolicy, gives_up, next_attempt_at
from clms.ports import Delivery, MessageSender, OutgoingMessage, StoredReminder, UnitOfWork

UowFactory = Callable[[], UnitOfWork]
Clock = Callable[[], datetime]


def deliver_due(
    new_uow: UowFactory,
    senders: Mapping[str, MessageSender],
    worker: str,
    clock: Clock,
    policy: RetryPolicy,
    batch: int,
    rng: random.Random | None = None,
) -> dict[str, int]:
    """Sends one batch of due reminders; returns how many were sent, retried or dead."""
    rng = rng or random.Random()
    with new_uow() as uow:
        claimed = uow.outbox.claim(worker, clock(), batch, policy.lease_seconds, sorted(senders))
        uow.commit()
    outcomes: Counter[str] = Counter()
    for reminder in claimed:
        delivery = _send(reminder, senders)
        outcomes[_record(new_uow(), reminder, delivery, worker, clock(), policy, rng)] += 1
    return dict(outcomes)


def list_reminders(
    uow: UnitOfWork, status: str | None = None, limit: int = 100, case_number: str | None = None
) -> list[StoredReminder]:
    if status is not None:
        one_of(status, (s.value for s in ReminderStatus), "status")
    with uow:
        return uow.outbox.listing(status, limit, case_number)


def waiting_without_a_channel(uow: UnitOfWork, configured: Collection[str]) -> dict[str, int]:
    """The reminders that wait for a channel this process has no adapter for, by channel:
    nothing sends them until it is configured."""
    with uow:
        pending = uow.outbox.pending_by_channel()
    return {channel: n for channel, n in sorted(pending.items()) if channel not in configured}


def requeue_dead(uow: UnitOfWork, ids: list[int] | None, now: datetime) -> int:
    """Dead reminders (all, or those `ids`) go out again, with their idempotency keys."""
    with uow:
        count = uow.outbox.requeue_dead(ids, now)
        uow.commit()
        return count


def as_message(reminder: StoredReminder) -> OutgoingMessage:
    return OutgoingMessage(
        idempotency_key=reminder.key,
        channel=reminder.channel,
        to=reminder.address,
        subject=reminder.subject,
        body=reminder.body,
        payload=reminder.payload or None,
    )


def _send(reminder: StoredReminder, senders: Mapping[str, MessageSender]) -> Delivery:
    return senders[reminder.channel].send(as_message(reminder))


def _record(
    uow: UnitOfWork,
    reminder: StoredReminder,
    delivery: Delivery,
    worker: str,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> str:
    attempts = reminder.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "last_error": delivery.detail}
    outcome = delivery.outcome
    if outcome == "sent":
        values |= {"status": ReminderStatus.SENT.value, "sent_at": now, "last_error": ""}
    elif outcome == "permanent" or gives_up(attempts, policy):
        outcome = "dead"
        reason = (
            delivery.detail
            if delivery.outcome == "permanent"
            else f"gave up after {attempts} attempts: {delivery.detail}"
        )
        values |= {"status": ReminderStatus.DEAD.value, "last_error": reason}
    else:
        values["next_attempt_at"] = next_attempt_at(
            attempts, now, policy, delivery.retry_after, rng
        )
    with uow:
        settled = uow.outbox.settle(reminder.id, worker, **values)
        uow.commit()
    return outcome if settled else "lost_claim"
