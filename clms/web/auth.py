"""Who is asking, for the API and the pages: a bearer token (the API) or a session cookie
(the pages), each checked by the one door (WhoHolds). A page that changes something also
carries a CSRF token, derived from the session so that nothing more is stored.

Logging in is rate-limited twice: per account by the domain (a lock after repeated
failures) and per client address here, so that one address cannot try many accounts."""

from __future__ import annotations

import hmac
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from clms.bootstrap import App
from clms.domain.access import NotAuthenticated, User
from clms.domain.errors import ClmsError
from clms.services import commands as c

SESSION_COOKIE = "clms_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
# Login attempts a client address may make in a window before it waits.
ATTEMPTS_PER_WINDOW = 10
WINDOW_SECONDS = 60.0


class TooManyAttempts(ClmsError):
    """Too many logins from one address in a short time: wait a minute."""


class LoginThrottle:
    """Attempts per client address in a sliding window, kept in this process (the embedded
    mode serves from one process; the per-account lock holds across processes)."""

    def __init__(self, limit: int = ATTEMPTS_PER_WINDOW, window: float = WINDOW_SECONDS) -> None:
        self.limit, self.window = limit, window
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, client: str) -> None:
        now = time.monotonic()
        attempts = self.seen[client]
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            raise TooManyAttempts("too many login attempts from this address: wait a minute")
        attempts.append(now)


def system_of(request: Request) -> App:
    system: App = request.app.state.system
    return system


def token_of(request: Request) -> str:
    """The bearer token of an API call, else the page session's cookie, else ""."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(SESSION_COOKIE, "")


async def current_user(request: Request) -> User:
    """The logged-in user, or NotAuthenticated (401); a cookie session's unsafe request
    must carry the session's CSRF token."""
    token = token_of(request)
    if not token:
        raise NotAuthenticated("not logged in")
    system = system_of(request)
    user, kind = await run_in_threadpool(system.handle, c.WhoHolds(token))
    if kind == "page" and request.method not in ("GET", "HEAD", "OPTIONS"):
        await _check_csrf(request, system, token)
    request.state.user = user
    return user


async def user_app(request: Request, user: Annotated[User, Depends(current_user)]) -> App:
    """The system as the logged-in user asks it: every command checked at the door."""
    return system_of(request).acting_as(user)


UserApp = Annotated[App, Depends(user_app)]
CurrentUser = Annotated[User, Depends(current_user)]


def csrf_token(system: App, session_token: str) -> str:
    key = system.settings.secret_key.encode()
    return hmac.new(key, f"csrf:{session_token}".encode(), "sha256").hexdigest()


async def _check_csrf(request: Request, system: App, token: str) -> None:
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        given = str(form.get(CSRF_FIELD, ""))
    if not hmac.compare_digest(given, csrf_token(system, token)):
        raise CsrfRefused("the form is stale or was not sent from this site: reload the page")


class CsrfRefused(ClmsError):
    """A page's change came without the session's CSRF token."""
