"""The web pages served by `clms serve`. For now, the page where a school answers an
attendance check in one click, and corrects a wrong click for a short while; built as an
app factory so the web interface can grow here.

The page speaks the school's language (its `language` in the service directory) unless
the school picked another with `?lang=`; the link itself carries only the signed token."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from clms.bootstrap import App
from clms.domain.errors import ClmsError, InvalidInput
from clms.services.answers import AnswerRequest, AttendanceAnswer, LinkState, TooLateToChange
from clms.services.commands import CorrectAnswer, OpenAnswer, RecordAnswer
from clms.tokens import ExpiredToken, InvalidToken, UsedToken
from clms.web import api, directory_api, pages
from clms.web.auth import LoginThrottle
from clms.web.hardening import harden
from clms.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    LANGUAGES,
    N_,
    TEMPLATES,
    translate,
)
from clms.web.problems import install_problem_handlers
from clms.web.texts import texts

ANSWERS = [a.value for a in AttendanceAnswer]


def create_app(system: App) -> FastAPI:
    web = FastAPI(title="CLMS", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    harden(web, system.settings.max_request_bytes)  # also serves /static
    web.state.system = system  # what clms.web.auth and the routers ask the door through
    web.state.login_throttle = LoginThrottle()
    web.include_router(api.router)
    web.include_router(directory_api.router)
    web.include_router(pages.router)
    install_problem_handlers(web)

    @web.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, error: StarletteHTTPException) -> Response:
        """A link cut short by a mail or SMS client (`/answer/`) gets the polite page too."""
        if error.status_code != 404 or request.url.path.startswith("/api/"):
            return await http_exception_handler(request, error)
        lang = _language(request.query_params.get("lang"))
        return _message(request, lang, "invalid", texts(lang)["invalid_detail"], 404)

    @web.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """Where `clms serve` opens: the caseload, or the login page for nobody yet."""
        return RedirectResponse("/cases", status_code=303)

    @web.get("/health", response_class=PlainTextResponse, include_in_schema=False)
    def health() -> str:
        return "ok"

    def link_page(
        request: Request, token: str, lang: str | None, heading: str = "", status: int = 0
    ) -> HTMLResponse:
        """Where the link stands, in the school's language; `heading` and `status` say
        what just happened (an answer, a correction, a refusal), else the state does."""
        try:
            asked = system.handle(OpenAnswer(token, system.clock()))
        except ClmsError as refusal:
            return _refused(request, _language(lang), refusal)
        language = _language(lang, asked.language)
        if heading in ("bad_answer", "refused"):
            detail = texts(language)[f"{heading}_detail"]
            return _message(request, language, heading, detail, status, heading == "bad_answer")
        return _state_page(request, language, asked, heading, status)

    @web.get("/answer/{token}", response_class=HTMLResponse, include_in_schema=False)
    def answer_page(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
        return link_page(request, token, lang)

    @web.post("/answer/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def answer(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
        # A form post; decoded leniently, so a stray byte is a bad answer (400), not a crash.
        form = parse_qs((await request.body()).decode(errors="replace"))
        chosen = form.get("answer", [""])[0]
        correcting = form.get("correct", [""])[0] == "1"
        command = (CorrectAnswer if correcting else RecordAnswer)(token, chosen, system.clock())
        try:  # in a worker thread: the database work must not block the event loop
            await run_in_threadpool(system.handle, command)
        except ClmsError as refusal:
            kind, status = _refusal_kind(refusal)
            if kind == "invalid":
                return _refused(request, _language(lang), refusal)
            return await run_in_threadpool(link_page, request, token, lang, kind, status)
        done = "changed" if correcting else "thanks"
        return await run_in_threadpool(link_page, request, token, lang, done, 200)

    return web


def _state_page(
    request: Request, lang: str, asked: AnswerRequest, heading: str, status: int
) -> HTMLResponse:
    t = texts(lang)
    if asked.state is LinkState.OPEN:
        return _question(request, lang, asked)
    if asked.state is LinkState.EXPIRED:
        detail = " ".join(filter(None, (t["expired_detail"], _worker_line(lang, asked))))
        return _message(request, lang, "expired", detail, status or 410)
    changeable = asked.state is LinkState.CHANGEABLE
    context = {
        **_page(t, lang), "heading": t[heading or "used"],
        "answer": asked.answer, "minutes": asked.minutes_to_change,
        "others": [a for a in ANSWERS if a != asked.answer] if changeable else [],
        "worker": _worker_line(lang, asked),
    }  # fmt: skip
    status = status or (200 if changeable else 410)
    return TEMPLATES.TemplateResponse(request, "answered.html", context, status_code=status)


def _question(request: Request, lang: str, asked: AnswerRequest) -> HTMLResponse:
    context = {
        **_page(texts(lang), lang),
        "child": asked.child, "provider": asked.provider, "due": asked.follow_up_due,
        "answers": ANSWERS,
    }  # fmt: skip
    return TEMPLATES.TemplateResponse(request, "answer.html", context)


def _worker_line(lang: str, asked: AnswerRequest) -> str:
    if not asked.social_worker:
        return ""
    return translate(lang, N_("Social worker: %(worker)s"), worker=asked.social_worker)


def _refused(request: Request, lang: str, refusal: ClmsError) -> HTMLResponse:
    """The refusal in the reader's words: the domain's messages are English, for staff."""
    kind, status = _refusal_kind(refusal)
    return _message(
        request, lang, kind, texts(lang)[f"{kind}_detail"], status, kind == "bad_answer"
    )


def _refusal_kind(refusal: ClmsError) -> tuple[str, int]:
    """404 for a forged or unknown link, 410 Gone for a used or expired one, 409 for a
    correction too late, 400 for a bad answer: by the refusal's type, never its wording."""
    if isinstance(refusal, ExpiredToken):
        return "expired", 410
    if isinstance(refusal, UsedToken):
        return "used", 410
    if isinstance(refusal, InvalidToken):
        return "invalid", 404
    if isinstance(refusal, TooLateToChange):
        return "too_late", 409
    return ("bad_answer", 400) if isinstance(refusal, InvalidInput) else ("refused", 409)


def _message(
    request: Request, lang: str, kind: str, detail: str, status: int, back: bool = False
) -> HTMLResponse:
    """A page with one message: `kind` is its heading's key in clms/web/texts.py; `back`
    links to the question again."""
    t = texts(lang)
    context = {**_page(t, lang), "heading": t[kind], "detail": detail, "back": back}
    return TEMPLATES.TemplateResponse(request, "message.html", context, status_code=status)


def _page(t: dict[str, str], lang: str) -> dict[str, object]:
    """What every page's frame needs: its keyed words, its language and the languages."""
    return {"t": t, "lang": lang, "languages": LANGUAGES}


def _language(asked: str | None, school: str = DEFAULT_LANGUAGE) -> str:
    """The language the reader picked, else the school's, else Russian."""
    for lang in (asked, school):
        if lang is not None and lang in LANGUAGE_CODES:
            return lang
    return DEFAULT_LANGUAGE
