"""How the outbox retries: exponential backoff with jitter, the receiver's Retry-After
honoured, and a limit after which a reminder goes to the dead letters with its reason."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ReminderStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENT = "sent"
    DEAD = "dead"  # a permanent refusal or too many attempts: a person must look at it
    TASK = "task"  # no usable contact: a task for the social worker, nothing to send


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 20
    base_delay_seconds: float = 60
    max_delay_seconds: float = 6 * 3600
    lease_seconds: float = 600  # a claimed reminder returns to the queue if not settled by then


def next_attempt_at(
    attempts: int, now: datetime, policy: RetryPolicy, retry_after: float | None, rng: random.Random
) -> datetime:
    """After `attempts` failed tries: twice as long each time, at most the cap, jittered
    so that reminders that failed together do not all come back together; never sooner
    than the receiver asked."""
    backoff = min(policy.max_delay_seconds, policy.base_delay_seconds * 2 ** max(attempts - 1, 0))
    delay = backoff * rng.uniform(0.5, 1.0)
    return now + timedelta(seconds=max(delay, retry_after or 0))


def gives_up(attempts: int, policy: RetryPolicy) -> bool:
    return attempts >= policy.max_attempts
