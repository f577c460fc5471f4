"""E-mail through an SMTP server, with the standard library only.

One connection per reminder: the outbox sends few e-mails, and a fresh connection
cannot be a stale one. The server's reply code decides the outcome, as SMTP intends:
4xx means "try again later", 5xx means "this will never work" (RFC 5321, 4.2.1);
a connection that fails or times out is worth another attempt.

The `Message-ID` is derived from the idempotency key, so every attempt of one reminder
carries the same id and a mail system that drops duplicates by id drops ours too. It is a
keyed hash: the key begins with the case number, which a school must not learn (case
numbers are sequential, so a plain hash could be reversed by trying them).
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from clms.ports import Delivery, OutgoingMessage

EXCERPT = 200


class SmtpSender:
    channel = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
        secret: bytes = b"",
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.secret = secret

    def send(self, message: OutgoingMessage) -> Delivery:
        try:
            email = self.compose(message)
        except (TypeError, ValueError) as exc:  # e.g. a line break in a header
            return Delivery.permanent(f"cannot compose the e-mail: {type(exc).__name__}")
        try:
            self._deliver(email, message.to)
        except smtplib.SMTPRecipientsRefused as exc:
            return _delivery_of_reply(*_first_refusal(exc))
        except smtplib.SMTPResponseException as exc:
            return _delivery_of_reply(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out
            return Delivery.retry(_failure(exc))
        return Delivery.sent(f"accepted by {self.host} as {email['Message-ID']}")

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = message_id_of(message.idempotency_key, self.sender, self.secret)
        # base64 keeps Cyrillic and Kazakh text intact through relays that only pass 7 bits.
        email.set_content(message.body, charset="utf-8", cte="base64")
        return email

    def _deliver(self, email: EmailMessage, to: str) -> None:
        # The timeout holds for the connection and for every reply after it.
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(email, from_addr=parseaddr(self.sender)[1], to_addrs=[to])
        finally:
            _say_goodbye(smtp)


def message_id_of(idempotency_key: str, sender: str, secret: bytes = b"") -> str:
    """The same key gives the same id; a keyed hash, because the key names the case and
    may hold characters a Message-ID may not."""
    mac = hmac.new(secret, b"clms-message-id:" + idempotency_key.encode(), hashlib.sha256)
    digest = mac.hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "clms.invalid"
    return f"<{digest}@{domain}>"


def _say_goodbye(smtp: smtplib.SMTP) -> None:
    # Not `with smtplib.SMTP(...)`: its exit raises when QUIT is not answered with 221,
    # which would turn an e-mail the server has already accepted into a failure.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _delivery_of_reply(code: int, reply: bytes | str) -> Delivery:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    detail = f"SMTP {code}: {_short(text)}"
    return Delivery.permanent(detail) if 500 <= code < 600 else Delivery.retry(detail)


def _failure(exc: Exception) -> str:
    reason = _short(str(exc))
    return f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__


def _short(text: str) -> str:
    # One line, so that a detail never breaks a log record in two.
    return " ".join(text.split())[:EXCERPT].rstrip()


def _first_refusal(exc: smtplib.SMTPRecipientsRefused) -> tuple[int, bytes]:
    # One recipient per e-mail, so the first refusal is the only one.
    code, reply = next(iter(exc.recipients.values()))
    return code, reply
