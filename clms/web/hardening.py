"""What every response of the web app carries and every request is held to, whatever the
route: the security headers, a limit on the request body enforced before it is read, and
a "try again" page (503) when the database is busy. Installed by one call, `harden`.

The pages show children's names to whoever holds a link, so nothing is cached (no-store),
no page may be framed (clickjacking a one-click answer), no referrer leaks a link's token
to another site, and the policy loads nothing but this site's own files: the style sheet
in static/, and scripts only from there too."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clms.domain.errors import StorageBusy

STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
))  # fmt: skip
SECURITY_HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
)
# Static assets hold no child's data and may be cached; everything else may.
NO_STORE = ("cache-control", "no-store")

RETRY_AFTER_SECONDS = 5
# The busy page names no school, so it says so in each of the pages' languages.
BUSY_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CLMS</title><link rel="stylesheet" href="/static/clms.css"></head>
<body><main>
<h1 lang="ru">Система занята</h1><p class="muted" lang="ru">Ничего не записано. Попробуйте ещё раз через минуту.</p>
<h1 lang="kk">Жүйе бос емес</h1><p class="muted" lang="kk">Ештеңе жазылмады. Бір минуттан кейін қайталап көріңіз.</p>
<h1 lang="en">The system is busy</h1><p class="muted" lang="en">Nothing was recorded. Please try again in a minute.</p>
</main></body></html>
"""  # noqa: E501


def harden(web: FastAPI, max_body_bytes: int) -> None:
    """Installs the headers and the body limit on `web`, serves the static files the
    policy allows, and answers a busy database with 503."""
    web.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC), name="static")
    web.add_exception_handler(StorageBusy, _storage_busy)
    web.add_middleware(Hardening, max_body_bytes=max_body_bytes)


class BodyTooLarge(HTTPException):
    """Raised while a body streams in past the limit. An HTTPException, so that FastAPI's
    body parsing passes it on as it is instead of calling it a parse error (400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit} bytes")


class Hardening:
    """Pure ASGI (no BaseHTTPMiddleware, which would read and buffer bodies itself)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send, cacheable=scope["path"].startswith(STATIC_PREFIX))
        refusal = _declared_length_refusal(Headers(scope=scope), self.limit)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        started = False

        async def noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _counting(receive, self.limit), noting_start)
        except BodyTooLarge as error:
            if started:  # too late for a status: the connection is cut instead
                raise
            await _too_large(error)(scope, receive, send)


def _declared_length_refusal(headers: Headers, limit: int) -> Response | None:
    """413 at once for a Content-Length over the limit (the body is never read), 400 for
    one that is not a number; None to go on."""
    declared = headers.get("content-length")
    if declared is None:
        return None
    if not declared.isdigit():
        return JSONResponse({"detail": "Content-Length is not a number"}, status_code=400)
    return _too_large(BodyTooLarge(limit)) if int(declared) > limit else None


def _counting(receive: Receive, limit: int) -> Receive:
    """`receive` that counts the body as it streams (chunked: no length is declared) and
    stops it at the limit."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


def _with_headers(send: Send, cacheable: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS if cacheable else (*SECURITY_HEADERS, NO_STORE):
                headers[name] = value
        await send(message)

    return sending


def _too_large(error: BodyTooLarge) -> Response:
    # The unread rest of the body must not be taken for the next request on the connection.
    return JSONResponse({"detail": error.detail}, status_code=413, headers={"connection": "close"})


async def _storage_busy(request: Request, error: Exception) -> Response:
    headers = {"retry-after": str(RETRY_AFTER_SECONDS)}
    if _wants_json(request):
        problem = {"type": "about:blank", "title": "Service Unavailable", "status": 503,
                   "detail": str(error)}  # fmt: skip
        return JSONResponse(
            problem, status_code=503, headers=headers, media_type="application/problem+json"
        )
    return HTMLResponse(BUSY_PAGE, status_code=503, headers=headers)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("json" in accept and "text/html" not in accept)
