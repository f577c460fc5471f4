"""Building cases in the situations the daily check looks for, through the use cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from clms.bootstrap import App
from clms.domain.check import CheckRule
from clms.domain.model import Provider
from clms.domain.reminders import RUN_ORDER
from clms.ports import StaffMember, StoredReminder
from clms.services import cases as s
from clms.services import check, directory
from clms.services import commands as c
from clms.services.outbox import list_reminders
from tests.conftest import DISTRICT, NOW, SOCIAL_WORKER, child, seen

DAY = timedelta(days=1)
SCHOOL = Provider(
    "SCH-MAIL",
    "School No. 3",
    DISTRICT,
    frozenset({("school", DISTRICT)}),
    email="school3@edu.example.kz",
    language="en",
)
WEBHOOK_SCHOOL = Provider(
    "SCH-HOOK",
    "Lyceum No. 8",
    DISTRICT,
    frozenset({("school", DISTRICT)}),
    webhook_url="http://127.0.0.1:9/attendance",
)


def add_contacts(app: App) -> None:
    for provider in (SCHOOL, WEBHOOK_SCHOOL):
        directory.add_provider(provider, app.uow(), app.rules)
    directory.add_staff(
        StaffMember("Aizhan M.", "social_worker", DISTRICT, phone="+77010000001"),
        app.uow(),
        app.rules,
    )
    directory.add_staff(
        StaffMember("Marat B.", "supervisor", "Turkestan", email="marat@mlsp.example.kz"),
        app.uow(),
        app.rules,
    )


def identified(
    app: App,
    submission: str,
    *activities: str,
    born: date = date(2013, 4, 5),
    first: str = "Айгерім",
    at: datetime = NOW,
) -> str:
    observation = seen(submission, *(activities or ("weeding",)), at=at)
    return s.identify(
        c.Identify(child(first=first, born=born), observation, at), app.uow(), app.rules
    ).case_number


def referred(app: App, submission: str, provider: str = "SCH-MAIL", at: datetime = NOW) -> str:
    number = identified(app, submission, at=at)
    s.assess(c.Assess(number, SOCIAL_WORKER, at), app.uow(), app.rules)
    s.refer(
        c.Refer(number, SOCIAL_WORKER, at, provider=provider, service_type="school"),
        app.uow(),
        app.rules,
    )
    return number


def in_service(
    app: App, submission: str, provider: str = "SCH-MAIL", started: date = date(2026, 3, 3)
) -> str:
    number = referred(app, submission, provider)
    s.answer_referral(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY), app.uow(), app.rules)
    s.start_service(
        c.StartService(number, SOCIAL_WORKER, NOW + DAY, started_on=started), app.uow(), app.rules
    )
    return number


def run_check(app: App, now: datetime, region: str | None = None) -> dict[str, int]:
    """The check's rules in order, chunk by chunk, as the flow runs them (without Prefect)."""
    found: dict[str, int] = {}
    for rule in RUN_ORDER:
        for chunk in check.candidate_chunks(rule, now, region, app.uow(), size=2):
            result = check.act_on_chunk(rule, chunk, now, app.uow(), app.rules, app.links())
            found[rule.value] = found.get(rule.value, 0) + sum(result.found.values())
    return found


def reminders_of(app: App, number: str) -> list[StoredReminder]:
    every = list_reminders(app.uow(), None, 10_000)
    return sorted((r for r in every if r.case_number == number), key=lambda r: r.id)


def rules_of(app: App, number: str) -> list[str]:
    return [r.rule for r in reminders_of(app, number)]


__all__ = ["CheckRule"]
