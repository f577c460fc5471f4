"""Delivery under faults, with real processes: a worker killed with SIGKILL at any point
and restarted, a gateway that is down, failing or too slow, and two workers at once.

The receiver is a real HTTP server on 127.0.0.1 (uvicorn in a thread of the test process)
that records every request it gets; the workers are separate Python processes that loop
`clms.services.outbox.deliver_due` over a SQLite file, as a deployment would. What must
hold (the issue): nothing is ever lost, every reminder ends up sent, and a reminder that
reaches the receiver twice carries the same idempotency key and the same body both times.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clms.adapters.school_webhook import canonical_json, reference_of, verify_signature
from clms.bootstrap import App, bootstrap
from clms.ports import NewReminder, StoredReminder
from clms.services import commands as c
from clms.settings import Settings
from tests.builders import child, identified
from tests.servers import ThreadedServer, wait_until

SECRET = "delivery-test-webhook-secret"
REMINDERS = 150
BATCH = 10
LEASE_SECONDS = 2
WORKER_TIME_LIMIT = 30.0  # a worker gives up (exit 3) after this long: no endless loop
SINK_DELAY = 0.025  # so that a worker is always mid-batch when it is killed

# The worker: a separate process that bootstraps the App from the database URL and the
# CLMS_DELIVERY_* environment, and delivers until nothing is left to do.
#   argv: database_url worker_name until(sent|attempted) timeout time_limit
# until=sent: until no reminder is pending; until=attempted: until every pending reminder
# was tried at least once (the gateway is down: the rest is the backoff's business).
WORKER_SCRIPT = r"""
import json, sys, time
from datetime import UTC, datetime

from clms.adapters.school_webhook import SchoolWebhook
from clms.bootstrap import bootstrap
from clms.services.outbox import deliver_due, list_reminders
from clms.settings import Settings

database_url, name, until = sys.argv[1], sys.argv[2], sys.argv[3]
timeout, limit = float(sys.argv[4]), float(sys.argv[5])
app = bootstrap(Settings(database_url=database_url))
policy = app.retry_policy()
batch = app.settings.delivery_batch
senders = {"webhook": SchoolWebhook(app.settings.webhook_secret.encode(), timeout=timeout)}


def clock():
    return datetime.now(UTC)


def left():
    pending = list_reminders(app.uow(), "pending", 1_000_000)
    return [r for r in pending if until == "sent" or r.attempts == 0]


deadline = time.monotonic() + limit
totals, batches = {}, 0
while left():
    if time.monotonic() > deadline:
        print(json.dumps({"worker": name, "error": "time limit"}), flush=True)
        sys.exit(3)
    outcomes = deliver_due(app.uow, senders, name, clock, policy, batch)
    batches += 1
    for outcome, count in outcomes.items():
        totals[outcome] = totals.get(outcome, 0) + count
    if not outcomes:  # what is left is claimed by another worker, or waits for its time
        time.sleep(0.05)
senders["webhook"].close()
app.engine.dispose()
summary = {"worker": name, "outcomes": totals, "batches": batches, "batch": batch,
           "lease_seconds": policy.lease_seconds, "max_attempts": policy.max_attempts}
print(json.dumps(summary), flush=True)
"""


# --- the receiver ------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    key: str
    body: bytes
    answer: str  # the sink's mode when the request arrived: ok, error or slow
    signed: bool  # the HMAC signature checks out with the shared secret


@dataclass
class Sink:
    """A school's system: records every request, then answers 200 (after SINK_DELAY),
    500 (at once), or too late (after `slow_delay`). Before `start()` its port is bound but
    not listening: the gateway is down, a connection is refused, and nobody else can take
    the port."""

    mode: str = "ok"
    slow_delay: float = 1.0
    on_hit: Callable[[int], None] | None = None
    _hits: list[Hit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it Nagle's algorithm and delayed ACKs add 40 ms to every answer.
    _socket: socket.socket = field(
        default_factory=lambda: socket.socket(
            socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
        )
    )
    _server: ThreadedServer | None = None

    def __post_init__(self) -> None:
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/attendance"

    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self._hits)

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        mode, headers = self.mode, request.headers
        signed = verify_signature(
            SECRET.encode(),
            headers.get("x-clms-timestamp", ""),
            body,
            headers.get("x-clms-signature", ""),
            time.time(),
        )
        key = _reminder_key(headers.get("idempotency-key", ""), body)
        with self._lock:
            self._hits.append(Hit(key, body, mode, signed))
            count = len(self._hits)
        if self.on_hit is not None:
            self.on_hit(count)
        if mode == "slow":
            await asyncio.sleep(self.slow_delay)
            return Response(status_code=200)
        if mode == "error":  # a failing gateway answers at once
            return Response(b"internal error", status_code=500)
        await asyncio.sleep(SINK_DELAY)
        return JSONResponse({"id": f"sink-{count}"})

    def start(self) -> None:
        app = Starlette(routes=[Route("/attendance", self.endpoint, methods=["POST"])])
        self._server = ThreadedServer(app, self._socket, timeout_graceful_shutdown=2)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._socket.close()


def _key(case_id: object, number: object) -> str:
    """The key of the test's reminder `number` about case `case_id` (add_reminders)."""
    return f"delivery-test:{case_id}:attendance:{number:04d}"


def _reminder_key(reference: str, body: bytes) -> str:
    """The reminder a request is about. A school sees only an opaque reference (in the
    header and the body); the test knows its keys from the body, and counts the request as
    that reminder's only if the reference is that key's. Else the reference: a stranger."""
    try:
        sent = json.loads(body)
        key = _key(sent["case_id"], sent["reminder"])
    except (ValueError, KeyError, TypeError):
        return reference
    ours = reference == sent.get("reference") == reference_of(SECRET.encode(), key)
    return key if ours else reference


@pytest.fixture
def sink() -> Iterator[Sink]:
    receiver = Sink()
    yield receiver
    receiver.on_hit = None
    receiver.stop()


def sent_as(reminder: NewReminder) -> dict[str, object]:
    """The payload as the webhook sends it: with the reference the school sees."""
    return {**reminder.payload, "reference": reference_of(SECRET.encode(), reminder.key)}


# --- the database ------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    app: App
    case_ids: list[int]

    def add_reminders(self, address: str, count: int) -> dict[str, bytes]:
        """`count` webhook reminders due now, spread over the cases; returns key -> body."""
        now = datetime.now(UTC)
        reminders = []
        for i in range(count):
            case_id = self.case_ids[i % len(self.case_ids)]
            payload: dict[str, object] = {
                "case_id": case_id,
                "child": "Айгерім С.",
                "question": "attendance",
                "reminder": i,
            }
            reminders.append(
                NewReminder(
                    key=_key(case_id, i),
                    case_id=case_id,
                    rule="attendance_check",
                    recipient="Lyceum No. 8",
                    channel="webhook",
                    address=address,
                    subject="Attendance check",
                    body="Is Айгерім attending?",
                    payload=payload,
                    status="pending",
                    created_at=now,
                )
            )
        with self.app.uow() as uow:
            assert uow.outbox.add(reminders) == count
            uow.commit()
        return {r.key: canonical_json(sent_as(r)) for r in reminders}

    def rows(self) -> list[StoredReminder]:
        return self.app.handle(c.ListReminders(None, 1_000_000))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path}/clms.db"
    app = bootstrap(Settings(database_url=url))
    app.migrate()
    numbers = [
        identified(app, "sub-d1", who=child(first="Айгерім", born=date(2013, 4, 5))),
        identified(app, "sub-d2", who=child(first="Нұрлан", born=date(2012, 1, 9))),
        identified(app, "sub-d3", who=child(first="Дана", born=date(2014, 7, 21))),
    ]
    with app.uow() as uow:
        case_ids = [uow.cases.get(number).id for number in numbers]
    assert len(set(case_ids)) == 3 and None not in case_ids, case_ids
    yield Database(url, app, [i for i in case_ids if i is not None])
    app.engine.dispose()


# --- the workers -------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """kill -9, and make sure it is dead."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.died_of_sigkill()

    def died_of_sigkill(self) -> None:
        code = self.process.wait(timeout=10)
        assert code == -signal.SIGKILL, f"{self.name} exited {code}, not killed: {self.stderr()}"

    def finish(self, seconds: float = WORKER_TIME_LIMIT + 15) -> dict[str, object]:
        try:
            code = self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"{self.name} did not finish in {seconds} s") from None
        assert code == 0, f"{self.name} exited {code}:\n{self.out.read_text()}\n{self.stderr()}"
        assert "database is locked" not in self.stderr(), self.stderr()
        summary: dict[str, object] = json.loads(self.out.read_text().splitlines()[-1])
        return summary

    def stderr(self) -> str:
        return self.err.read_text()


@dataclass
class Workers:
    database_url: str
    folder: Path
    started: list[Worker] = field(default_factory=list)

    def start(
        self, name: str, until: str = "sent", timeout: float = 2.0, batch: int = BATCH
    ) -> Worker:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLMS_")}
        env |= {  # read by app.retry_policy() and app.settings in the worker
            "CLMS_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
            "CLMS_DELIVERY_BASE_DELAY_SECONDS": "0.2",
            "CLMS_DELIVERY_MAX_DELAY_SECONDS": "1",
            "CLMS_DELIVERY_BATCH": str(batch),
            "CLMS_WEBHOOK_SECRET": SECRET,
        }
        out, err = self.folder / f"{name}.out", self.folder / f"{name}.err"
        command = [sys.executable, "-c", WORKER_SCRIPT, self.database_url, name, until]
        command += [str(timeout), str(WORKER_TIME_LIMIT)]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                command, stdout=stdout, stderr=stderr, env=env, cwd=self.folder
            )
        worker = Worker(name, process, out, err)
        self.started.append(worker)
        return worker


@pytest.fixture
def workers(database: Database, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(database.url, tmp_path)
    yield pool
    for worker in pool.started:  # only the processes this test started, by their handle
        if worker.running():
            worker.process.kill()
            worker.process.wait(timeout=10)


# --- checks ------------------------------------------------------------------------------


def assert_every_hit_is_one_of_ours_and_unchanged(
    hits: list[Hit], bodies: dict[str, bytes]
) -> None:
    """A request that arrives twice is the same message: same key, same bytes."""
    assert all(h.signed for h in hits), "a request without a valid signature"
    strangers = {h.key for h in hits} - set(bodies)
    assert not strangers, f"requests with keys that are no reminder's: {sorted(strangers)[:5]}"
    changed = [h.key for h in hits if h.body != bodies[h.key]]
    assert not changed, f"a re-sent reminder changed its body: {changed[:5]}"


def assert_all_sent(rows: list[StoredReminder], bodies: dict[str, bytes]) -> None:
    assert sorted(r.key for r in rows) == sorted(bodies), "a reminder was lost or invented"
    not_sent = [(r.key, r.status, r.last_error) for r in rows if r.status != "sent"]
    assert not not_sent, f"{len(not_sent)} not sent: {not_sent[:5]}"
    assert all(r.sent_at is not None and r.last_error == "" for r in rows)


# --- A: kill -9 --------------------------------------------------------------------------


def test_a_worker_killed_with_sigkill_at_any_point_and_restarted_delivers_every_reminder_and_a_duplicate_is_the_same_message(
    sink: Sink, database: Database, workers: Workers
) -> None:
    seed = time.time_ns()
    rng = random.Random(seed)
    context = f"(random seed {seed})"
    bodies = database.add_reminders(sink.url, REMINDERS)
    sink.start()

    # Kill 1, in the crash window itself: the 25th request has reached the receiver and the
    # worker is waiting for the answer, so it cannot have recorded the reminder as sent.
    first = workers.start("worker-1")
    crash_point = 25
    fired = threading.Event()

    def kill_at_crash_point(count: int) -> None:
        if count == crash_point and not fired.is_set():
            fired.set()
            os.kill(first.process.pid, signal.SIGKILL)

    sink.on_hit = kill_at_crash_point
    wait_until(fired.is_set, f"worker-1 never sent {crash_point} requests: {first.stderr()}")
    first.died_of_sigkill()
    sink.on_hit = None
    in_flight = sink.hits()[crash_point - 1].key

    # Kill 2, at a random moment while the second worker is sending.
    second = workers.start("worker-2")
    target = len(sink.hits()) + rng.randint(10, 40)
    wait_until(
        lambda: len(sink.hits()) >= target or not second.running(),
        f"worker-2 stalled {context}: {second.stderr()}",
    )
    assert second.running(), f"worker-2 ended before it was killed {context}: {second.stderr()}"
    time.sleep(rng.uniform(0, SINK_DELAY * 2))
    second.kill()

    # Kill 3, at a random time from its start: while importing, claiming, sending or settling.
    third = workers.start("worker-3")
    time.sleep(rng.uniform(0.5, 2.5))
    assert third.running(), f"worker-3 ended before it was killed {context}: {third.stderr()}"
    third.kill()
    kills = 3

    summary = workers.start("worker-4").finish()

    rows = database.rows()
    assert_all_sent(rows, bodies)
    hits = sink.hits()
    assert_every_hit_is_one_of_ours_and_unchanged(hits, bodies)
    received = Counter(h.key for h in hits)
    assert set(received) == set(bodies), f"never reached the receiver {context}"
    duplicates = {k: n for k, n in received.items() if n > 1}
    # The reminder in flight at kill 1 was received and never recorded: it went again.
    assert received[in_flight] == 2, f"{in_flight} received {received[in_flight]} times"
    # Each reminder is recorded right after its own request, so a kill leaves at most the
    # one in flight unrecorded: at most one duplicate per kill (the issue allows a batch).
    assert sum(n - 1 for n in duplicates.values()) <= kills, f"{duplicates} {context}"
    print(
        f"\nkill -9 x{kills}: {len(hits)} requests for {len(bodies)} reminders, "
        f"duplicates {duplicates}, last worker {summary} {context}"
    )


# --- B: the gateway down, failing, or slow -----------------------------------------------


@dataclass(frozen=True)
class Outage:
    mode: str  # the sink's mode during the outage; "down": not listening at all
    reminders: int
    timeout: float  # the webhook adapter's timeout in the worker
    batch: int
    error: str  # what last_error says


OUTAGES = [
    pytest.param(Outage("error", REMINDERS, 2.0, BATCH, "HTTP 500"), id="answering 500"),
    pytest.param(Outage("down", REMINDERS, 2.0, BATCH, "ConnectError"), id="not listening"),
    # A batch of timeouts must fit in the lease (5 x 0.15 s < 2 s): fewer, smaller batches.
    pytest.param(Outage("slow", 20, 0.15, 5, "ReadTimeout"), id="slower than the timeout"),
]


@pytest.mark.parametrize("outage", OUTAGES)
def test_while_the_gateway_is_down_or_failing_reminders_stay_pending_and_each_goes_out_once_after_it_recovers(
    outage: Outage, sink: Sink, database: Database, workers: Workers
) -> None:
    bodies = database.add_reminders(sink.url, outage.reminders)
    if outage.mode != "down":
        sink.mode = outage.mode
        sink.start()

    during = workers.start("outage", "attempted", outage.timeout, outage.batch).finish()

    rows = database.rows()
    assert sorted(r.key for r in rows) == sorted(bodies), "a reminder was lost"
    wrong = [
        (r.key, r.status, r.attempts, r.last_error)
        for r in rows
        if r.status != "pending"
        or r.attempts < 1
        or outage.error not in r.last_error
        or r.sent_at is not None
    ]
    assert not wrong, f"{len(wrong)} not pending with the error recorded: {wrong[:5]}"
    outcomes = during["outcomes"]
    assert isinstance(outcomes, dict) and set(outcomes) == {"retry"}, during
    failing = sink.hits()
    if outage.mode == "down":
        assert not failing
    else:
        assert {h.key for h in failing} == set(bodies)
    attempts_before = {r.key: r.attempts for r in rows}

    sink.mode = "ok"
    if outage.mode == "down":
        sink.start()  # the same address starts answering
    workers.start("recovered").finish()

    rows = database.rows()
    assert_all_sent(rows, bodies)
    assert {r.key: r.attempts for r in rows} == {k: n + 1 for k, n in attempts_before.items()}
    hits = sink.hits()
    assert_every_hit_is_one_of_ours_and_unchanged(hits, bodies)
    accepted = Counter(h.key for h in hits if h.answer == "ok")
    assert accepted == Counter(set(bodies)), "not exactly once each after the recovery"
    print(f"\n{outage.mode}: attempts during the outage {Counter(attempts_before.values())}")


# --- C: two workers at once --------------------------------------------------------------


def test_two_workers_started_together_on_the_same_database_deliver_every_reminder_exactly_once(
    sink: Sink, database: Database, workers: Workers
) -> None:
    bodies = database.add_reminders(sink.url, REMINDERS)
    sink.start()

    pair = [workers.start("worker-a"), workers.start("worker-b")]
    summaries = [worker.finish() for worker in pair]

    assert_all_sent(database.rows(), bodies)
    hits = sink.hits()
    assert_every_hit_is_one_of_ours_and_unchanged(hits, bodies)
    twice = {k: n for k, n in Counter(h.key for h in hits).items() if n > 1}
    assert not twice, f"received more than once: {twice}"
    assert len(hits) == len(bodies)
    outcomes = [s["outcomes"] for s in summaries]
    assert sum(o.get("sent", 0) for o in outcomes if isinstance(o, dict)) == REMINDERS, outcomes
    assert all(set(o) <= {"sent"} for o in outcomes if isinstance(o, dict)), outcomes
    print(f"\ntwo workers: {summaries}")
