"""The frame every page is drawn in (base.html): its stylesheet comes from /static, never
inline (the pages will forbid inline styles), a language switcher, and a top bar with the
signed-in user's name and a logout button that is not there when nobody is signed in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from clms.web.i18n import LANGUAGES, STATIC_DIR, TEMPLATES
from tests.servers import ThreadedServer
from tests.web.conftest import Waiting, answer_url

INLINE = re.compile(r"<style|<script|\sstyle=|\son\w+=", re.IGNORECASE)


def test_the_stylesheet_is_served_from_static_as_css(site: str) -> None:
    sheet = httpx.get(f"{site}/static/clms.css")

    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert '"DejaVu Sans", "Noto Sans", sans-serif' in sheet.text


def test_a_file_missing_from_static_is_a_404(site: str) -> None:
    assert httpx.get(f"{site}/static/nothing.css").status_code == 404


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_answer_pages_link_the_stylesheet_and_carry_no_inline_style_or_script(
    waiting: Waiting, site: str, lang: str
) -> None:
    question = httpx.get(answer_url(site, waiting.token), params={"lang": lang})
    refused = httpx.get(f"{site}/answer/forged", params={"lang": lang})

    for page in (question, refused):
        assert '<link rel="stylesheet" href="/static/clms.css">' in page.text
        assert INLINE.findall(page.text) == []
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text


def test_the_language_switcher_names_each_language_in_its_own_words(site: str) -> None:
    page = httpx.get(f"{site}/answer/forged", params={"lang": "kk"})

    assert '<nav class="langs" aria-label="Тіл">' in page.text
    for code, name in LANGUAGES:
        assert f'<a href="?lang={code}" lang="{code}" hreflang="{code}"' in page.text
        assert f">{name}</a>" in page.text


@pytest.fixture(scope="module")
def framed() -> Iterator[str]:
    """A page in the frame as the staff pages will use it: with or without a user."""
    web = FastAPI()
    web.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @web.get("/page", response_class=HTMLResponse)
    def page(request: Request, lang: str, user: str = "") -> HTMLResponse:
        context = {"lang": lang, "languages": LANGUAGES, "heading": "Cases", "detail": ""}
        signed_in = {"user": {"name": user}} if user else {}
        return TEMPLATES.TemplateResponse(request, "message.html", context | signed_in)

    server = ThreadedServer(web)
    yield f"http://127.0.0.1:{server.start()}"
    server.stop()


def test_the_top_bar_shows_nothing_of_a_user_when_nobody_is_signed_in(framed: str) -> None:
    page = httpx.get(f"{framed}/page", params={"lang": "ru"})

    assert page.status_code == 200
    assert 'class="user"' not in page.text
    assert "logout" not in page.text and "Выйти" not in page.text


@pytest.mark.parametrize(("lang", "log_out"), [("ru", "Выйти"), ("kk", "Шығу"), ("en", "Log out")])
def test_the_top_bar_shows_the_signed_in_users_name_and_a_logout_button_in_the_pages_language(
    framed: str, lang: str, log_out: str
) -> None:
    page = httpx.get(f"{framed}/page", params={"lang": lang, "user": "Айгүл <S>"})

    assert '<span class="user">Айгүл &lt;S&gt;</span>' in page.text
    assert '<form class="logout" method="post" action="/logout">' in page.text
    assert f'<button type="submit">{log_out}</button>' in page.text
