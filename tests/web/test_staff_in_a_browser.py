"""The staff pages in a real browser (Debian's Chromium through Playwright) against a real
uvicorn server: a monitor on a phone logs a child, a social worker takes the case on.
Screenshots land in /tmp/pages-shots/ to be looked at."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from clms.bootstrap import App
from tests.builders import identified
from tests.web import test_answer_in_a_browser as in_a_browser
from tests.web.conftest import Serve
from tests.web.staff import KAZAKH_WORKER, MONITOR, PASSWORD, WORKER, staff_system

SHOTS = Path("/tmp/pages-shots")
browser, phone = in_a_browser.browser, in_a_browser.phone  # Debian's Chromium, phone-sized

with contextlib.suppress(ImportError):  # else the browser fixture skips or fails, saying why
    from playwright.sync_api import Page, expect


@pytest.fixture
def system(tmp_path: Path) -> Iterator[App]:
    app = staff_system(tmp_path)
    yield app
    app.engine.dispose()


def log_in_as(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/login?lang=en")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def fits_the_screen(page: Page) -> bool:
    """No sideways scrolling. A phone widens its layout to fit what overflows, and
    innerWidth follows it: the screen's own width is the measure."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return page.viewport_size is not None and width <= page.viewport_size["width"]


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_monitor_logs_a_child_and_a_social_worker_assesses_and_refers_the_case(
    system: App, serve: Serve, phone: Page
) -> None:
    site = serve(system)
    log_in_as(phone, site, MONITOR.username)
    expect(phone.get_by_role("heading", name="Identify a child")).to_be_visible()
    phone.get_by_label("First name").fill("Бекзат")
    phone.get_by_label("Last name").fill("Оспанов")
    phone.get_by_label("Birth date").fill("2012-06-01")
    phone.get_by_label("Boy").check()
    phone.get_by_label("cotton harvesting").check()
    phone.get_by_label("Hours per week").fill("30")
    shoot(phone, "1-identify-form-phone")
    phone.get_by_role("button", name="Record").click()
    expect(phone.locator("#category")).to_have_text("hazardous")
    number = phone.locator("#case-number").inner_text()
    assert fits_the_screen(phone)
    shoot(phone, "2-identified-phone")
    phone.get_by_role("button", name="Log out").click()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()

    log_in_as(phone, site, WORKER.username)
    shoot(phone, "3-caseload-phone")
    phone.get_by_role("link", name=number).click()
    expect(phone.locator("#state")).to_have_text("identified")
    phone.locator("#form-close").get_by_role("button", name="Close").click()
    expect(phone.get_by_role("alert")).to_contain_text("cannot close")
    expect(phone.locator("#state")).to_have_text("identified")
    shoot(phone, "4-refused-close-phone")

    phone.locator("#form-assess").get_by_label("Reason").fill("met the family at the field")
    phone.locator("#form-assess").get_by_role("button").click()
    expect(phone.locator("#state")).to_have_text("assessed")
    refer = phone.locator("#form-refer")
    refer.get_by_label("Provider").select_option("SCH-12")
    refer.get_by_label("Service type").select_option("school")
    refer.get_by_role("button").click()
    expect(phone.locator("#state")).to_have_text("referred")
    expect(phone.get_by_text("SCH-12 · school")).to_be_visible()
    shoot(phone, "5-referred-phone")


def test_a_kazakh_speaking_social_worker_reads_a_case_in_kazakh_on_a_phone(
    system: App, serve: Serve, phone: Page
) -> None:
    site = serve(system)
    number = identified(system, "kk-1")
    phone.goto(f"{site}/login?lang=kk")
    phone.get_by_label("Пайдаланушы аты").fill(KAZAKH_WORKER.username)
    phone.get_by_label("Құпиясөз").fill(PASSWORD)
    phone.get_by_role("button", name="Кіру").click()

    phone.get_by_role("link", name=number).click()

    expect(phone.get_by_role("heading", name=f"Іс {number}")).to_be_visible()
    expect(phone.locator("#form-assess").get_by_role("button")).to_have_text("Бағалау жүргізу")
    assert fits_the_screen(phone)
    shoot(phone, "6-case-kazakh-phone")
