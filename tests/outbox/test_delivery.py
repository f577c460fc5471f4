"""Delivering the outbox on real databases, with hand-written fake senders (the adapters
themselves are tested against real local servers in tests/adapters)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest

from clms.bootstrap import App
from clms.domain.outbox import RetryPolicy
from clms.ports import Delivery, NewReminder, OutgoingMessage
from clms.services import commands as c
from clms.services.outbox import deliver_due
from tests.builders import NOW, identified

POLICY = RetryPolicy(
    max_attempts=3, base_delay_seconds=60, max_delay_seconds=3600, lease_seconds=300
)


class FakeSender:
    """Answers from a script (then `sent`), and remembers every message it was given."""

    def __init__(self, channel: str = "sms", script: list[Delivery] | None = None) -> None:
        self.channel = channel
        self.script = list(script or [])
        self.sent: list[OutgoingMessage] = []
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> Delivery:
        with self.lock:
            self.sent.append(message)
            return self.script.pop(0) if self.script else Delivery.sent("ok")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_reminders(app: App, count: int, channel: str = "sms", status: str = "pending") -> None:
    case_id = int(identified(app, "r").split("-")[1])
    reminders = [
        NewReminder(f"KZ-000001:test:{n}", case_id, "not_assessed", "Aizhan M.", channel, "+77010000001",
                    "subject", f"body {n}", {}, status, NOW)
        for n in range(count)
    ]  # fmt: skip
    with app.uow() as uow:
        uow.outbox.add(reminders)
        uow.commit()


def statuses(app: App) -> Counter[str]:
    return Counter(r.status for r in app.handle(c.ListReminders(None, 1000)))


def test_due_reminders_are_sent_once_with_their_idempotency_key(app: App) -> None:
    add_reminders(app, 3)
    sender = FakeSender()
    assert deliver_due(app.uow, {"sms": sender}, "w1", Clock(NOW), POLICY, 10) == {"sent": 3}
    assert deliver_due(app.uow, {"sms": sender}, "w1", Clock(NOW), POLICY, 10) == {}
    assert sorted(m.idempotency_key for m in sender.sent) == [
        f"KZ-000001:test:{n}" for n in range(3)
    ]
    assert statuses(app) == {"sent": 3}


def test_a_failed_attempt_waits_for_its_backoff_and_the_receivers_retry_after(app: App) -> None:
    add_reminders(app, 1)
    clock = Clock(NOW)
    sender = FakeSender(script=[Delivery.retry("HTTP 429", retry_after=600)])
    assert deliver_due(app.uow, {"sms": sender}, "w1", clock, POLICY, 10, random.Random(1)) == {
        "retry": 1
    }
    [reminder] = app.handle(c.ListReminders(None, 10))
    assert (
        reminder.status == "pending"
        and reminder.attempts == 1
        and reminder.last_error == "HTTP 429"
    )
    assert reminder.next_attempt_at >= NOW + timedelta(seconds=600)
    clock.now = NOW + timedelta(seconds=599)
    assert deliver_due(app.uow, {"sms": sender}, "w1", clock, POLICY, 10) == {}
    clock.now = reminder.next_attempt_at
    assert deliver_due(app.uow, {"sms": sender}, "w1", clock, POLICY, 10) == {"sent": 1}


def test_a_permanent_refusal_goes_to_the_dead_letters_with_its_reason(app: App) -> None:
    add_reminders(app, 1)
    sender = FakeSender(script=[Delivery.permanent("HTTP 400: invalid phone number")])
    assert deliver_due(app.uow, {"sms": sender}, "w1", Clock(NOW), POLICY, 10) == {"dead": 1}
    [reminder] = app.handle(c.ListReminders("dead", 10))
    assert reminder.last_error == "HTTP 400: invalid phone number"


def test_a_reminder_that_keeps_failing_is_given_up_after_the_last_attempt(app: App) -> None:
    add_reminders(app, 1)
    clock = Clock(NOW)
    sender = FakeSender(script=[Delivery.retry("HTTP 503")] * 3)
    for _ in range(3):
        deliver_due(app.uow, {"sms": sender}, "w1", clock, POLICY, 10)
        clock.now += timedelta(hours=2)
    [reminder] = app.handle(c.ListReminders(None, 10))
    assert (reminder.status, reminder.attempts) == ("dead", 3)
    assert reminder.last_error == "gave up after 3 attempts: HTTP 503"


def test_reminders_of_a_channel_without_an_adapter_wait_untouched(app: App) -> None:
    add_reminders(app, 2, channel="email")
    assert deliver_due(app.uow, {"sms": FakeSender()}, "w1", Clock(NOW), POLICY, 10) == {}
    assert [(r.status, r.attempts) for r in app.handle(c.ListReminders(None, 10))] == [
        ("pending", 0)
    ] * 2


def test_tasks_for_the_social_worker_are_never_sent(app: App) -> None:
    add_reminders(app, 2, channel="task", status="task")
    assert deliver_due(app.uow, {"task": FakeSender("task")}, "w1", Clock(NOW), POLICY, 10) == {}


def test_a_claim_left_by_a_crashed_deliverer_is_taken_again_after_its_lease(app: App) -> None:
    add_reminders(app, 1)
    with app.uow() as uow:  # a deliverer claims, then dies before recording anything
        assert len(uow.outbox.claim("crashed", NOW, 10, 300, ["sms"])) == 1
        uow.commit()
    sender = FakeSender()
    assert (
        deliver_due(app.uow, {"sms": sender}, "w2", Clock(NOW + timedelta(seconds=100)), POLICY, 10)
        == {}
    )
    assert deliver_due(
        app.uow, {"sms": sender}, "w2", Clock(NOW + timedelta(seconds=301)), POLICY, 10
    ) == {"sent": 1}


def test_a_deliverer_whose_lease_was_taken_over_does_not_overwrite_the_outcome(app: App) -> None:
    add_reminders(app, 1)
    with app.uow() as uow:
        [reminder] = uow.outbox.claim("slow", NOW, 10, 300, ["sms"])
        uow.commit()
    deliver_due(
        app.uow, {"sms": FakeSender()}, "fast", Clock(NOW + timedelta(seconds=400)), POLICY, 10
    )
    with app.uow() as uow:
        assert not uow.outbox.settle(reminder.id, "slow", status="dead", last_error="late")
        uow.commit()
    assert statuses(app) == {"sent": 1}


@pytest.mark.parametrize("workers", [4])
def test_several_deliverers_at_once_never_send_the_same_reminder_twice(
    app: App, workers: int
) -> None:
    add_reminders(app, 60)
    sender = FakeSender()
    start = threading.Barrier(workers)

    def work(name: str) -> None:
        start.wait()
        for _ in range(30):
            if not deliver_due(app.uow, {"sms": sender}, name, Clock(NOW), POLICY, 5):
                break

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    keys = Counter(m.idempotency_key for m in sender.sent)
    assert len(keys) == 60 and max(keys.values()) == 1
    assert statuses(app) == {"sent": 60}


def test_dead_reminders_can_be_put_back_in_the_queue_once_fixed(app: App) -> None:
    add_reminders(app, 2)
    sender = FakeSender(script=[Delivery.permanent("HTTP 400: invalid phone number")] * 2)
    deliver_due(app.uow, {"sms": sender}, "w1", Clock(NOW), POLICY, 10)
    assert statuses(app) == {"dead": 2}
    assert app.handle(c.RequeueDead(None, NOW + timedelta(hours=1))) == 2
    assert deliver_due(
        app.uow, {"sms": sender}, "w1", Clock(NOW + timedelta(hours=1)), POLICY, 10
    ) == {"sent": 2}
    assert (
        sum(m.idempotency_key == "KZ-000001:test:0" for m in sender.sent) == 2
    )  # the same key again
