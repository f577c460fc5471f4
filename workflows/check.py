"""The daily check as a Prefect flow: thin, it runs each rule as one task (the rule's
cases in chunks, a transaction each) and reports a summary (return value and markdown
artifact). The steps are in clms.workflows.steps, the logic in clms.services.check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from clms.services import check
from clms.workflows import steps

# One task run per rule, whatever the number of cases: a constant per flow run.
check_rule = task(retries=2, retry_delay_seconds=5)(steps.check_rule)


@flow(name="satisfactory-alternative-check")
def satisfactory_alternative_check(
    now: datetime | None = None, region: str | None = None
) -> dict[str, Any]:
    """For every open case (of `region`, or all): does the child have a satisfactory
    alternative, and if not, who must act? Running it twice for one `now` sends nothing twice."""
    summary = steps.run_check(now, region, check_rule)
    create_markdown_artifact(key="check-summary", markdown=check.summary_markdown(summary))
    return summary
