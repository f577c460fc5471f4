"""One child, one case, on real databases: identifications of one child arriving at the same
instant, from different forms or the same form sent twice, end in one case; a child who only
resembles an earlier case's child is flagged, and a person's decision is stored."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event, text

from clms.bootstrap import App
from clms.domain.duplicates import FlagStatus, Resemblance, child_key
from clms.domain.model import Child, ClosureReason
from clms.services import cases as s
from clms.services import commands as c
from tests.builders import DAY, NOW, SOCIAL_WORKER, child, close, identified, seen

THREADS = 5
ROUNDS = range(3)  # each round on a new database: a race that is lost sometimes shows


def at_once(count: int, submit: Callable[[int], s.Identified]) -> list[s.Identified]:
    """`submit(i)` from `count` threads released together; every answer (none may fail)."""
    start = threading.Barrier(count)
    results: list[s.Identified] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results.append(submit(i))
        except BaseException as error:  # a submission lost to an error fails the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def identify(app: App, who: Child, submission: str) -> s.Identified:
    return app.handle(c.Identify(who, seen(submission, "weeding"), NOW))


def scalar(app: App, sql: str, **params: object) -> object:
    with app.engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


@pytest.mark.parametrize("round_", ROUNDS)
def test_one_child_sent_from_five_forms_at_once_gets_one_case_with_every_form(
    app: App, round_: int
) -> None:
    results = at_once(THREADS, lambda i: identify(app, child(), f"form-{round_}-{i}"))
    assert len({r.case_number for r in results}) == 1
    assert sorted(r.outcome for r in results) == ["attached"] * (THREADS - 1) + ["opened"]
    assert len(app.handle(c.GetCase(results[0].case_number)).identifications) == THREADS
    assert scalar(app, "SELECT count(*) FROM cases") == 1
    assert scalar(app, "SELECT count(*) FROM identifications") == THREADS


@pytest.mark.parametrize("round_", ROUNDS)
def test_five_forms_at_once_for_a_child_with_an_open_case_are_all_attached_to_it(
    app: App, round_: int
) -> None:
    number = identified(app, "first")
    results = at_once(THREADS, lambda i: identify(app, child(), f"form-{round_}-{i}"))
    assert {(r.case_number, r.outcome) for r in results} == {(number, "attached")}
    case = app.handle(c.GetCase(number))
    assert (len(case.identifications), case.version) == (THREADS + 1, THREADS)


@pytest.mark.parametrize("round_", ROUNDS)
def test_one_form_double_tapped_from_five_threads_is_recorded_once(app: App, round_: int) -> None:
    results = at_once(THREADS, lambda i: identify(app, child(), f"double-tap-{round_}"))
    assert len({r.case_number for r in results}) == 1
    assert sorted(r.outcome for r in results) == ["already recorded"] * (THREADS - 1) + ["opened"]
    assert scalar(app, "SELECT count(*) FROM identifications") == 1


@pytest.mark.parametrize("round_", ROUNDS)
def test_a_child_and_a_resembling_one_sent_at_once_are_flagged_once(app: App, round_: int) -> None:
    # Each may find the other's case only if they take turns: two cases, one flag.
    children = [child(), child("Сапарова", "Айгерім")] * 2
    results = at_once(4, lambda i: identify(app, children[i], f"form-{round_}-{i}"))
    assert sorted(r.outcome for r in results) == ["attached", "attached", "opened", "opened"]
    assert [f.resemblance for f in app.handle(c.ListPossibleDuplicates())] == [
        Resemblance.NAMES_SWAPPED
    ]


def test_flags_are_stored_listed_and_decided(app: App) -> None:
    old = identified(app, "sub-1")
    swapped = identified(app, "sub-2", who=child(born=date(2013, 5, 4)))
    moved = identified(app, "sub-3", who=child(district="KZ-TUR-ZHT"))
    listed = app.handle(c.ListPossibleDuplicates())
    assert [(f.new_case, f.old_case, f.resemblance, f.flagged_at) for f in listed] == [
        (moved, old, Resemblance.OTHER_DISTRICT, NOW),
        (swapped, old, Resemblance.DAY_AND_MONTH_SWAPPED, NOW),
    ]
    app.handle(c.DismissDuplicate(swapped, old, SOCIAL_WORKER, NOW + DAY, "twins"))
    app.handle(c.ConfirmDuplicate(moved, old, SOCIAL_WORKER, NOW + DAY, "same family"))
    assert app.handle(c.ListPossibleDuplicates()) == []
    decided = {f.status: f for f in app.handle(c.ListPossibleDuplicates(None))}
    assert decided[FlagStatus.DISMISSED].decided_at == NOW + DAY
    assert (decided[FlagStatus.CONFIRMED].decided_by, decided[FlagStatus.CONFIRMED].decision) == (
        "aigul.s",
        "same family",
    )
    rows = "SELECT count(*) FROM identifications i JOIN cases k ON k.id = i.case_id WHERE k.number = :n"
    assert (scalar(app, rows, n=old), scalar(app, rows, n=moved)) == (2, 0)
    assert app.handle(c.GetCase(moved)).closure_reason is ClosureReason.DUPLICATE


def test_the_same_child_after_their_case_closed_is_flagged_but_not_a_dismissed_twin(
    app: App,
) -> None:
    old = identified(app, "sub-1")
    twin = identified(app, "sub-2", who=child(born=date(2013, 5, 4)))
    app.handle(c.DismissDuplicate(twin, old, SOCIAL_WORKER, NOW, "twins"))
    close(app, old, ClosureReason.MOVED, NOW.date(), reason="moved")
    again = identified(app, "sub-3", at=NOW + DAY)
    assert [
        (f.new_case, f.old_case, f.resemblance) for f in app.handle(c.ListPossibleDuplicates())
    ] == [(again, old, Resemblance.EARLIER_CASE_ENDED)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # EXPLAIN QUERY PLAN
def test_the_lookups_read_indexes_not_every_case(app: App) -> None:
    statements: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, sql: str, params: object, *rest: object) -> None:
        if "possible_duplicates" in sql or "birth_date IN" in sql:
            statements.append((sql, params))

    identified(app, "sub-1")
    event.listen(app.engine, "before_cursor_execute", keep)
    with app.uow() as work:
        key = child_key(child())
        work.cases.earlier_cases_like(key)
        work.cases.children_said_to_differ(key)
    event.remove(app.engine, "before_cursor_execute", keep)
    assert len(statements) == 3, statements
    with app.engine.connect() as connection:
        for sql, params in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()  # type: ignore[arg-type]
            steps = " | ".join(str(row[-1]) for row in plan)
            assert "SCAN cases" not in steps and "SCAN possible_duplicates" not in steps, steps
