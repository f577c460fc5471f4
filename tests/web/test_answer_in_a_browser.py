"""The answer page in a real browser on a phone-sized screen: Playwright for Python driving
Debian's Chromium (no browser download). The screenshots land in the test's tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from clms.web.texts import TEXTS
from tests.web.conftest import Waiting, answer_url, recorded_answers, school_speaks

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the browser fixture fails or skips, saying why
    sync_playwright = None  # type: ignore[assignment]


def _cannot_run(why: str) -> None:
    """Like the PostgreSQL tests: CI sets CLMS_REQUIRE_BROWSER, so there a missing browser
    fails the run instead of quietly skipping its tests."""
    if os.environ.get("CLMS_REQUIRE_BROWSER"):
        pytest.fail(f"CLMS_REQUIRE_BROWSER is set but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        _cannot_run("Playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        _cannot_run(f"{CHROMIUM} is missing (apt-get install chromium; CI installs it)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=QUIET)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    yield context.new_page()
    context.close()


def test_a_school_answers_with_one_tap_on_a_phone_in_its_own_language(
    waiting: Waiting, site: str, phone: Page, tmp_path: Path
) -> None:
    school_speaks(waiting.app, "ru")
    phone.goto(answer_url(site, waiting.token))

    expect(phone.get_by_role("heading")).to_have_text("Посещает ли Айгерім С. School No. 3?")
    expect(phone.get_by_role("button")).to_have_count(4)
    phone.screenshot(path=tmp_path / "question-ru.png", full_page=True)
    phone.get_by_role("button", name="Посещает регулярно").click()

    expect(phone.get_by_role("heading")).to_have_text("Спасибо! Ваш ответ записан.")
    expect(phone.get_by_text("Ваш ответ: Посещает регулярно")).to_be_visible()
    phone.screenshot(path=tmp_path / "thanks-ru.png", full_page=True)
    assert recorded_answers(waiting.app) == ["attending_regularly"]


def test_a_school_corrects_a_wrong_tap_on_a_phone(
    waiting: Waiting, site: str, phone: Page, tmp_path: Path
) -> None:
    en = TEXTS["en"]
    phone.goto(answer_url(site, waiting.token))
    phone.get_by_role("button", name=en["not_attending"]).click()
    expect(phone.get_by_text("for 15 more minutes")).to_be_visible()
    expect(phone.get_by_role("button")).to_have_count(3)
    phone.screenshot(path=tmp_path / "changeable-en.png", full_page=True)

    phone.get_by_role("button", name=en["attending_regularly"]).click()

    expect(phone.get_by_role("heading")).to_have_text(en["changed"])
    expect(phone.get_by_text("Your answer: Attending regularly")).to_be_visible()
    assert recorded_answers(waiting.app) == ["not_attending", "attending_regularly"]


def test_the_answers_fit_a_phone_screen_without_sideways_scrolling(
    waiting: Waiting, site: str, phone: Page
) -> None:
    phone.goto(answer_url(site, waiting.token) + "?lang=kk")

    widths = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    for button in phone.get_by_role("button").all():
        box = button.bounding_box()
        assert box is not None
        assert box["height"] >= 44  # a thumb's tap target
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_a_school_switches_to_kazakh_and_answers_in_kazakh(
    waiting: Waiting, site: str, phone: Page, tmp_path: Path
) -> None:
    kk = TEXTS["kk"]
    phone.goto(answer_url(site, waiting.token))

    phone.get_by_role("link", name="Қазақша").click()
    expect(phone.get_by_role("heading")).to_have_text(
        "Айгерім С. School No. 3 мекемесіне қатыса ма?"
    )
    phone.screenshot(path=tmp_path / "question-kk.png", full_page=True)
    phone.get_by_role("button", name=kk["not_attending"]).click()

    expect(phone.get_by_role("heading")).to_have_text(kk["thanks"])
    assert recorded_answers(waiting.app) == ["not_attending"]


def test_a_tap_in_a_second_tab_opened_earlier_is_told_the_answer_is_already_recorded(
    waiting: Waiting, site: str, phone: Page
) -> None:
    en = TEXTS["en"]
    earlier = phone.context.new_page()
    earlier.goto(answer_url(site, waiting.token))
    phone.goto(answer_url(site, waiting.token))
    phone.get_by_role("button", name=en["attending_regularly"]).click()
    expect(phone.get_by_role("heading")).to_have_text(en["thanks"])

    earlier.get_by_role("button", name=en["not_attending"]).click()

    expect(earlier.get_by_role("heading")).to_have_text(en["used"])
    expect(earlier.get_by_text("Your answer: Attending regularly")).to_be_visible()
    assert recorded_answers(waiting.app) == ["attending_regularly"]
