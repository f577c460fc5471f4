"""The flows' steps as plain functions, and where a run happens.

With a Prefect server (PREFECT_API_URL in the environment), `clms check`, `clms deliver`
and the embedded schedule run the flows of check.py and deliver.py, which wrap these
steps as tasks and report to that server. Without one they run the same steps here, in
this process: Prefect is not even imported, so no temporary server is started (it took
5-16 s, and outlived a process killed with SIGKILL)."""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from clms.bootstrap import current_app
from clms.domain.check import CheckRule
from clms.domain.reminders import RUN_ORDER
from clms.services import check
from clms.services.commands import ActOnCheckChunk, DeliverDue, FindCheckChunks

CheckRuleStep = Callable[[CheckRule, datetime, str | None], list[check.ChunkResult]]
DeliverBatchStep = Callable[[str], dict[str, int]]


def check_rule(rule: CheckRule, now: datetime, region: str | None) -> list[check.ChunkResult]:
    """One rule over every case it finds, a transaction per chunk of check_chunk_size cases:
    one step per rule however many cases there are (a task run costs 5-8 ms)."""
    app = current_app()
    chunks = app.handle(FindCheckChunks(rule, now, region))
    return [app.handle(ActOnCheckChunk(rule, case_ids, now)) for case_ids in chunks]


def run_check(
    now: datetime | None, region: str | None, step: CheckRuleStep = check_rule
) -> dict[str, Any]:
    moment = now or current_app().clock()
    # One rule after the other: the rules that change a case come first.
    results = {rule: step(rule, moment, region) for rule in RUN_ORDER}
    return check.summarise(results, moment, region)


def deliver_batch(worker: str) -> dict[str, int]:
    return current_app().handle(DeliverDue(worker))


def run_delivery(
    max_batches: int, worker: str | None, step: DeliverBatchStep = deliver_batch
) -> dict[str, int]:
    name = worker or f"{socket.gethostname()}-{os.getpid()}"
    total: Counter[str] = Counter()
    for _ in range(max_batches):
        outcomes = step(name)
        total.update(outcomes)
        if not outcomes:
            break
    return dict(total)


def prefect_server() -> str | None:
    """The Prefect server this process reports to: PREFECT_API_URL from the environment
    (a Prefect profile is not read: reading it costs the seconds of importing Prefect)."""
    return os.environ.get("PREFECT_API_URL", "").strip() or None


def where_runs_go() -> str:
    server = prefect_server()
    if server:
        return f"as Prefect flow runs on {server} (PREFECT_API_URL)"
    return "in this process, without a Prefect server (PREFECT_API_URL is not set)"


def check_once(now: datetime | None = None, region: str | None = None) -> dict[str, Any]:
    """The daily check once: a flow run on the Prefect server when there is one, else here."""
    if prefect_server() is None:
        return run_check(now, region)
    from clms.workflows.check import satisfactory_alternative_check

    return satisfactory_alternative_check(now=now, region=region)


def deliver_once(max_batches: int = 20) -> dict[str, int]:
    """Delivery once: a flow run on the Prefect server when there is one, else here."""
    if prefect_server() is None:
        return run_delivery(max_batches, None)
    from clms.workflows.deliver import deliver_reminders

    return deliver_reminders(max_batches=max_batches)
