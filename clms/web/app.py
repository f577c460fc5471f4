"""The web pages served by `clms serve`. For now, the page where a school answers an
attendance check in one click; built as an app factory so the web interface can grow here."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from clms.bootstrap import App
from clms.domain.errors import ClmsError, InvalidInput
from clms.services import answers
from clms.services.commands import OpenAnswer, RecordAnswer
from clms.tokens import ExpiredToken, InvalidToken, UsedToken
from clms.web.texts import TEXTS, texts

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


def create_app(system: App) -> FastAPI:
    web = FastAPI(title="CLMS", docs_url=None, redoc_url=None, openapi_url=None)

    @web.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, error: StarletteHTTPException) -> Response:
        """A link cut short by a mail or SMS client (`/answer/`) gets the polite page too."""
        if error.status_code != 404:
            return await http_exception_handler(request, error)
        lang = request.query_params.get("lang", "ru")
        return _message(request, lang, "invalid", texts(lang)["invalid_detail"], 404)

    @web.get("/health", response_class=PlainTextResponse)
    def health() -> str:
        return "ok"

    @web.get("/answer/{token}", response_class=HTMLResponse)
    def answer_page(request: Request, token: str, lang: str = "ru") -> HTMLResponse:
        try:
            asked = system.handle(OpenAnswer(token, system.clock()))
        except ClmsError as refusal:
            return _refused(request, lang, refusal)
        t = texts(lang)
        context = {
            "t": t, "lang": _language(lang), "languages": LANGUAGES,
            "question": t["question"].format(child=asked.child, provider=asked.provider),
            "due": t["due"].format(due=asked.follow_up_due),
            "answers": [a.value for a in answers.AttendanceAnswer],
        }  # fmt: skip
        return TEMPLATES.TemplateResponse(request, "answer.html", context)

    @web.post("/answer/{token}", response_class=HTMLResponse)
    async def answer(request: Request, token: str, lang: str = "ru") -> HTMLResponse:
        # A form post; decoded leniently, so a stray byte is a bad answer (400), not a crash.
        form = parse_qs((await request.body()).decode(errors="replace"))
        chosen = form.get("answer", [""])[0]

        def record() -> str:
            return system.handle(RecordAnswer(token, chosen, system.clock()))

        try:  # in a worker thread: the database work must not block the event loop
            await run_in_threadpool(record)
        except ClmsError as refusal:
            return _refused(request, lang, refusal)
        t = texts(lang)
        return _message(request, lang, "thanks", t["your_answer"].format(answer=t[chosen]), 200)

    return web


def _refused(request: Request, lang: str, refusal: ClmsError) -> HTMLResponse:
    """The refusal in the reader's words: the domain's messages are English, for staff."""
    kind, status = _refusal_kind(refusal)
    return _message(
        request, lang, kind, texts(lang)[f"{kind}_detail"], status, kind == "bad_answer"
    )


def _refusal_kind(refusal: ClmsError) -> tuple[str, int]:
    """404 for a forged or unknown link, 410 Gone for a used or expired one, 400 for a bad
    answer: by the refusal's type, never its wording."""
    if isinstance(refusal, ExpiredToken):
        return "expired", 410
    if isinstance(refusal, UsedToken):
        return "used", 410
    if isinstance(refusal, InvalidToken):
        return "invalid", 404
    return ("bad_answer", 400) if isinstance(refusal, InvalidInput) else ("refused", 409)


def _message(
    request: Request, lang: str, kind: str, detail: str, status: int, back: bool = False
) -> HTMLResponse:
    """A page with one message: `kind` is its heading's key in TEXTS; `back` links to the
    question again."""
    t = texts(lang)
    context = {"t": t, "lang": _language(lang), "heading": t[kind], "detail": detail,
               "back": back}  # fmt: skip
    return TEMPLATES.TemplateResponse(request, "message.html", context, status_code=status)


def _language(lang: str) -> str:
    return lang if lang in TEXTS else "ru"
