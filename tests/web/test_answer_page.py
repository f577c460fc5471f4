"""The school's one-click answer page, over HTTP against the real server (uvicorn on
127.0.0.1) and a real SQLite database: what the school sees, what an answer records,
and that a link works once, only while it is valid, and only as it was signed."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select

from clms.adapters.db.tables import AnswerTokenRow, AttendanceReportRow
from clms.bootstrap import App
from clms.domain.model import FollowUp, FollowUpState
from clms.services import commands as c
from clms.services.cases import index_of
from clms.web.texts import TEXTS
from tests.builders import DAY, NOW, SCHOOL
from tests.web.conftest import (
    ANSWERED,
    MINUTE,
    Serve,
    Waiting,
    answer_url,
    at_time,
    school_speaks,
)

ANSWERS = ("attending_regularly", "attending_irregularly", "not_attending", "not_known")
# What a school must not read about the child: the case is about child labour, the school
# is asked about attendance only.
ABOUT_WORK = ("работ", "труд", "эксплуат", "жұмыс", "еңбек", "қанау", "work", "labo", "exploit")


@dataclass(frozen=True)
class Recorded:
    """Everything an answer may write, to compare before and after."""

    follow_ups: tuple[tuple[str, bool | None, str], ...]
    history: tuple[tuple[str, str], ...]
    reports: tuple[tuple[str, str, datetime], ...]
    tokens_used: int


def recorded(app: App, number: str) -> Recorded:
    case = app.handle(c.GetCase(number))
    report = AttendanceReportRow.__table__.c
    token = AnswerTokenRow.__table__.c
    with app.engine.connect() as db:
        reports = db.execute(select(report.provider_code, report.answer, report.answered_at))
        used = db.execute(select(func.count()).where(token.used_at.is_not(None)))
        return Recorded(
            tuple((f.state.value, f.attending, f.evidence) for f in case.follow_ups),
            tuple((h.trigger, h.actor) for h in case.history),
            tuple((code, answer, at) for code, answer, at in reports),
            used.scalar_one(),
        )


def asked_follow_up(app: App, number: str) -> FollowUp:
    return min(app.handle(c.GetCase(number)).follow_ups, key=lambda f: f.due_on)


def alternative_status(app: App, number: str) -> str:
    return index_of(app.handle(c.GetCase(number)), app.rules).alternative_status.value


def answer(site: str, token: str, chosen: str, lang: str | None = None) -> httpx.Response:
    params = {"lang": lang} if lang else None
    return httpx.post(answer_url(site, token), data={"answer": chosen}, params=params)


def one_character_changed(token: str, index: int) -> str:
    replacement = "B" if token[index] == "A" else "A"
    return token[:index] + replacement + token[index + 1 :]


# --- what the school sees -------------------------------------------------------------


def test_the_page_asks_whether_the_child_attends_the_school_with_the_four_answers(
    waiting: Waiting, site: str
) -> None:
    page = httpx.get(answer_url(site, waiting.token))

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"Does Айгерім С. attend {SCHOOL.name}?" in page.text  # School No. 3 speaks English
    for chosen in ANSWERS:
        assert f'value="{chosen}"' in page.text
        assert TEXTS["en"][chosen] in page.text
    assert 'name="viewport"' in page.text


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_page_says_nothing_about_work_and_not_the_childs_full_last_name(
    waiting: Waiting, site: str, lang: str
) -> None:
    page = httpx.get(answer_url(site, waiting.token), params={"lang": lang})

    assert page.status_code == 200
    assert "Айгерім С." in page.text
    assert "Сапар" not in page.text
    assert [word for word in ABOUT_WORK if word in page.text.lower()] == []


def test_the_page_in_kazakh_asks_in_kazakh(waiting: Waiting, site: str) -> None:
    page = httpx.get(answer_url(site, waiting.token), params={"lang": "kk"})

    assert page.status_code == 200
    assert '<html lang="kk">' in page.text
    assert "Айгерім С. School No. 3 мекемесіне қатыса ма?" in page.text
    assert "Тұрақты қатысады" in page.text
    assert "Посещает" not in page.text


def test_an_unknown_language_falls_back_to_the_schools(waiting: Waiting, site: str) -> None:
    page = httpx.get(answer_url(site, waiting.token), params={"lang": "xx"})

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Attending regularly" in page.text


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ru", "Посещает ли Айгерім С. School No. 3?"),
        ("kk", "Айгерім С. School No. 3 мекемесіне қатыса ма?"),
        ("en", "Does Айгерім С. attend School No. 3?"),
    ],
)
def test_the_link_opens_in_the_language_the_directory_gives_the_school(
    waiting: Waiting, site: str, language: str, question: str
) -> None:
    school_speaks(waiting.app, language)

    page = httpx.get(answer_url(site, waiting.token))
    thanks = answer(site, waiting.token, "not_attending")

    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert f"<h1>{question}</h1>" in page.text
    assert f'hreflang="{language}" aria-current="page"' in page.text
    assert f'<html lang="{language}">' in thanks.text
    assert TEXTS[language]["thanks"] in thanks.text


def test_an_expired_link_is_refused_in_the_schools_language_too(
    waiting: Waiting, serve: Serve, database_url: str
) -> None:
    school_speaks(waiting.app, "kk")
    expires = NOW + 25 * DAY + waiting.app.rules.check.answer_link_days * DAY
    later_site = serve(at_time(database_url, expires))

    page = httpx.get(answer_url(later_site, waiting.token))

    assert page.status_code == 410
    assert TEXTS["kk"]["expired"] in page.text
    assert "Әлеуметтік қызметкер: Aizhan M., +77010000001" in page.text


def test_the_link_carries_only_a_random_id_and_its_expiry(waiting: Waiting) -> None:
    claim = waiting.token.partition(".")[0]
    token_id, expires = (
        base64.urlsafe_b64decode(claim + "=" * (-len(claim) % 4)).decode().split(".")
    )
    case = waiting.app.handle(c.GetCase(waiting.number))

    assert len(token_id) >= 22 and expires.isdigit()  # 16 random bytes; a Unix time
    for told in (waiting.number, case.child.first_name, case.child.last_name, SCHOOL.code):
        assert told not in waiting.token and told not in token_id


def test_no_page_of_the_link_shows_the_case_number_or_the_last_name(
    waiting: Waiting, site: str, serve: Serve, database_url: str
) -> None:
    question = httpx.get(answer_url(site, waiting.token))
    thanks = answer(site, waiting.token, "not_attending")
    changeable = httpx.get(answer_url(site, waiting.token))
    final = httpx.get(answer_url(serve(at_time(database_url, ANSWERED + DAY)), waiting.token))

    for page in (question, thanks, changeable, final):
        assert waiting.number not in page.text
        assert "Сапар" not in page.text


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_text_of_the_answer_pages_is_translated_not_left_in_english(lang: str) -> None:
    assert set(TEXTS[lang]) == set(TEXTS["en"])
    assert [key for key, words in TEXTS[lang].items() if words == TEXTS["en"][key]] == []


# --- what an answer records -----------------------------------------------------------


def test_attending_regularly_completes_the_follow_up_as_satisfactory(
    waiting: Waiting, site: str
) -> None:
    before = asked_follow_up(waiting.app, waiting.number)

    reply = answer(site, waiting.token, "attending_regularly")

    assert reply.status_code == 200
    assert "Thank you! Your answer is recorded." in reply.text
    assert "Your answer: Attending regularly" in reply.text
    follow_up = asked_follow_up(waiting.app, waiting.number)
    assert (before.state, follow_up.id) == (FollowUpState.SCHEDULED, before.id)
    assert follow_up.state is FollowUpState.DONE
    assert follow_up.done_on == ANSWERED.date()
    assert (follow_up.attending, follow_up.working) == (True, False)
    assert "school attendance report" in follow_up.evidence
    assert alternative_status(waiting.app, waiting.number) == "satisfactory"


def test_an_answer_is_one_attendance_report_and_one_history_entry_by_the_school(
    waiting: Waiting, site: str
) -> None:
    before = recorded(waiting.app, waiting.number)

    answer(site, waiting.token, "attending_regularly")

    after = recorded(waiting.app, waiting.number)
    assert after.reports == (("SCH-MAIL", "attending_regularly", ANSWERED),)
    assert after.history == (*before.history, ("attendance_reported", "SCH-MAIL"))
    assert (before.tokens_used, after.tokens_used) == (0, 1)


@pytest.mark.parametrize("chosen", ["attending_irregularly", "not_attending", "not_known"])
def test_any_other_answer_completes_the_follow_up_as_unsatisfactory(
    waiting: Waiting, site: str, chosen: str
) -> None:
    reply = answer(site, waiting.token, chosen)

    assert reply.status_code == 200
    follow_up = asked_follow_up(waiting.app, waiting.number)
    assert follow_up.state is FollowUpState.DONE
    assert follow_up.attending is False
    assert follow_up.working is None  # a school sees attendance, not work
    assert alternative_status(waiting.app, waiting.number) == "unsatisfactory"


def test_the_thank_you_page_follows_the_language_of_the_question(
    waiting: Waiting, site: str
) -> None:
    reply = answer(site, waiting.token, "not_attending", lang="kk")

    assert reply.status_code == 200
    assert "Рахмет! Жауабыңыз жазылды." in reply.text
    assert "Қатыспайды" in reply.text


# --- a link works once, while valid, as signed ----------------------------------------


def test_a_second_answer_with_the_same_link_is_refused_and_changes_nothing(
    waiting: Waiting, site: str
) -> None:
    answer(site, waiting.token, "attending_regularly")
    after_first = recorded(waiting.app, waiting.number)

    second = answer(site, waiting.token, "not_attending")

    assert second.status_code == 410
    assert "The answer is already recorded" in second.text
    assert "Your answer: Attending regularly" in second.text
    assert recorded(waiting.app, waiting.number) == after_first
    assert asked_follow_up(waiting.app, waiting.number).attending is True


def test_an_answered_link_shows_the_answer_and_after_the_window_says_whom_to_call(
    waiting: Waiting, site: str, serve: Serve, database_url: str
) -> None:
    answer(site, waiting.token, "attending_regularly")
    window = waiting.app.rules.check.answer_correction_minutes * MINUTE
    later_site = serve(at_time(database_url, ANSWERED + window))

    page = httpx.get(answer_url(later_site, waiting.token))

    assert page.status_code == 410
    assert "The answer is already recorded" in page.text
    assert "Your answer: Attending regularly" in page.text
    assert "To change it, please contact the district social worker." in page.text
    assert "Social worker: Aizhan M., +77010000001" in page.text
    assert "<button" not in page.text


@pytest.mark.parametrize("where", ["claim", "signature"])
def test_a_forged_link_is_not_found_and_writes_nothing(
    waiting: Waiting, site: str, where: str
) -> None:
    claim, _, signature = waiting.token.partition(".")
    index = 5 if where == "claim" else len(claim) + 1 + len(signature) // 2
    forged = one_character_changed(waiting.token, index)
    before = recorded(waiting.app, waiting.number)

    page = httpx.get(answer_url(site, forged))
    reply = answer(site, forged, "attending_regularly")

    assert (page.status_code, reply.status_code) == (404, 404)
    assert "Ссылка недействительна" in reply.text
    assert "School No. 3" not in page.text
    assert recorded(waiting.app, waiting.number) == before
    assert answer(site, waiting.token, "attending_regularly").status_code == 200


@pytest.mark.parametrize("token", ["", "x", "not-a-token", "ж", "a.b.c"])
def test_a_link_that_is_no_token_at_all_is_not_found_politely(site: str, token: str) -> None:
    page = httpx.get(f"{site}/answer/{token}")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Ссылка недействительна" in page.text


def test_an_expired_link_is_gone_and_writes_nothing(
    waiting: Waiting, serve: Serve, database_url: str
) -> None:
    expires = NOW + 25 * DAY + waiting.app.rules.check.answer_link_days * DAY
    later_site = serve(at_time(database_url, expires))
    before = recorded(waiting.app, waiting.number)

    page = httpx.get(answer_url(later_site, waiting.token))
    reply = answer(later_site, waiting.token, "attending_regularly")

    assert (page.status_code, reply.status_code) == (410, 410)
    assert "This link has expired" in reply.text
    assert "Social worker: Aizhan M., +77010000001" in page.text
    assert recorded(waiting.app, waiting.number) == before


def test_a_link_still_works_the_moment_before_it_expires(
    waiting: Waiting, serve: Serve, database_url: str
) -> None:
    expires = NOW + 25 * DAY + waiting.app.rules.check.answer_link_days * DAY
    last_second = serve(at_time(database_url, expires - DAY / 86400))

    assert answer(last_second, waiting.token, "attending_regularly").status_code == 200


@pytest.mark.parametrize("body", [b"answer=sometimes", b"", b"other=1", b"answer=\xff\xfe"])
def test_an_unknown_answer_is_a_bad_request_and_the_link_still_works(
    waiting: Waiting, site: str, body: bytes
) -> None:
    before = recorded(waiting.app, waiting.number)

    reply = httpx.post(
        answer_url(site, waiting.token),
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert reply.status_code == 400
    assert "The answer was not recognised" in reply.text
    assert 'href="?lang=en"' in reply.text  # back to the question
    assert recorded(waiting.app, waiting.number) == before
    assert httpx.get(answer_url(site, waiting.token)).status_code == 200
    assert answer(site, waiting.token, "attending_regularly").status_code == 200


# --- on both databases: the token is used up in the answer's own transaction ----------


def test_an_answer_is_recorded_once_even_when_the_link_is_tapped_many_times_at_once(
    waiting_anywhere: Waiting, serve: Serve
) -> None:
    site = serve(waiting_anywhere.app)
    taps = 8
    start = threading.Barrier(taps)

    def tap(chosen: str) -> httpx.Response:
        start.wait()
        return answer(site, waiting_anywhere.token, chosen, lang="en")

    with ThreadPoolExecutor(taps) as pool:
        replies = list(pool.map(tap, [ANSWERS[i % len(ANSWERS)] for i in range(taps)]))

    assert sorted(r.status_code for r in replies) == [200] + [410] * (taps - 1)
    (accepted,) = [r for r in replies if r.status_code == 200]
    reports = recorded(waiting_anywhere.app, waiting_anywhere.number).reports
    assert len(reports) == 1
    assert f"Your answer: {TEXTS['en'][reports[0][1]]}" in accepted.text
    history = recorded(waiting_anywhere.app, waiting_anywhere.number).history
    assert history.count(("attendance_reported", "SCH-MAIL")) == 1
