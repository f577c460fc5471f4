"""The daily check changes a chunk's cases in batches (one read per table, one executemany
per table): on random caseloads it stores exactly what the domain's changes give when each
case is read, changed and saved one by one, as the check did before."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from clms.bootstrap import App, bootstrap
from clms.domain.lifecycle import Act
from clms.domain.reminders import REMINDER_RULES
from clms.services.cases import index_of
from clms.services.check import SYSTEM
from clms.settings import Settings
from tests.builders import NOW, PROVIDERS, child, identified, in_service, referred, run_check, visit

# What a case may have been through before the check: the step it reached, and for a
# child in service the outcomes of the visits recorded (None: the visit was not made).
JOURNEYS = st.tuples(
    st.sampled_from(["identified", "referred", "in_service"]),
    st.lists(st.sampled_from([None, "attending", "not_attending"]), max_size=3),
)
TABLES = {
    "cases": "SELECT * FROM cases ORDER BY id",
    "referrals": "SELECT * FROM referrals ORDER BY id",
    "follow_ups": "SELECT * FROM follow_ups ORDER BY id",
    "case_history": 'SELECT case_id, seq, at, actor, role, "trigger", from_state, to_state,'
    " reason, data FROM case_history ORDER BY case_id, seq",
}


def an_app(folder: str, name: str) -> App:
    settings_ = Settings(database_url=f"sqlite:///{folder}/{name}.db", check_chunk_size=2)
    app = bootstrap(settings_, clock=lambda: NOW)
    app.migrate()
    with app.uow() as work:
        for provider in PROVIDERS:
            work.providers.add(provider)
        work.commit()
    return app


def caseload(app: App, journeys: list[tuple[str, list[str | None]]]) -> None:
    for n, (reached, visits) in enumerate(journeys):
        who = child(born=date(2012, 1, 1) + timedelta(days=n))
        number = identified(app, f"s-{n}", who=who)
        if reached == "referred":
            referred(app, number)
        if reached == "in_service":
            in_service(app, number)
            for k, outcome in enumerate(visits):
                if outcome is not None:
                    visit(app, number, date(2026, 4, 2) + timedelta(days=60 * k),
                          attending=outcome == "attending")  # fmt: skip


def one_by_one(app: App, now: datetime) -> None:
    """The changing rules as the check applied them before: each case read, changed by the
    domain and saved on its own."""
    for entry in (e for e in REMINDER_RULES if e.change is not None):
        with app.uow() as uow:
            ids = uow.check.candidate_ids(entry.rule, now, None)
            for finding in uow.check.findings(entry.rule, ids, now):
                case = uow.cases.get(finding.case_number)
                assert entry.change is not None
                act = Act(SYSTEM, now, app.rules, reason=entry.change.reason_for(finding))
                entry.change.apply(case, finding, act)
                uow.cases.save(case, index_of(case, app.rules))
            uow.commit()


def stored(app: App) -> dict[str, list[Any]]:
    """The tables the changes write. A case's version is left out: it counts saves, and a
    chunk saves a case once however many of its follow-ups the rule found."""
    with app.engine.connect() as connection:
        return {
            name: [
                {k: v for k, v in row.items() if (name, k) != ("cases", "version")}
                for row in connection.execute(text(sql)).mappings()
            ]
            for name, sql in TABLES.items()
        }


@settings(
    max_examples=10,
    phases=[Phase.generate, Phase.target],
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    journeys=st.lists(JOURNEYS, min_size=1, max_size=5),
    days=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=2),
)
def test_the_check_changes_cases_in_batches_as_the_domain_does_one_by_one(
    journeys: list[tuple[str, list[str | None]]], days: list[int]
) -> None:
    folder = tempfile.mkdtemp()
    batched, single = an_app(folder, "batched"), an_app(folder, "single")
    for app in (batched, single):
        caseload(app, journeys)
    for day in sorted(days):
        now = NOW + timedelta(days=day)
        run_check(batched, now)
        one_by_one(single, now)
    assert stored(batched) == stored(single)
    for app in (batched, single):
        app.engine.dispose()
