"""A school corrects a wrong click: for [check] answer_correction_minutes after its first
answer the link shows the answer and the others to change to; then the answer stands and
the link says whom to call. Told minute by minute on one server whose clock moves, on a
real SQLite database; the refusals through the one door as well as through the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from clms.bootstrap import App, bootstrap
from clms.domain.errors import Refused
from clms.services import commands as c
from clms.services.answers import TooLateToChange
from clms.settings import Settings
from clms.web.texts import TEXTS
from tests.builders import SOCIAL_WORKER, visit
from tests.web.conftest import ANSWERED, MINUTE, Clock, Seeded, Serve, answer_url
from tests.web.test_answer_page import (
    alternative_status,
    answer,
    asked_follow_up,
    recorded,
)

EN = TEXTS["en"]


@pytest.fixture
def clock() -> Clock:
    return Clock(ANSWERED)


@pytest.fixture
def moving(database_url: str, clock: Clock) -> Iterator[App]:
    """The seeded case's App, on a clock the test moves."""
    system = bootstrap(Settings(database_url=database_url), clock=clock)
    yield system
    system.engine.dispose()


@pytest.fixture
def page(serve: Serve, moving: App) -> str:
    return serve(moving)


@pytest.fixture
def token(seeded: Seeded) -> str:
    return seeded.token


@pytest.fixture
def number(seeded: Seeded) -> str:
    return seeded.number


def correct(site: str, token: str, chosen: str) -> httpx.Response:
    return httpx.post(answer_url(site, token), data={"answer": chosen, "correct": "1"})


def buttons(html: str) -> list[str]:
    return [EN[a] for a in ("attending_regularly", "attending_irregularly", "not_attending",
                            "not_known") if f'value="{a}"' in html]  # fmt: skip


def history_of(app: App, number: str) -> list[tuple[str, str, dict[str, object]]]:
    case = app.handle(c.GetCase(number))
    return [(h.trigger, h.actor, h.data) for h in case.history if h.trigger.startswith("attend")]


def test_a_wrong_click_is_corrected_within_the_window_and_the_history_keeps_both(
    moving: App, page: str, clock: Clock, token: str, number: str
) -> None:
    thanks = answer(page, token, "not_attending")
    assert "for 15 more minutes" in thanks.text
    assert buttons(thanks.text) == [EN["attending_regularly"], EN["attending_irregularly"],
                                    EN["not_known"]]  # fmt: skip
    assert alternative_status(moving, number) == "unsatisfactory"

    clock.advance(5 * MINUTE)
    changed = correct(page, token, "attending_regularly")

    assert changed.status_code == 200
    assert EN["changed"] in changed.text
    assert "Your answer: Attending regularly" in changed.text
    assert "for 10 more minutes" in changed.text  # counted from the first answer
    follow_up = asked_follow_up(moving, number)
    assert (follow_up.attending, follow_up.working) == (True, False)
    assert follow_up.evidence == "school attendance report: attending regularly"
    assert alternative_status(moving, number) == "satisfactory"
    assert [(code, said) for code, said, _ in recorded(moving, number).reports] == [
        ("SCH-MAIL", "not_attending"),
        ("SCH-MAIL", "attending_regularly"),
    ]
    due = follow_up.due_on.isoformat()
    assert history_of(moving, number) == [
        ("attendance_reported", "SCH-MAIL", {"answer": "not_attending", "follow_up_due": due}),
        ("attendance_corrected", "SCH-MAIL", {"answer": "attending_regularly",
         "previous_answer": "not_attending", "follow_up_due": due}),
    ]  # fmt: skip


def test_minute_by_minute_the_link_offers_a_change_until_the_window_ends_then_whom_to_call(
    moving: App, page: str, clock: Clock, token: str, number: str
) -> None:
    answer(page, token, "attending_regularly")
    window = moving.rules.check.answer_correction_minutes
    for minute in range(window):
        shown = httpx.get(answer_url(page, token))
        assert shown.status_code == 200, minute
        left = window - minute
        assert f"for {left} more {'minute' if left == 1 else 'minutes'}:" in shown.text
        assert len(buttons(shown.text)) == 3
        clock.advance(MINUTE)

    shown = httpx.get(answer_url(page, token))
    before = recorded(moving, number)
    refused = correct(page, token, "not_attending")

    assert shown.status_code == 410
    assert buttons(shown.text) == []
    assert "To change it, please contact the district social worker." in shown.text
    assert "Social worker: Aizhan M., +77010000001" in shown.text
    assert refused.status_code == 409
    assert EN["too_late"] in refused.text and "Social worker: Aizhan M." in refused.text
    assert recorded(moving, number) == before


def test_the_moment_before_the_window_ends_a_correction_still_counts(
    moving: App, page: str, clock: Clock, token: str, number: str
) -> None:
    answer(page, token, "not_known")
    clock.advance(moving.rules.check.answer_correction_minutes * MINUTE - timedelta(seconds=1))

    assert correct(page, token, "attending_irregularly").status_code == 200
    assert recorded(moving, number).reports[-1][1] == "attending_irregularly"


def test_after_the_window_the_one_door_refuses_naming_the_rule_and_changes_nothing(
    moving: App, page: str, clock: Clock, token: str, number: str
) -> None:
    answer(page, token, "not_attending")
    clock.advance(15 * MINUTE)
    before = recorded(moving, number)

    with pytest.raises(TooLateToChange, match=r"answer_correction_minutes.*social worker"):
        moving.handle(c.CorrectAnswer(token, "attending_regularly", clock()))

    assert recorded(moving, number) == before


def test_a_correction_before_any_answer_is_refused_and_changes_nothing(
    moving: App, clock: Clock, token: str, number: str
) -> None:
    before = recorded(moving, number)

    with pytest.raises(Refused, match="not been answered yet"):
        moving.handle(c.CorrectAnswer(token, "attending_regularly", clock()))

    assert recorded(moving, number) == before


@pytest.mark.parametrize(("chosen", "status"), [("attending_regularly", 200), ("sometimes", 400)])
def test_the_same_answer_again_or_an_unknown_one_changes_nothing(
    moving: App, page: str, token: str, number: str, chosen: str, status: int
) -> None:
    answer(page, token, "attending_regularly")
    before = recorded(moving, number)

    assert correct(page, token, chosen).status_code == status
    assert recorded(moving, number) == before


def test_a_correction_leaves_a_follow_up_the_social_worker_recorded_alone(
    moving: App, page: str, token: str, number: str
) -> None:
    visit(moving, number, ANSWERED.date(), attending=True, working=False)
    by_the_visit = asked_follow_up(moving, number)
    answer(page, token, "not_attending")  # kept in the history only: the visit came first

    correct(page, token, "attending_irregularly")

    assert asked_follow_up(moving, number) == by_the_visit
    assert [trigger for trigger, _, _ in history_of(moving, number)] == [
        "attendance_reported",
        "attendance_corrected",
    ]


def test_the_window_is_the_countrys_check_setting(
    moving: App, page: str, clock: Clock, token: str
) -> None:
    moving.rules = replace(moving.rules, check=replace(moving.rules.check,
                                                       answer_correction_minutes=30))  # fmt: skip
    answer(page, token, "not_attending")
    clock.advance(20 * MINUTE)

    assert "for 10 more minutes" in httpx.get(answer_url(page, token)).text
    assert correct(page, token, "attending_regularly").status_code == 200


def test_a_case_that_moved_on_meanwhile_keeps_its_follow_up_and_gets_the_history_row(
    moving: App, page: str, clock: Clock, token: str, number: str
) -> None:
    answer(page, token, "not_attending")
    clock.advance(2 * MINUTE)
    moving.handle(c.MarkLost(number, SOCIAL_WORKER, clock(), "the family left the village"))
    answered_first = asked_follow_up(moving, number)

    assert correct(page, token, "attending_regularly").status_code == 200

    assert asked_follow_up(moving, number) == answered_first
    assert history_of(moving, number)[-1][0] == "attendance_corrected"
