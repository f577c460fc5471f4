"""Errors as RFC 9457 problem details (application/problem+json): the refusal's type, its
reason, the field it names and, for a refused transition, what is allowed now. Never a
stack trace: an unexpected error is a bare 500 problem, its details only in the log.

A page (not /api/) that needs a login is sent to the login page instead."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from clms.domain.access import Forbidden, NotAuthenticated
from clms.domain.errors import ClmsError, Conflict, InvalidInput, NotFound, Refused
from clms.web.auth import CsrfRefused, TooManyAttempts

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

# The status of each kind of refusal (a subclass as its base), the first that matches.
STATUSES: tuple[tuple[type[ClmsError], int], ...] = (
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (CsrfRefused, 403),
    (TooManyAttempts, 429),
    (NotFound, 404),
    (Conflict, 409),
    (Refused, 422),
    (InvalidInput, 422),
)


def status_of(error: ClmsError) -> int:
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 400)


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def refusal_problem(error: ClmsError, **extra: Any) -> JSONResponse:
    more: dict[str, Any] = {"field": error.field} if error.field else {}
    if isinstance(error, Refused):
        more["allowed_now"] = error.allowed_now
    return problem(status_of(error), type(error).__name__, error.message, **{**more, **extra})


def install_problem_handlers(web: FastAPI) -> None:
    @web.exception_handler(ClmsError)
    async def refused(request: Request, error: ClmsError) -> Response:
        if isinstance(error, NotAuthenticated) and not _is_api(request):
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return refusal_problem(error)

    @web.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return problem(422, "InvalidInput", detail, errors=errors)

    @web.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "InternalError", "something went wrong; it has been logged")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")
