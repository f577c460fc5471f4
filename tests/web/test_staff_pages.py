"""The staff's pages through a real App on a migrated SQLite database: logging in, the
caseload, a case with its actions, and the monitor's identification form."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from clms.bootstrap import App
from clms.ports import CaseQuery
from clms.services import commands as c
from clms.web.app import create_app
from clms.web.auth import SESSION_COOKIE
from tests.builders import DISTRICT, NOW, SOCIAL_WORKER, child, identified, seen
from tests.web.staff import (
    ALMATY_WORKER,
    KAZAKH_WORKER,
    MONITOR,
    PASSWORD,
    SUPERVISOR,
    WORKER,
    csrf_of,
    log_in,
    staff_system,
)

FORM = re.compile(r'action="/cases/[^/"]+/([a-z-]+)"')
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def system(staff_app: App) -> App:
    return staff_app


@pytest.fixture
def client(staff_client: TestClient) -> TestClient:
    return staff_client


def a_case(
    system: App, submission: str = "s1", district: str = DISTRICT, name: str = "Айгерім"
) -> str:
    return identified(system, submission, who=child(first=name, district=district))


def version_of(system: App, number: str) -> int:
    return system.handle(c.GetCase(number)).version


def forms_on(page: str) -> list[str]:
    return FORM.findall(page)


def test_logging_in_sets_a_strict_http_only_cookie_and_goes_to_the_page_asked_for(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    response = client.post(
        "/login",
        data={"username": WORKER.username, "password": PASSWORD,
              "next": f"/cases/{number}"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{number}"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    assert client.get(f"/cases/{number}").status_code == 200


def test_a_next_page_on_another_site_is_ignored_after_logging_in(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": WORKER.username, "password": PASSWORD,
              "next": "//elsewhere.example/phish"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.headers["location"] == "/cases"


def test_a_monitor_lands_on_the_identification_form(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": MONITOR.username, "password": PASSWORD},
        follow_redirects=False,
    )  # fmt: skip

    assert response.headers["location"] == "/identify"


def test_a_wrong_password_shows_the_same_words_as_an_unknown_user_with_401(
    client: TestClient,
) -> None:
    guess = {"password": "nope nope nope", "lang": "en"}
    wrong = client.post("/login", data={"username": WORKER.username, **guess})
    unknown = client.post("/login", data={"username": "nobody", **guess})

    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.text
    assert _error_of(wrong.text) == _error_of(unknown.text)
    assert SESSION_COOKIE not in client.cookies


def test_too_many_logins_from_one_address_are_told_to_wait(client: TestClient) -> None:
    for _ in range(10):
        client.post("/login", data={"username": WORKER.username, "password": "nope nope nope"})

    response = client.post("/login", data={"username": WORKER.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "too many login attempts" in _error_of(response.text)
    assert SESSION_COOKIE not in client.cookies


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(
    tmp_path: Path,
) -> None:
    system = staff_system(tmp_path, public_url="https://clms.example.kz")
    with TestClient(create_app(system)) as client:
        response = client.post(
            "/login", data={"username": WORKER.username, "password": PASSWORD},
            follow_redirects=False,
        )  # fmt: skip
    system.engine.dispose()

    assert "Secure" in response.headers["set-cookie"]


def test_a_page_without_a_login_redirects_to_the_login_page(client: TestClient) -> None:
    response = client.get("/cases?overdue=1", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/cases%3Foverdue%3D1"


def test_a_post_without_the_csrf_field_is_refused_and_changes_nothing(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    log_in(client, WORKER)

    before = version_of(system, number)

    response = client.post(f"/cases/{number}/assess", data={"version": before, "reason": "seen"})

    assert response.status_code == 403
    case = system.handle(c.GetCase(number))
    assert (case.state, case.version) == ("identified", before)


def test_the_caseload_of_a_social_worker_shows_only_their_districts_cases(
    client: TestClient, system: App
) -> None:
    mine = a_case(system, "s1", DISTRICT, "Айгерім")
    theirs = a_case(system, "s2", "KZ-ALA-ALT", "Дана")
    log_in(client, WORKER)

    page = client.get("/cases").text

    assert f"/cases/{mine}" in page and "Айгерім" in page
    assert f"/cases/{theirs}" not in page and "Дана" not in page


def test_a_supervisor_sees_their_regions_cases_and_no_other(
    client: TestClient, system: App
) -> None:
    maktaaral = a_case(system, "s1", DISTRICT, "Айгерім")
    zhetisay = a_case(system, "s2", "KZ-TUR-ZHT", "Нурлан")
    almaty = a_case(system, "s3", "KZ-ALA-ALT", "Дана")
    log_in(client, SUPERVISOR)

    page = client.get("/cases").text

    assert f"/cases/{maktaaral}" in page and f"/cases/{zhetisay}" in page
    assert f"/cases/{almaty}" not in page


def test_another_districts_case_page_is_forbidden(client: TestClient, system: App) -> None:
    number = a_case(system)
    log_in(client, ALMATY_WORKER)

    assert client.get(f"/cases/{number}").status_code == 403


def test_the_case_page_offers_only_the_actions_allowed_in_its_state(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    log_in(client, WORKER)

    identified_page = client.get(f"/cases/{number}").text
    client.post(f"/cases/{number}/assess", data={"version": version_of(system, number),
                "reason": "seen at the field", "csrf": csrf_of(identified_page)})  # fmt: skip
    assessed_page = client.get(f"/cases/{number}").text

    assert forms_on(identified_page) == ["assess", "screen-out", "close", "mark-lost"]
    assert forms_on(assessed_page) == ["refer", "close", "mark-lost"]
    assert "seen at the field" in assessed_page


def test_an_action_redirects_back_to_the_case_page_with_its_new_state(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    log_in(client, WORKER)
    token = csrf_of(client.get(f"/cases/{number}").text)
    client.post(
        f"/cases/{number}/assess", data={"version": version_of(system, number), "csrf": token}
    )

    response = client.post(
        f"/cases/{number}/refer",
        data={
            "version": version_of(system, number),
            "csrf": token,
            "provider": "SCH-12",
            "service_type": "school",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{number}"
    assert system.handle(c.GetCase(number)).state == "referred"


def test_a_refused_close_shows_its_reason_and_changes_nothing(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    log_in(client, WORKER)
    token = csrf_of(client.get(f"/cases/{number}").text)
    before = version_of(system, number)

    response = client.post(
        f"/cases/{number}/close",
        data={"version": before, "csrf": token, "closure": "withdrawn", "reason": "done"},
    )

    assert response.status_code == 422
    assert _error_of(response.text).startswith("cannot close as withdrawn")
    case = system.handle(c.GetCase(number))
    assert (case.state, case.version) == ("identified", before)


def test_an_action_on_a_stale_version_is_a_conflict_and_changes_nothing(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    log_in(client, WORKER)
    token = csrf_of(client.get(f"/cases/{number}").text)
    stale = version_of(system, number)
    client.post(f"/cases/{number}/assess", data={"version": stale, "csrf": token})

    response = client.post(f"/cases/{number}/mark-lost", data={"version": stale, "csrf": token})

    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert system.handle(c.GetCase(number)).state == "assessed"


def test_a_double_submitted_identification_makes_one_case(client: TestClient, system: App) -> None:
    log_in(client, MONITOR)
    form = client.get("/identify").text
    submission = re.search(r'name="submission_id" value="([0-9a-f-]+)"', form)
    assert submission is not None
    filled = {
        "csrf": csrf_of(form), "submission_id": submission.group(1), "first_name": "Бекзат",
        "last_name": "Оспанов", "birth_date": "2012-06-01", "sex": "m", "district": DISTRICT,
        "activities": ["cotton_harvesting"], "hours_per_week": "30",
    }  # fmt: skip

    first = client.post("/identify", data=filled)
    second = client.post("/identify", data=filled)

    assert first.status_code == second.status_code == 200
    number = re.search(r'id="case-number">([^<]+)<', first.text)
    assert number is not None and number.group(1) in second.text
    assert 'id="category">hazardous<' in first.text
    cases = system.handle(c.ListCases(CaseQuery()))
    assert [case.number for case in cases] == [number.group(1)]


def _identify_on_the_form(client: TestClient, submission: str, **seen: Any) -> str:
    """The identified page for a boy of 16 seen as a porter, with what else was seen."""
    form = client.get("/identify").text
    filled = {
        "csrf": csrf_of(form), "submission_id": submission, "first_name": "Бекзат",
        "last_name": "Оспанов", "birth_date": "2010-01-10", "sex": "m", "district": DISTRICT,
        "activities": ["transporting_goods"], "hours_per_week": "15", "in_school": "yes", **seen,
    }  # fmt: skip
    response = client.post("/identify", data=filled)
    assert response.status_code == 200, _error_of(response.text)
    return response.text


@pytest.mark.parametrize(
    ("seen", "category", "reason"),
    [
        ({"load_kg": "18"}, "permitted_work", "permitted work: age 16"),
        ({"load_kg": "30"}, "hazardous", "load over the limit: 30 kg, at most 20 kg for boys"),
        ({"load_kg": "18", "conditions": ["night_work"]}, "hazardous", "night work"),
    ],
)
def test_the_phone_form_carries_the_load_and_conditions_the_law_judges_by(
    client: TestClient, seen: dict[str, Any], category: str, reason: str
) -> None:
    log_in(client, MONITOR)

    page = _identify_on_the_form(client, "porter-1", **seen)

    assert f'id="category">{category}<' in page
    assert reason in page


def test_a_monitor_sees_their_own_submissions_newest_first_and_a_social_worker_cannot(
    client: TestClient, system: App
) -> None:
    by_another_monitor = replace(seen("by-someone-else", "weeding"), monitor="saule.m")
    system.handle(c.Identify(child(first="Дана"), by_another_monitor, NOW))
    log_in(client, MONITOR)
    _identify_on_the_form(client, "porter-1")
    _identify_on_the_form(client, "porter-2", first_name="Арман")

    page = client.get("/submissions").text

    children = re.findall(r'data-label="Child">([^<]*)<', page)
    assert children == ["Арман Оспанов", "Бекзат Оспанов"]
    assert "Дана" not in page
    log_in(client, WORKER)
    assert client.get("/submissions").status_code == 403


def test_a_kazakh_users_phone_form_lists_activities_conditions_and_districts_in_kazakh(
    client: TestClient,
) -> None:
    log_in(client, KAZAKH_WORKER)

    form = client.get("/identify").text

    choices = re.findall(r'<label class="choice"><input[^>]*>([^<]*)</label>', form)
    districts = re.findall(r"<option [^>]*>([^<]*)</option>", form)
    assert len(choices) > 30 and districts == ["Мақтаарал ауданы"]
    assert [label for label in choices if LATIN.search(label)] == []
    assert "Түнгі жұмыс (22:00–06:00)".lower() in form


def test_an_identification_with_a_missing_name_names_the_field_and_records_nothing(
    client: TestClient, system: App
) -> None:
    log_in(client, MONITOR)
    form = client.get("/identify").text
    filled = {"csrf": csrf_of(form), "submission_id": "sub-9", "first_name": "",
              "last_name": "Оспанов", "birth_date": "2012-06-01", "sex": "m", "district": DISTRICT}  # fmt: skip

    response = client.post("/identify", data=filled)

    assert response.status_code == 422
    assert "child.first_name" in _error_of(response.text)
    assert system.handle(c.ListCases(CaseQuery())) == []


def test_logging_out_ends_the_session(client: TestClient, system: App) -> None:
    log_in(client, WORKER)
    token = client.cookies[SESSION_COOKIE]
    page = client.get("/cases").text

    response = client.post("/logout", data={"csrf": csrf_of(page)}, follow_redirects=False)

    assert response.headers["location"] == "/login?lang=en"
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/cases", follow_redirects=False).headers["location"].startswith("/login")


def _error_of(page: str) -> str:
    found = re.search(r'role="alert">.*?class="reason">([^<]*)<', page)
    return found.group(1) if found else ""


def test_a_kazakh_speaking_workers_caseload_is_in_kazakh(client: TestClient, system: App) -> None:
    a_case(system)
    log_in(client, KAZAKH_WORKER)

    page = client.get("/cases").text

    assert '<html lang="kk">' in page
    assert "<h1>Істер · KZ-TUR-MAK</h1>" in page
    labels = re.findall(r'data-label="([^"]*)"', page) + re.findall(r"<th>([^<]*)</th>", page)
    assert labels and all(not LATIN.search(label) for label in labels), labels
    assert "Log out" not in page and "Шығу" in page


def test_the_login_page_speaks_the_language_asked_else_russian(client: TestClient) -> None:
    assert "<h1>Кіру</h1>" in client.get("/login", params={"lang": "kk"}).text
    assert "<h1>Войти</h1>" in client.get("/login").text
    refused = client.post("/login", data={"username": "nobody", "password": "x", "lang": "kk"})
    assert '<html lang="kk">' in refused.text and "Log in" not in refused.text


def test_the_case_page_says_what_is_due_from_whom_and_when_it_is_overdue(
    client: TestClient, system: App
) -> None:
    number = a_case(system)
    referred_on = NOW - timedelta(days=10)  # the school had 3 days to answer
    system.handle(c.Assess(number, SOCIAL_WORKER, referred_on))
    system.handle(c.Refer(number, SOCIAL_WORKER, referred_on, provider="SCH-12",
                          service_type="school"))  # fmt: skip
    log_in(client, WORKER)

    due = re.search(r'id="due">(.*?)</dd>', client.get(f"/cases/{number}").text, re.S)

    assert due is not None
    assert due.group(1).startswith("Answer the referral · School-lyceum No. 12 · 2026-02-")
    assert '<span class="tag">overdue</span>' in due.group(1)
