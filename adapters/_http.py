"""What an HTTP answer or failure means for a reminder: sent, retry later, or give up.

Shared by the SMS gateway and the school webhook so that both read a status the same way.
A detail string ends up in logs and in the dead letters, so it never carries what we
sent: the receiver's answer is cut short and anything it echoes back of ours is hidden.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

from clms.ports import Delivery, OutgoingMessage

# Statuses that say "not now" rather than "never": the same request may work later.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
EXCERPT = 200
# A longer Retry-After is a gateway's mistake; unbounded, "9999…" would overflow the
# outbox's datetime arithmetic.
LONGEST_WAIT = 7 * 24 * 3600.0
# Keys under which gateways (ours, RapidPro, Twilio…) return the id of what they accepted.
_ID_KEYS = ("id", "sid", "message_id", "messageId", "uuid")
# Shorter strings ("yes", a district code) would blank out harmless words of an error.
_SHORTEST_HIDDEN = 4


def delivery_of(
    response: httpx.Response, *, now: float | None = None, hide: Iterable[str] = ()
) -> Delivery:
    """The outcome of an answered request; `hide` are texts of ours it must not echo."""
    status = response.status_code
    if 200 <= status < 300:
        return Delivery.sent(_sent_detail(response))
    if status in RETRYABLE or status >= 500:
        when = time.time() if now is None else now
        return Delivery.retry(f"HTTP {status}", retry_after_of(response, when))
    # Other 4xx (and 3xx: redirects are not followed) will fail the same way every time.
    return Delivery.permanent(f"HTTP {status}: {excerpt_of(response, hide)}")


def delivery_of_error(exc: Exception) -> Delivery:
    """The outcome of a request that got no answer (timeout, refused, reset, bad address)."""
    name = type(exc).__name__
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Delivery.permanent(f"{name}: the address can never be reached")
    # The request may have arrived before the failure: the idempotency key makes the
    # retry safe, the receiver drops the duplicate.
    reason = _short(str(exc))
    return Delivery.retry(f"{name}: {reason}" if reason else name)


def retry_after_of(response: httpx.Response, now: float) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP-date (never negative)."""
    value = response.headers.get("Retry-After", "").strip()
    if re.fullmatch(r"[0-9]+", value):
        return min(float(value), LONGEST_WAIT)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; an HTTP-date is always GMT
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, when.timestamp() - now), LONGEST_WAIT)


def excerpt_of(response: httpx.Response, hide: Iterable[str] = ()) -> str:
    text = response.text
    forms = {form for secret in hide if len(secret) >= _SHORTEST_HIDDEN for form in _forms(secret)}
    for form in sorted(forms, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(form, "[hidden]")
    return _short(text)


def _forms(secret: str) -> tuple[str, str, str]:
    # An echo is often JSON: the name may come back escaped ("\u0410\u0439...").
    escaped = json.dumps(secret)[1:-1]
    return secret, escaped, json.dumps(secret, ensure_ascii=False)[1:-1]


def private_texts(message: OutgoingMessage) -> list[str]:
    """Everything of ours a receiver might echo back into an error: body, subject and
    the payload's strings (a webhook payload may name a child)."""
    return [message.body, message.subject, *_strings_in(message.payload)]


def _strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)


def _sent_detail(response: httpx.Response) -> str:
    provider_id = _provider_id(response)
    status = f"HTTP {response.status_code}"
    return f"{status} id={provider_id}" if provider_id else status


def _provider_id(response: httpx.Response) -> str:
    try:
        document = response.json()
    except ValueError:  # not JSON (or not UTF-8): an acceptance without an id
        return ""
    if not isinstance(document, dict):
        return ""
    for key in _ID_KEYS:
        value = document.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return _short(str(value), 64)
    return ""


def _short(text: str, limit: int = EXCERPT) -> str:
    # One line, so that a detail never breaks a log record in two.
    return re.sub(r"\s+", " ", text).strip()[:limit].rstrip()
