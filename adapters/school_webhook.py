"""Reminders to a school's own system: a signed JSON POST to the URL the school gave us.

The school checks that a request comes from us, and is not an old one played again, with
`verify_signature`; the signature covers the timestamp and the exact bytes of the body::

    X-CLMS-Timestamp: 1772442000
    X-CLMS-Signature: sha256=hex(HMAC-SHA256(secret, b"1772442000." + body))

The body is compact JSON with sorted keys, so the same payload is always the same bytes.

A school never learns the case number: the body's `reference` and the `Idempotency-Key`
header are the same opaque id, an HMAC of the reminder's key under the webhook secret. It
is the same on every retry of a reminder (the school drops a repeat by it), different for
every reminder, and cannot be turned back into the key without the secret::

    Idempotency-Key: 3f0c...e1 (32 hex digits)
    {"reference": "3f0c...e1", "type": "attendance_check", "child": "Айгерім С.", ...}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx

from clms.adapters._http import delivery_of, delivery_of_error, private_texts
from clms.ports import Delivery, OutgoingMessage

TOLERANCE = 300  # seconds a school accepts between our clock and theirs


class SchoolWebhook:
    channel = "webhook"

    def __init__(
        self,
        secret: bytes,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._timeout = timeout
        self._clock = clock
        self._owns_client = client is None
        # Redirects stay off (httpx's default): a signed body must not wander elsewhere.
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    def send(self, message: OutgoingMessage) -> Delivery:
        reference = reference_of(self._secret, message.idempotency_key)
        try:
            body = canonical_json(_with_reference(message.payload, reference))
        except (TypeError, ValueError) as exc:  # the same payload would fail every time
            return Delivery.permanent(f"payload is not a JSON object: {type(exc).__name__}")
        try:
            response = self._client.post(
                message.to,
                content=body,
                headers=self._headers(reference, body),
                timeout=self._timeout,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return delivery_of_error(exc)
        return delivery_of(response, now=self._clock(), hide=private_texts(message))

    def _headers(self, reference: str, body: bytes) -> dict[str, str]:
        timestamp = str(int(self._clock()))
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": reference,
            "X-CLMS-Timestamp": timestamp,
            "X-CLMS-Signature": signature_of(self._secret, timestamp, body),
        }

    def close(self) -> None:
        """Closes the connection pool, unless the client was lent to us."""
        if self._owns_client:
            self._client.close()


def reference_of(secret: bytes, idempotency_key: str) -> str:
    """The opaque id a school sees for a reminder (its key holds the case number)."""
    mac = hmac.new(secret, b"clms-reference:" + idempotency_key.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def _with_reference(payload: object, reference: str) -> object:
    """The payload with our reference; anything but a JSON object is left for
    canonical_json to refuse."""
    return {**payload, "reference": reference} if isinstance(payload, dict) else payload


def canonical_json(payload: object) -> bytes:
    if not isinstance(payload, dict):
        raise TypeError("a webhook posts a JSON object")
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def signature_of(secret: bytes, timestamp: str | int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: bytes,
    timestamp: str | int,
    body: bytes,
    signature: str,
    now: float,
    tolerance: float = TOLERANCE,
) -> bool:
    """True when `signature` is ours for this body and timestamp, and the timestamp is
    within `tolerance` seconds of `now` (an old request replayed is refused)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > tolerance:
        return False
    expected = signature_of(secret, timestamp, body)
    # Constant time, so that the right signature cannot be guessed byte by byte;
    # compared as bytes because compare_digest refuses non-ASCII text.
    return hmac.compare_digest(expected.encode(), signature.encode())
