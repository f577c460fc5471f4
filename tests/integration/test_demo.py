"""The demo loads through the use cases: every state shows, every history is true."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clms import demo
from clms.bootstrap import App, bootstrap
from clms.domain.model import Case, ClosureReason
from clms.ports import CaseQuery
from clms.services import cases as services
from clms.services import commands as c
from clms.settings import Settings
from clms.states import CASE_LIFECYCLE

CLOCK = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CASES = 120
EVERY_CASE = CaseQuery(limit=100_000)


def _fresh_app(folder: Path) -> App:
    app = bootstrap(Settings(database_url=f"sqlite:///{folder}/demo.db"), clock=lambda: CLOCK)
    app.migrate()
    return app


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, dict[str, int]]]:
    app = _fresh_app(tmp_path_factory.mktemp("demo"))
    counts = demo.load(app, cases=CASES, seed=7)
    yield app, counts
    app.engine.dispose()


@pytest.fixture(scope="module")
def all_cases(loaded: tuple[App, dict[str, int]]) -> list[Case]:
    app, _ = loaded
    rows = app.handle(c.ListCases(EVERY_CASE))
    return [app.handle(c.GetCase(row.number)) for row in rows]


def test_every_state_of_the_case_lifecycle_has_at_least_one_case(all_cases: list[Case]) -> None:
    empty = set(CASE_LIFECYCLE.states) - {case.state for case in all_cases}
    assert not empty


def test_every_case_history_replays_to_its_stored_state(all_cases: list[Case]) -> None:
    inconsistent = [case.number for case in all_cases if not services.history_is_consistent(case)]
    assert not inconsistent


def test_no_act_is_dated_after_the_clock_and_each_follows_the_one_before(
    all_cases: list[Case],
) -> None:
    for case in all_cases:
        moments = [entry.at for entry in case.history]
        assert moments == sorted(moments), case.number
        assert moments[-1] <= CLOCK, case.number


def test_some_cases_are_overdue(loaded: tuple[App, dict[str, int]]) -> None:
    app, counts = loaded
    overdue = app.handle(c.ListCases(CaseQuery(overdue_at=CLOCK, limit=100_000)))
    assert overdue
    assert counts["overdue"] == len(overdue)


def test_the_counts_match_the_database(
    loaded: tuple[App, dict[str, int]], all_cases: list[Case]
) -> None:
    _, counts = loaded
    assert counts["cases"] == len(all_cases)
    # One case a child, but for the duplicate story's second case, closed as a duplicate.
    duplicates = sum(case.closure_reason is ClosureReason.DUPLICATE for case in all_cases)
    assert len(all_cases) - duplicates == CASES
    for state in CASE_LIFECYCLE.states:
        assert counts[f"state:{state}"] == sum(case.state == state for case in all_cases)


def test_closed_cases_show_every_closure_the_demo_tells(all_cases: list[Case]) -> None:
    closures = {case.closure_reason.value for case in all_cases if case.closure_reason}
    assert {"withdrawn", "prevented", "aged_out", "moved", "duplicate", "other"} <= closures


def test_relapses_and_a_reopened_case_are_in_the_histories(all_cases: list[Case]) -> None:
    triggers = {entry.trigger for case in all_cases for entry in case.history}
    assert {"relapse", "reopen", "resume", "mark_lost", "attach_identification"} <= triggers


def test_a_submission_sent_twice_is_recorded_once_and_a_new_spelling_attaches(
    loaded: tuple[App, dict[str, int]], all_cases: list[Case]
) -> None:
    _, counts = loaded
    assert counts["duplicate_submissions"] >= 1
    assert counts["reidentified"] >= 1
    submissions = [i.observation.submission_id for case in all_cases for i in case.identifications]
    assert len(submissions) == len(set(submissions))
    assert len(submissions) == counts["identifications"] - counts["duplicate_submissions"]


def test_every_referral_goes_to_a_provider_that_offers_it_in_the_childs_district(
    loaded: tuple[App, dict[str, int]], all_cases: list[Case]
) -> None:
    app, _ = loaded
    providers = {p.code: p for p in app.handle(c.ListProviders())}
    for case in all_cases:
        for referral in case.referrals:
            provider = providers[referral.provider]
            assert provider.offers_in(referral.service_type, case.child.district), case.number


def test_the_same_seed_gives_the_same_counts_on_a_fresh_database(
    loaded: tuple[App, dict[str, int]], tmp_path: Path
) -> None:
    _, counts = loaded
    again = _fresh_app(tmp_path)
    assert demo.load(again, cases=CASES, seed=7) == counts
    again.engine.dispose()


def test_if_empty_on_a_loaded_database_writes_nothing(
    loaded: tuple[App, dict[str, int]],
) -> None:
    app, _ = loaded
    before = app.handle(c.ListCases(EVERY_CASE))
    providers = app.handle(c.ListProviders())
    assert demo.load(app, cases=10, if_empty=True)["skipped"] == 1
    assert app.handle(c.ListCases(EVERY_CASE)) == before
    assert app.handle(c.ListProviders()) == providers


def test_loading_again_reuses_the_directory_and_adds_new_children(tmp_path: Path) -> None:
    app = _fresh_app(tmp_path)
    first = demo.load(app, cases=30)
    second = demo.load(app, cases=30)
    assert first["providers"] > 0
    assert second["providers"] == 0
    # Every story opened a new case: had a child met an open case of the first load, its
    # identification would have attached and the story would have stopped with an error.
    assert len(app.handle(c.ListCases(EVERY_CASE))) == first["cases"] + second["cases"]
    app.engine.dispose()


def test_every_identification_keeps_the_version_of_the_rules_that_classified_it(
    loaded: tuple[App, dict[str, int]], all_cases: list[Case]
) -> None:
    app, _ = loaded
    versions = {i.classification.rules_version for case in all_cases for i in case.identifications}
    assert versions == {app.rules.version}


def test_the_demos_people_log_in_with_passwords_shown_once(
    loaded: tuple[App, dict[str, int]],
) -> None:
    app, _ = loaded
    people = demo.add_users(app)
    roles = {str(user.role) for user, _ in people}
    assert {"admin", "social_worker", "supervisor", "monitor"} <= roles
    assert len({password for _, password in people}) == len(people)  # each its own
    user, password = next((u, p) for u, p in people if str(u.role) == "social_worker")
    assert app.handle(c.LogIn(user.username, password)).user.area == user.area
    assert demo.add_users(app) == []  # a second load adds nobody and shows no password


def test_the_demo_is_loaded_only_into_a_simulation_database(tmp_path: Path) -> None:
    app = _fresh_app(tmp_path)
    demo.load(app, cases=3, seed=1)
    assert app.handle(c.GetMode()) == "simulation"
