"""The Prefect flows, run for real under the test harness, and their tasks through .fn()."""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import UUID

from prefect.client.orchestration import get_client

from clms.bootstrap import App, bootstrap, use_app
from clms.domain.check import CheckRule
from clms.domain.reminders import RUN_ORDER
from clms.services import commands as c
from clms.settings import Settings
from clms.workflows.check import check_rule, satisfactory_alternative_check
from clms.workflows.deliver import deliver_reminders
from tests.builders import (
    DAY,
    NOW,
    add_contacts,
    child,
    identified,
    referred,
    reminders_of,
    rules_of,
)
from tests.servers import wait_until


def test_the_check_flow_returns_counts_per_rule_and_district_and_runs_idempotently(
    flows_app: App,
) -> None:
    add_contacts(flows_app)
    identified(flows_app, "a", who=child(first="Мадина"))
    identified(flows_app, "b", "trafficking", who=child(first="Ерлан"))
    summary = satisfactory_alternative_check(now=NOW + 8 * DAY)
    assert summary["rules"]["not_assessed"]["by_district"] == {"KZ-TUR-MAK": 1}
    assert summary["rules"]["urgent_overdue"]["found"] == 1
    assert summary["reminders"] == 2
    again = satisfactory_alternative_check(now=NOW + 8 * DAY)
    assert again["reminders"] == 0
    told_at_once = 2  # the worst form, to the social worker and the supervisor when found
    assert len(flows_app.handle(c.ListReminders(None, 100))) == 2 + told_at_once


def test_the_check_flow_publishes_its_summary_as_a_markdown_artifact(flows_app: App) -> None:
    identified(flows_app, "a")
    satisfactory_alternative_check(now=NOW + 8 * DAY)
    assert "| not_assessed | KZ-TUR-MAK | 1 |" in latest_artifact("check-summary")


def latest_artifact(key: str) -> str:
    """Read through the API itself: Prefect 3.8.8's own read_artifacts sends nulls that its
    server refuses with 422 under FastAPI 0.151 and later."""
    query = {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1, "offset": 0}
    with get_client(sync_client=True) as client:
        response = client._client.post("/artifacts/filter", json=query)
    response.raise_for_status()
    return str(response.json()[0]["data"])


def test_a_rule_acts_on_the_cases_it_finds_a_chunk_at_a_time(flows_app: App) -> None:
    use_app(chunks_of_two(flows_app))
    names = ["Мадина", "Ерлан", "Дана"]
    for n, name in enumerate(names):
        identified(flows_app, f"c{n}", who=child(first=name))
    chunks = check_rule.fn(CheckRule.NOT_ASSESSED, NOW + 8 * DAY, None)
    assert [sum(chunk.found.values()) for chunk in chunks] == [2, 1]


def test_the_check_flow_makes_one_task_run_per_rule_as_many_for_thirty_cases_as_for_three(
    flows_app: App,
) -> None:
    use_app(chunks_of_two(flows_app))
    counts = []
    for first, last in ((0, 3), (3, 30)):
        for n in range(first, last):
            identified(flows_app, f"c{n}", who=child(first=f"Child{n}", last=f"Family{n}"))
        state = satisfactory_alternative_check(now=NOW + 8 * DAY, return_state=True)
        counts.append(task_runs_of(state.state_details.flow_run_id))
    assert counts == [len(RUN_ORDER), len(RUN_ORDER)]


def chunks_of_two(app: App) -> App:
    """The same database, the check working in chunks of two cases."""
    settings = Settings(database_url=app.settings.database_url, check_chunk_size=2)
    return bootstrap(settings, clock=app.clock)


def task_runs_of(flow_run_id: UUID | None) -> int:
    """The server records task runs from events, a moment after they ran: counted once all
    are completed and no more came for a second."""
    counts: list[list[str]] = []

    def settled() -> bool:
        counts.append(task_run_states(flow_run_id))
        time.sleep(0.5)
        return len(counts) > 2 and counts[-1] == counts[-3] and set(counts[-1]) == {"COMPLETED"}

    wait_until(settled, f"the task runs of {flow_run_id} did not settle: {counts[-1:]}", 60)
    return len(counts[-1])


def task_run_states(flow_run_id: UUID | None) -> list[str]:
    query = {"flow_runs": {"id": {"any_": [str(flow_run_id)]}}, "limit": 200}
    with get_client(sync_client=True) as client:
        response = client._client.post("/task_runs/filter", json=query)
    response.raise_for_status()
    return sorted(str(run["state_type"]) for run in response.json())


def test_the_delivery_flow_sends_due_reminders_through_the_adapters(flows_app: App) -> None:
    add_contacts(flows_app)
    number = referred(flows_app, identified(flows_app, "w"), provider="SCH-HOOK")
    satisfactory_alternative_check(now=NOW + 8 * DAY)  # the provider's webhook answers nothing
    use_app(
        bootstrap(
            Settings(database_url=flows_app.settings.database_url), clock=lambda: NOW + 8 * DAY
        )
    )
    outcomes = deliver_reminders()
    assert outcomes == {"retry": 1}  # port 9 refuses: kept for later, not lost
    [reminder] = reminders_of(flows_app, number)
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert "ConnectError" in reminder.last_error


def test_a_school_that_never_answers_gets_a_reminder_then_the_supervisor_then_the_referral_expires(
    flows_app: App,
) -> None:
    """Day by day, as the schedule would run it: the order is the promise."""
    add_contacts(flows_app)
    number = referred(
        flows_app, identified(flows_app, "never"), provider="SCH-MAIL"
    )  # answer due 7 days after NOW
    seen: list[tuple[int, str]] = []
    for day in range(0, 20):
        satisfactory_alternative_check(now=NOW + day * DAY + timedelta(hours=17))
        seen += [
            (day, rule)
            for rule in rules_of(flows_app, number)
            if (rule not in {r for _, r in seen})
        ]
    assert seen[:3] == [
        (7, "referral_unanswered"),
        (10, "referral_escalation"),
        (14, "referral_expired"),
    ]
    recipients = {r.rule: (r.channel, r.recipient) for r in reminders_of(flows_app, number)}
    assert recipients["referral_unanswered"] == ("email", "School No. 3")
    assert recipients["referral_escalation"] == ("email", "Marat B.")
    assert recipients["referral_expired"] == ("sms", "Aizhan M.")
