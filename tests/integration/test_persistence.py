"""The database adapter on real databases: a SQLite file and a PostgreSQL server, both
with the migrations applied, never a mock."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from clms.bootstrap import App
from clms.domain.errors import Conflict
from clms.domain.model import ClosureReason
from clms.ports import CaseQuery
from clms.services import cases as s
from clms.services import commands as c
from tests.builders import (
    DAY,
    NOW,
    PROVIDERS,
    SOCIAL_WORKER,
    child,
    close,
    identified,
    in_service,
    seen,
    visit,
)


def run_to_withdrawn(app: App, number: str) -> None:
    in_service(app, number, assessment="visited")
    for visited in (date(2026, 4, 2), date(2026, 7, 2)):
        visit(app, number, visited)
    close(app, number, ClosureReason.WITHDRAWN, date(2026, 7, 3))


def test_migrations_create_every_table_and_can_run_again(app: App) -> None:
    number = identified(app, "sub-1")
    app.migrate()  # `clms init` on an up-to-date database changes nothing
    tables = set(inspect(app.engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert [r.number for r in app.handle(c.ListCases(CaseQuery()))] == [number]
    assert len(app.handle(c.ListProviders())) == len(PROVIDERS)


def test_a_whole_case_story_is_stored_and_read_back_unchanged(app: App) -> None:
    number = identified(app, "sub-1")
    run_to_withdrawn(app, number)
    case = app.handle(c.GetCase(number))
    assert (case.state, case.closure_reason, case.version) == ("closed", ClosureReason.WITHDRAWN, 7)
    assert [h.trigger for h in case.history] == [
        "identify", "assess", "refer", "referral_answered", "start_service",
        "record_follow_up", "record_follow_up", "close",
    ]  # fmt: skip
    assert case.history[1].reason == "visited" and case.history[1].at.tzinfo is not None
    assert [r.state for r in case.referrals] == ["completed"]
    assert [f.state.value for f in case.follow_ups] == ["done", "done", "cancelled"]
    assert s.history_is_consistent(case)


def test_a_service_still_attended_when_the_case_ages_out_is_stored_as_ongoing(app: App) -> None:
    number = in_service(app, identified(app, "sub-1", who=child(born=date(2008, 6, 1))))
    close(app, number, ClosureReason.AGED_OUT, date(2026, 6, 1))
    case = app.handle(c.GetCase(number))
    assert [(r.state, r.ended_at) for r in case.referrals] == [("ongoing_at_close", None)]
    assert s.history_is_consistent(case)


def test_history_rows_can_be_neither_updated_nor_deleted(app: App) -> None:
    identified(app, "sub-1")
    for statement in ("UPDATE case_history SET reason = 'rewritten'", "DELETE FROM case_history"):
        with pytest.raises(DBAPIError, match="append-only"), app.engine.begin() as connection:
            connection.execute(text(statement))
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM case_history")).scalar_one() == 1


def test_a_stale_write_is_refused_as_a_conflict_and_applies_nothing(app: App) -> None:
    number = identified(app, "sub-1")
    stale = app.handle(c.GetCase(number))
    app.handle(c.Assess(number, SOCIAL_WORKER, NOW))
    stale.state = "screened_out"
    with app.uow() as work, pytest.raises(Conflict, match="changed by somebody else"):
        work.cases.save(stale, s.index_of(stale, app.rules))
    assert app.handle(c.GetCase(number)).state == "assessed"


def test_the_same_submission_sent_at_the_same_moment_creates_one_case(app: App) -> None:
    results: list[s.Identified] = []
    start = threading.Barrier(6)

    def submit() -> None:
        start.wait()
        command = c.Identify(child(), seen("double-tap", "weeding"), NOW)
        results.append(app.handle(command))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 6 and len({r.case_number for r in results}) == 1
    assert sorted(r.outcome for r in results) == ["already recorded"] * 5 + ["opened"]
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM identifications")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1


def test_a_refused_identification_leaves_no_half_written_case(app: App) -> None:
    from clms.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        identified(app, "bad", "juggling")
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0


def test_the_list_puts_overdue_cases_first_then_urgent_ones(app: App) -> None:
    late = identified(app, "a", "weeding", who=child(first="Ерлан", last="Ахметов"))
    urgent = identified(app, "b", "forced_begging", who=child(first="Мадина", last="Ким"))
    identified(app, "c", "weeding", who=child(first="Daniyar", last="Seitkali"))
    with app.uow() as work:  # make the first case long overdue
        work.session.execute(
            text("UPDATE cases SET next_action_due = :due WHERE number = :n"),
            {"due": NOW - 30 * DAY, "n": late},
        )
        work.commit()
    rows = app.handle(c.ListCases(CaseQuery()))
    assert [r.number for r in rows][:2] == [late, urgent]
    overdue = app.handle(c.ListCases(CaseQuery(overdue_at=NOW)))
    assert [r.number for r in overdue] == [late]


def test_the_stored_index_columns_follow_the_case(app: App) -> None:
    number = identified(app, "u", "trafficking")
    with app.engine.connect() as connection:
        row = connection.execute(
            text("SELECT priority, alternative_status, state, region FROM cases")
        ).one()
    assert tuple(row) == ("urgent", "none", "identified", "Turkestan")
    urgent = app.handle(c.ListCases(CaseQuery(priority="urgent")))
    assert [(r.number, r.next_action_due) for r in urgent] == [(number, NOW + timedelta(hours=24))]


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(tmp_path: object) -> None:
    from clms.adapters.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("journal_mode"), pragma("synchronous"), pragma("foreign_keys")) == (
            "wal",
            2,
            1,
        )


def test_a_time_without_a_time_zone_is_refused_rather_than_stored_ambiguously(app: App) -> None:
    from dataclasses import replace as with_field

    command = c.Identify(
        child(), with_field(seen("naive", "weeding"), observed_at=NOW.replace(tzinfo=None)), NOW
    )
    with pytest.raises(Exception, match="naive datetime"):
        app.handle(command)
    with app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0
