"""The e-mail adapter against a real SMTP server on 127.0.0.1 (aiosmtpd in a thread).

The server answers by recipient, as a real one does for one mailbox or another:
busy@ and greylisted@ say "try later", unknown@ and rejected@ say "never", rude@ accepts
the e-mail and then answers QUIT with an error."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from clms.adapters.email import SmtpSender, message_id_of
from clms.ports import OutgoingMessage

CHILD = "Айгерім С."
SENDER = "CLMS Түркістан <clms@turkistan.example>"


def reminder(to: str = "school-12@turkistan.example") -> OutgoingMessage:
    return OutgoingMessage(
        idempotency_key="reminder-43-attempt-key",
        channel="email",
        to=to,
        subject=f"Қатысуды тексеру / Проверка посещаемости: {CHILD}",
        body=f"Сәлеметсіз бе! {CHILD} мектепке келіп жүр ме? Ответьте до 2026-03-09.",
    )


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("greylisted@"):
            return "450 4.2.0 Greylisted, please try again later"
        if address.startswith("unknown@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if envelope.rcpt_tos[0].startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        if envelope.rcpt_tos[0].startswith("rejected@"):
            return "554 5.7.1 Message rejected as spam"
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        session.rude = envelope.rcpt_tos[0].startswith("rude@")
        return "250 Message accepted"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 5.0.0 Go away" if getattr(session, "rude", False) else "221 Bye"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    # aiosmtpd checks it is up by connecting to its port, so it needs a real one, not 0.
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), ready_timeout=5)
    controller.start()  # returns once the server has answered a connection
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    smtp_server[0].received.clear()
    return smtp_server[0]


@pytest.fixture
def sender(smtp_server: tuple[Mailbox, int]) -> SmtpSender:
    return SmtpSender("127.0.0.1", smtp_server[1], SENDER, timeout=2.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_email_arrives_with_its_utf8_subject_and_body_and_no_key_in_its_headers(
    sender: SmtpSender, mailbox: Mailbox
) -> None:
    message = reminder()

    delivery = sender.send(message)

    assert delivery.outcome == "sent"
    [email] = mailbox.received
    assert email["Subject"] == message.subject
    assert email["To"] == "school-12@turkistan.example"
    assert email["From"] == SENDER
    assert "reminder-43" not in str(email)  # the key (a case number) is in no header
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email.get_content().strip() == message.body
    assert email["Message-ID"] == message_id_of("reminder-43-attempt-key", SENDER)
    assert email["Message-ID"] in delivery.detail
    assert CHILD not in delivery.detail


def test_every_attempt_of_one_reminder_carries_the_same_message_id(
    sender: SmtpSender, mailbox: Mailbox
) -> None:
    sender.send(reminder())
    sender.send(reminder())

    first, second = mailbox.received
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@turkistan.example>")
    assert message_id_of("another key", SENDER) != first["Message-ID"]


@pytest.mark.parametrize(
    ("recipient", "outcome", "code"),
    [
        ("busy@school.example", "retry", 451),  # refused at DATA
        ("greylisted@school.example", "retry", 450),  # refused at RCPT
        ("unknown@school.example", "permanent", 550),  # refused at RCPT
        ("rejected@school.example", "permanent", 554),  # refused at DATA
    ],
)
def test_a_4xx_reply_is_retried_and_a_5xx_reply_is_permanent(
    sender: SmtpSender, mailbox: Mailbox, recipient: str, outcome: str, code: int
) -> None:
    delivery = sender.send(reminder(recipient))

    assert delivery.outcome == outcome
    assert delivery.detail.startswith(f"SMTP {code}: ")
    assert delivery.retry_after is None
    assert CHILD not in delivery.detail
    assert mailbox.received == []


def test_an_email_the_server_accepted_is_sent_even_if_it_answers_quit_with_an_error(
    sender: SmtpSender, mailbox: Mailbox
) -> None:
    delivery = sender.send(reminder("rude@school.example"))

    assert delivery.outcome == "sent"
    assert len(mailbox.received) == 1


def test_no_server_on_the_port_is_retried() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: the connection is refused
        sender = SmtpSender("127.0.0.1", sock.getsockname()[1], SENDER, timeout=2.0)

        delivery = sender.send(reminder())

    assert delivery.outcome == "retry"
    assert delivery.detail.startswith("ConnectionRefusedError")


def test_a_server_that_never_greets_is_retried_after_the_timeout() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # the kernel accepts the connection; nobody ever answers
        sender = SmtpSender("127.0.0.1", sock.getsockname()[1], SENDER, timeout=0.3)

        delivery = sender.send(reminder())

    assert delivery.outcome == "retry"
    assert delivery.detail == "SMTPServerDisconnected: Connection unexpectedly closed: timed out"


def test_starttls_against_a_server_without_it_is_retried_not_raised(sender: SmtpSender) -> None:
    tls_sender = SmtpSender(sender.host, sender.port, SENDER, starttls=True, timeout=2.0)

    delivery = tls_sender.send(reminder())

    assert delivery.outcome == "retry"
    assert delivery.detail.startswith("SMTPNotSupportedError")


def test_a_line_break_in_the_subject_is_a_permanent_failure_not_a_header_injection(
    sender: SmtpSender, mailbox: Mailbox
) -> None:
    message = reminder()
    broken = OutgoingMessage(message.idempotency_key, "email", message.to, "Hi\nBcc: x@y", "b")

    delivery = sender.send(broken)

    assert delivery.outcome == "permanent"
    assert mailbox.received == []
