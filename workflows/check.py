"""The daily check as a Prefect flow: thin, it runs each rule's query, maps the cases it
found in chunks over a task, and reports a summary (return value and markdown artifact).
The logic is in clms.services.check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact

from clms.bootstrap import current_app
from clms.domain.check import CheckRule
from clms.domain.reminders import RUN_ORDER
from clms.services import check
from clms.services.commands import ActOnCheckChunk, FindCheckChunks


@task(retries=2, retry_delay_seconds=5)
def find_chunks(rule: CheckRule, now: datetime, region: str | None) -> list[list[int]]:
    return current_app().handle(FindCheckChunks(rule, now, region))


@task(retries=2, retry_delay_seconds=5)
def act_on_chunk(rule: CheckRule, case_ids: list[int], now: datetime) -> check.ChunkResult:
    return current_app().handle(ActOnCheckChunk(rule, case_ids, now))


@flow(name="satisfactory-alternative-check")
def satisfactory_alternative_check(
    now: datetime | None = None, region: str | None = None
) -> dict[str, Any]:
    """For every open case (of `region`, or all): does the child have a satisfactory
    alternative, and if not, who must act? Running it twice for one `now` sends nothing twice."""
    moment = now or current_app().clock()
    results: dict[CheckRule, list[check.ChunkResult]] = {}
    for rule in RUN_ORDER:  # one rule after the other: the changing rules come first
        chunks = find_chunks(rule, moment, region)
        results[rule] = act_on_chunk.map(unmapped(rule), chunks, unmapped(moment)).result()
    summary = check.summarise(results, moment, region)
    create_markdown_artifact(key="check-summary", markdown=check.summary_markdown(summary))
    return summary
