"""The web pages served by `clms serve`. For now, the page where a school answers an
attendance check in one click; built as an app factory so the web interface can grow here."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates

from clms.bootstrap import App
from clms.domain.errors import ClmsError, InvalidInput
from clms.services import answers
from clms.tokens import InvalidToken
from clms.web.texts import TEXTS, texts

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))


def create_app(system: App) -> FastAPI:
    web = FastAPI(title="CLMS", docs_url=None, redoc_url=None, openapi_url=None)
    secret = system.settings.secret_key.encode()

    @web.get("/health", response_class=PlainTextResponse)
    def health() -> str:
        return "ok"

    @web.get("/answer/{token}", response_class=HTMLResponse)
    def answer_page(request: Request, token: str, lang: str = "ru") -> HTMLResponse:
        try:
            asked = answers.open_answer(token, system.clock(), system.uow(), secret)
        except ClmsError as refusal:
            return _message(
                request, lang, texts(lang)["invalid"], refusal.message, _status(refusal)
            )
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
        chosen = parse_qs((await request.body()).decode()).get("answer", [""])[0]
        try:
            answers.record_answer(token, chosen, system.clock(), system.uow(), system.rules, secret)
        except ClmsError as refusal:
            return _message(
                request, lang, texts(lang)["invalid"], refusal.message, _status(refusal)
            )
        return _message(request, lang, texts(lang)["thanks"], "", 200)

    return web


def _message(request: Request, lang: str, heading: str, detail: str, status: int) -> HTMLResponse:
    context = {"t": texts(lang), "lang": _language(lang), "heading": heading, "detail": detail}
    return TEMPLATES.TemplateResponse(request, "message.html", context, status_code=status)


def _status(refusal: ClmsError) -> int:
    """410 Gone for a used or expired link, 400 for a bad answer, 404 otherwise."""
    if isinstance(refusal, InvalidToken):
        return 404 if "not valid" in refusal.message else 410
    return 400 if isinstance(refusal, InvalidInput) else 409


def _language(lang: str) -> str:
    return lang if lang in TEXTS else "ru"
