"""What delivering a reminder needs from a channel's adapter (SMS gateway, e-mail, a
school's webhook)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """One reminder on its way out. The same `idempotency_key` is sent with every attempt,
    so that a receiver can drop a duplicate after a crash between sending and recording."""

    idempotency_key: str
    channel: str  # "sms", "email" or "webhook"
    to: str  # a phone number, an e-mail address or a webhook URL
    subject: str
    body: str
    payload: dict[str, object] | None = None  # the JSON document a webhook posts


@dataclass(frozen=True)
class Delivery:
    """What became of one attempt: `sent`, `retry` (later; `retry_after` seconds if the
    receiver said so) or `permanent` (never retry: the reason goes to the dead letters)."""

    outcome: str
    detail: str = ""
    retry_after: float | None = None

    @classmethod
    def sent(cls, detail: str = "") -> Delivery:
        return cls("sent", detail)

    @classmethod
    def retry(cls, detail: str, retry_after: float | None = None) -> Delivery:
        return cls("retry", detail, retry_after)

    @classmethod
    def permanent(cls, detail: str) -> Delivery:
        return cls("permanent", detail)


class MessageSender(Protocol):
    """An adapter that delivers one channel. It never raises for a delivery problem: it
    says what happened, so the outbox can decide to retry or give up."""

    channel: str

    def send(self, message: OutgoingMessage) -> Delivery: ...
