"""What the tests build from: the test directory, a fixed clock, children and observations,
Apps over the fakes, and cases brought to a state through the use cases (`App.handle`), on
the fakes or on a real database alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine

from clms.bootstrap import App
from clms.domain.model import Actor, Case, Child, ClosureReason, Observation, Provider, Role
from clms.domain.reminders import RUN_ORDER
from clms.domain.rules import CountryRules
from clms.ports import StaffMember, StoredReminder
from clms.services import commands as c
from clms.settings import Settings
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SOCIAL_WORKER = Actor("aigul.s", Role.SOCIAL_WORKER)
SUPERVISOR = Actor("marat.k", Role.SUPERVISOR)
DISTRICT = "KZ-TUR-MAK"

PROVIDERS = (
    Provider("SCH-12", "School-lyceum No. 12", DISTRICT, frozenset({("school", DISTRICT)})),
    Provider(
        "VOC-1",
        "Maktaaral Agrarian College",
        DISTRICT,
        frozenset({("vocational_training", DISTRICT), ("non_formal_education", DISTRICT)}),
    ),
    Provider(
        "SCH-ALM", "Secondary school No. 45", "KZ-ALA-ALT", frozenset({("school", "KZ-ALA-ALT")})
    ),
)
# The contacts the daily check's reminders go to (add_contacts).
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
STAFF = (
    StaffMember("Aizhan M.", "social_worker", DISTRICT, phone="+77010000001"),
    StaffMember("Marat B.", "supervisor", "Turkestan", email="marat@mlsp.example.kz"),
    StaffMember("Gulnara T.", "coordinator", "Turkestan", email="gulnara@council.example.kz"),
)


def child(
    first: str = "Айгерім",
    last: str = "Сапарова",
    born: date = date(2013, 4, 5),
    district: str = DISTRICT,
) -> Child:
    return Child(first, last, born, "f", district)


def seen(
    submission: str = "sub-1", *activities: str, at: datetime = NOW, **facts: object
) -> Observation:
    return Observation(submission, "inspector.b", at, tuple(activities), **facts)  # type: ignore[arg-type]


def fakes_with_providers() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for provider in PROVIDERS:
        fake.providers.add(provider)
    return fake


def app_over(uow: FakeUnitOfWork, rules: CountryRules) -> App:
    """An App whose use cases work on the fakes `uow`, with a clock fixed at NOW. Its
    engine is an in-memory SQLite one that nothing uses: App needs an engine."""
    return App(Settings(), rules, create_engine("sqlite://"), lambda: NOW, lambda: uow)


def add_contacts(app: App) -> None:
    """The schools and the staff the daily check's reminders go to."""
    for provider in (SCHOOL, WEBHOOK_SCHOOL):
        app.handle(c.AddProvider(provider))
    for member in STAFF:
        app.handle(c.AddStaff(member))


def identified(
    app: App,
    submission: str,
    *activities: str,
    who: Child | None = None,
    at: datetime = NOW,
    **facts: object,
) -> str:
    """A case opened (or attached to) by an identification: weeding, unless `activities`."""
    observation = seen(submission, *(activities or ("weeding",)), at=at, **facts)
    return app.handle(c.Identify(who or child(), observation, at)).case_number


def referred(
    app: App, number: str, provider: str = "SCH-12", at: datetime = NOW, assessment: str = ""
) -> str:
    """Assessed (for the reason `assessment`) and referred to `provider`'s school, at `at`."""
    app.handle(c.Assess(number, SOCIAL_WORKER, at, assessment))
    app.handle(c.Refer(number, SOCIAL_WORKER, at, provider=provider, service_type="school"))
    return number


def in_service(
    app: App,
    number: str,
    provider: str = "SCH-12",
    started: date = date(2026, 3, 3),
    assessment: str = "",
) -> str:
    """Referred at NOW, accepted a day later, in service from `started` (follow-ups are
    due from it: the first on 2 April by default)."""
    referred(app, number, provider, NOW, assessment)
    app.handle(c.AnswerReferral(number, SOCIAL_WORKER, NOW + DAY))
    app.handle(c.StartService(number, SOCIAL_WORKER, NOW + 2 * DAY, started_on=started))
    return number


def visit(app: App, number: str, on: date, **outcome: bool) -> Case:
    """A follow-up visit on `on`: attending and not working, unless `outcome` says."""
    at = datetime.combine(on, NOW.timetz())
    said = {"attending": True, "working": False, **outcome}
    return app.handle(c.RecordFollowUp(number, SOCIAL_WORKER, at, visited_on=on, **said))


def close(
    app: App,
    number: str,
    closure: ClosureReason,
    on: date,
    actor: Actor = SOCIAL_WORKER,
    reason: str = "",
) -> Case:
    at = datetime.combine(on, NOW.timetz())
    return app.handle(c.Close(number, actor, at, reason, closure=closure))


def run_check(app: App, now: datetime, region: str | None = None) -> dict[str, int]:
    """The check's rules in order, chunk by chunk, as the flow runs them (without
    Prefect): the cases found per rule."""
    found: dict[str, int] = {}
    for rule in RUN_ORDER:
        for chunk in app.handle(c.FindCheckChunks(rule, now, region)):
            result = app.handle(c.ActOnCheckChunk(rule, chunk, now))
            found[rule.value] = found.get(rule.value, 0) + sum(result.found.values())
    return found


def reminders_of(app: App, number: str) -> list[StoredReminder]:
    every = app.handle(c.ListReminders(None, 10_000))
    return sorted((r for r in every if r.case_number == number), key=lambda r: r.id)


def rules_of(app: App, number: str) -> list[str]:
    return [r.rule for r in reminders_of(app, number)]
