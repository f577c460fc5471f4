"""The Prefect flows, run for real under the test harness, and their tasks through .fn()."""

from __future__ import annotations

from datetime import timedelta

from prefect.client.orchestration import get_client

from clms.bootstrap import App, bootstrap, use_app
from clms.domain.check import CheckRule
from clms.services import commands as c
from clms.settings import Settings
from clms.workflows.check import act_on_chunk, find_chunks, satisfactory_alternative_check
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
    server (with FastAPI 0.154) refuses with 422."""
    query = {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1, "offset": 0}
    with get_client(sync_client=True) as client:
        response = client._client.post("/artifacts/filter", json=query)
    response.raise_for_status()
    return str(response.json()[0]["data"])


def test_the_tasks_work_on_chunks_of_cases_not_one_task_per_case(flows_app: App) -> None:
    numbers = [
        identified(flows_app, f"c{n}", who=child(first=name))
        for n, name in enumerate(["Мадина", "Ерлан", "Дана"])
    ]
    chunks = find_chunks.fn(CheckRule.NOT_ASSESSED, NOW + 8 * DAY, None)
    assert chunks == [[1, 2, 3]]  # one chunk holds up to check_chunk_size cases
    result = act_on_chunk.fn(CheckRule.NOT_ASSESSED, chunks[0], NOW + 8 * DAY)
    assert result.found == {"KZ-TUR-MAK": 3} and len(set(numbers)) == 3


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
