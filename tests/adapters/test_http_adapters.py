"""The SMS gateway and the school webhook against a real HTTP server on 127.0.0.1 (uvicorn
in a thread), and against httpx.MockTransport only for faults a real server cannot easily
produce on demand (a timeout mid-request, a reset connection)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clms.adapters.school_webhook import (
    SchoolWebhook,
    canonical_json,
    reference_of,
    verify_signature,
)
from clms.adapters.sms import HttpSmsGateway, RapidProGateway
from clms.ports import Delivery, MessageSender, OutgoingMessage
from tests.servers import ThreadedServer

CHILD = "Айгерім С."
SECRET = b"school-12-shared-secret"
TOKEN = "gateway-token-1"
NOW = 1772442000.0  # 2026-03-02 09:00 UTC

SMS = OutgoingMessage(
    idempotency_key="reminder-41-attempt-key",
    channel="sms",
    to="+77011234567",
    subject="Follow-up due",
    body=f"{CHILD}: follow-up visit due on 2026-04-02. Case KZ-TUR-MAK-0041.",
)


def webhook_message(url: str) -> OutgoingMessage:
    return OutgoingMessage(
        idempotency_key="reminder-42-attempt-key",
        channel="webhook",
        to=url,
        subject="Attendance check",
        body=f"Is {CHILD} attending?",
        payload={"type": "attendance_check", "child": CHILD, "week": 10},
    )


# --- the real server --------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingServer:
    """Answers by path: /accept says 201 with a gateway id, /status/<code> answers that
    code (with ?retry_after=), a 400 echoes the request as a careless gateway might."""

    port: int = 0
    received: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        self.received.append(Received(request.url.path, dict(request.headers), body))
        if request.url.path == "/accept":
            return JSONResponse({"id": "gw-7781", "status": "queued"}, status_code=201)
        status = int(request.url.path.rpartition("/")[2])
        if status == 400:
            error = {"error": "invalid recipient", "request": body.decode()}
            return JSONResponse(error, status_code=400)
        headers = (
            {"Retry-After": request.query_params["retry_after"]} if request.query_params else {}
        )
        return Response(b"not now", status_code=status, headers=headers)


@pytest.fixture(scope="session")
def http_server() -> Iterator[RecordingServer]:
    recorder = RecordingServer()
    app = Starlette(routes=[Route("/{path:path}", recorder.endpoint, methods=["POST"])])
    server = ThreadedServer(app)
    recorder.port = server.start()
    yield recorder
    server.stop()


@pytest.fixture
def server(http_server: RecordingServer) -> RecordingServer:
    http_server.received.clear()
    return http_server


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that is bound but not listening: a connection to it is refused, and no
    other program can start listening on it during the test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield sock.getsockname()[1]


# --- the adapters, each sending one message to a path ------------------------------------

Send = Callable[[str], tuple[Delivery, OutgoingMessage]]


@pytest.fixture(params=["sms", "webhook"])
def send_to(request: pytest.FixtureRequest) -> Iterator[Send]:
    """Sends with either adapter to a URL: the outcome rules are the same for both."""
    if request.param == "sms":
        gateway = HttpSmsGateway("", TOKEN, "CLMS", timeout=2.0)

        def via_sms(url: str) -> tuple[Delivery, OutgoingMessage]:
            gateway.url = url
            return gateway.send(SMS), SMS

        yield via_sms
        gateway.close()
    else:
        webhook = SchoolWebhook(SECRET, timeout=2.0, clock=lambda: NOW)

        def via_webhook(url: str) -> tuple[Delivery, OutgoingMessage]:
            message = webhook_message(url)
            return webhook.send(message), message

        yield via_webhook
        webhook.close()


def assert_private(delivery: Delivery, message: OutgoingMessage) -> None:
    assert message.body not in delivery.detail
    assert CHILD not in delivery.detail


# --- the SMS gateway ---------------------------------------------------------------------


def test_the_sms_gateway_posts_the_documented_json_with_the_bearer_token_and_idempotency_key(
    server: RecordingServer,
) -> None:
    gateway = HttpSmsGateway(server.url("/accept"), TOKEN, "CLMS")

    delivery = gateway.send(SMS)
    gateway.close()

    assert delivery == Delivery.sent("HTTP 201 id=gw-7781")
    [request] = server.received
    assert json.loads(request.body) == {
        "to": "+77011234567",
        "from": "CLMS",
        "text": SMS.body,
        "reference": "reminder-41-attempt-key",
    }
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["idempotency-key"] == "reminder-41-attempt-key"
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize("token", ["", "  "])
def test_a_gateway_without_a_token_is_sent_to_without_an_authorization_header(
    server: RecordingServer, token: str
) -> None:
    gateway = HttpSmsGateway(server.url("/accept"), token, "CLMS")

    delivery = gateway.send(SMS)
    gateway.close()

    assert delivery.outcome == "sent"
    [request] = server.received
    assert "authorization" not in request.headers


def test_the_rapidpro_variant_sends_urns_and_its_token_scheme(server: RecordingServer) -> None:
    gateway = RapidProGateway(server.url("/accept"), TOKEN, "ignored")

    assert gateway.send(SMS).outcome == "sent"
    gateway.close()

    [request] = server.received
    assert json.loads(request.body) == {"urns": ["tel:+77011234567"], "text": SMS.body}
    assert request.headers["authorization"] == f"Token {TOKEN}"


def test_a_lent_client_is_used_with_the_adapters_timeout_and_left_open(
    server: RecordingServer,
) -> None:
    with httpx.Client() as client:  # no timeout of its own
        gateway = HttpSmsGateway(server.url("/accept"), TOKEN, "CLMS", client=client, timeout=3.0)
        assert gateway.request_for(SMS).extensions["timeout"] == httpx.Timeout(3.0).as_dict()
        assert gateway.send(SMS).outcome == "sent"
        gateway.close()
        assert not client.is_closed


# --- the school webhook ------------------------------------------------------------------


def test_the_webhook_posts_compact_sorted_utf8_json_with_a_signature_the_school_can_verify(
    server: RecordingServer,
) -> None:
    webhook = SchoolWebhook(SECRET, clock=lambda: NOW)
    message = webhook_message(server.url("/accept"))

    delivery = webhook.send(message)
    webhook.close()

    assert delivery.outcome == "sent"
    [request] = server.received
    reference = reference_of(SECRET, "reminder-42-attempt-key")
    assert (
        request.body
        == (
            f'{{"child":"Айгерім С.","reference":"{reference}","type":"attendance_check","week":10}}'
        ).encode()
    )
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["idempotency-key"] == reference
    assert request.headers["x-clms-timestamp"] == "1772442000"
    assert request.headers["x-clms-signature"].startswith("sha256=")
    timestamp, signature = request.headers["x-clms-timestamp"], request.headers["x-clms-signature"]
    assert verify_signature(SECRET, timestamp, request.body, signature, now=NOW + 10)


def sent_to_the_school(server: RecordingServer, key: str, secret: bytes = SECRET) -> Received:
    """A reminder whose payload even names its key as the reference: the adapter's wins."""
    webhook = SchoolWebhook(secret, clock=lambda: NOW)
    message = webhook_message(server.url("/accept"))
    webhook.send(OutgoingMessage(key, message.channel, message.to, message.subject,
                                 message.body, {**message.payload, "reference": key}))  # fmt: skip
    webhook.close()
    return server.received[-1]


def test_the_school_gets_an_opaque_reference_in_the_body_and_header_never_the_case_number(
    server: RecordingServer,
) -> None:
    key = "KZ-000042:attendance_check:2026-04-02"  # a reminder's key names its case

    request = sent_to_the_school(server, key)

    reference = json.loads(request.body)["reference"]
    assert request.headers["idempotency-key"] == reference
    assert len(reference) == 32 and int(reference, 16) >= 0
    seen = request.body.decode() + json.dumps(request.headers)
    assert "KZ-000042" not in seen and "000042" not in seen


def test_the_reference_is_the_same_on_every_retry_and_differs_per_reminder_and_secret(
    server: RecordingServer,
) -> None:
    first = "KZ-000042:attendance_check:2026-04-02"
    again = sent_to_the_school(server, first).headers["idempotency-key"]
    retried = sent_to_the_school(server, first).headers["idempotency-key"]
    next_round = sent_to_the_school(server, first + ":1").headers["idempotency-key"]
    other_case = sent_to_the_school(server, "KZ-000043:attendance_check:2026-04-02")
    other_secret = sent_to_the_school(server, first, b"another-deployment-secret")

    assert again == retried
    assert len({again, next_round, other_case.headers["idempotency-key"]}) == 3
    assert other_secret.headers["idempotency-key"] != again


def test_a_signature_fails_with_a_wrong_secret_a_changed_body_or_a_stale_timestamp(
    server: RecordingServer,
) -> None:
    webhook = SchoolWebhook(SECRET, clock=lambda: NOW)
    webhook.send(webhook_message(server.url("/accept")))
    webhook.close()
    [request] = server.received
    timestamp, signature = request.headers["x-clms-timestamp"], request.headers["x-clms-signature"]

    assert not verify_signature(b"another-secret", timestamp, request.body, signature, now=NOW)
    assert not verify_signature(SECRET, timestamp, request.body + b" ", signature, now=NOW)
    assert not verify_signature(SECRET, timestamp, request.body, signature, now=NOW + 301)
    assert not verify_signature(SECRET, timestamp, request.body, signature, now=NOW - 301)
    assert not verify_signature(SECRET, str(NOW + 1), request.body, signature, now=NOW)
    assert not verify_signature(SECRET, "yesterday", request.body, signature, now=NOW)
    assert not verify_signature(SECRET, timestamp, request.body, "sha256=Ä", now=NOW)
    assert verify_signature(SECRET, int(NOW), request.body, signature, now=NOW + 300)


def test_the_same_payload_is_always_the_same_bytes() -> None:
    assert canonical_json({"b": 1, "a": "ә"}) == canonical_json({"a": "ә", "b": 1})
    assert canonical_json({"b": 1, "a": "ә"}) == '{"a":"ә","b":1}'.encode()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(None, "TypeError"), ({"score": float("nan")}, "ValueError"), ({"at": object()}, "TypeError")],
)
def test_a_webhook_without_a_json_payload_is_a_permanent_failure_and_is_not_sent(
    server: RecordingServer, payload: dict[str, object] | None, reason: str
) -> None:
    webhook = SchoolWebhook(SECRET)
    message = OutgoingMessage("k-1", "webhook", server.url("/accept"), "s", "b", payload)

    delivery = webhook.send(message)
    webhook.close()

    assert delivery.outcome == "permanent"
    assert reason in delivery.detail
    assert server.received == []


@pytest.mark.parametrize("url", ["school-12.example/clms", "ftp://127.0.0.1/clms", "http://[::1"])
def test_a_webhook_address_that_can_never_work_is_a_permanent_failure(url: str) -> None:
    webhook = SchoolWebhook(SECRET)

    delivery = webhook.send(webhook_message(url))
    webhook.close()

    assert delivery.outcome == "permanent"


# --- outcomes, the same for both adapters -------------------------------------------------


def test_a_500_from_the_server_is_retried(server: RecordingServer, send_to: Send) -> None:
    delivery, message = send_to(server.url("/status/500"))

    assert delivery == Delivery.retry("HTTP 500")
    assert len(server.received) == 1


def test_a_429_with_retry_after_in_seconds_is_retried_after_that_long(
    server: RecordingServer, send_to: Send
) -> None:
    delivery, message = send_to(server.url("/status/429?retry_after=7"))

    assert delivery == Delivery.retry("HTTP 429", retry_after=7)


def test_a_400_with_a_json_error_is_permanent_with_the_status_and_an_excerpt_but_not_the_message(
    server: RecordingServer, send_to: Send
) -> None:
    delivery, message = send_to(server.url("/status/400"))

    assert delivery.outcome == "permanent"
    assert delivery.detail.startswith('HTTP 400: {"error":"invalid recipient"')
    assert len(delivery.detail) <= len("HTTP 400: ") + 200
    assert_private(delivery, message)  # the server echoed the request; the detail does not


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504, 507, 599])
def test_statuses_that_mean_not_now_are_retried(
    server: RecordingServer, send_to: Send, status: int
) -> None:
    delivery, message = send_to(server.url(f"/status/{status}"))

    assert delivery == Delivery.retry(f"HTTP {status}")


@pytest.mark.parametrize("status", [301, 401, 403, 404, 410, 413, 422])
def test_statuses_that_mean_never_are_permanent(
    server: RecordingServer, send_to: Send, status: int
) -> None:
    delivery, message = send_to(server.url(f"/status/{status}"))

    assert delivery.outcome == "permanent"
    assert delivery.detail == f"HTTP {status}: not now"


def test_a_server_that_is_not_listening_is_retried(closed_port: int, send_to: Send) -> None:
    delivery, message = send_to(f"http://127.0.0.1:{closed_port}/clms")

    assert delivery.outcome == "retry"
    assert delivery.detail.startswith("ConnectError")
    assert_private(delivery, message)


def test_a_server_that_never_answers_is_retried_after_the_timeout(silent_port: int) -> None:
    gateway = HttpSmsGateway(f"http://127.0.0.1:{silent_port}/sms", TOKEN, "CLMS", timeout=0.3)
    started = time.monotonic()

    delivery = gateway.send(SMS)
    gateway.close()

    assert delivery.outcome == "retry"
    assert delivery.detail.startswith("ReadTimeout")
    assert time.monotonic() - started < 2


# --- faults a real server cannot easily produce: httpx.MockTransport ------------------------


def mocked(adapter: str, handler: Callable[[httpx.Request], httpx.Response]) -> MessageSender:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    if adapter == "sms":
        return HttpSmsGateway("http://127.0.0.1/sms", TOKEN, "CLMS", client=client)
    return SchoolWebhook(SECRET, client=client, clock=lambda: NOW)


def message_for(adapter: str) -> OutgoingMessage:
    return SMS if adapter == "sms" else webhook_message("http://127.0.0.1/hook")


@pytest.mark.parametrize("adapter", ["sms", "webhook"])
@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
    ],
    ids=lambda fault: type(fault).__name__,
)
def test_a_timeout_or_a_broken_connection_is_retried_with_the_exception_named(
    adapter: str, fault: httpx.HTTPError
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise fault

    message = message_for(adapter)
    delivery = mocked(adapter, fail).send(message)

    assert delivery.outcome == "retry"
    assert delivery.detail.startswith(type(fault).__name__)
    assert delivery.retry_after is None
    assert_private(delivery, message)


def test_retry_after_as_an_http_date_becomes_seconds_from_now() -> None:
    later = format_datetime(datetime.fromtimestamp(NOW + 120, UTC), usegmt=True)
    webhook = mocked("webhook", lambda r: httpx.Response(503, headers={"Retry-After": later}))

    assert webhook.send(message_for("webhook")) == Delivery.retry("HTTP 503", retry_after=120)


def test_retry_after_as_an_http_date_is_measured_from_the_real_clock_by_default() -> None:
    later = format_datetime(datetime.fromtimestamp(time.time() + 120, UTC), usegmt=True)
    gateway = mocked("sms", lambda r: httpx.Response(429, headers={"Retry-After": later}))

    retry_after = gateway.send(SMS).retry_after

    assert retry_after is not None and 110 < retry_after <= 120


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("Mon, 02 Mar 2026 08:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("", None),
        ("9" * 400, 7 * 24 * 3600),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 7 * 24 * 3600),
    ],
)
def test_retry_after_in_the_past_is_zero_beyond_a_week_is_a_week_and_nonsense_is_ignored(
    header: str, seconds: float | None
) -> None:
    webhook = mocked("webhook", lambda r: httpx.Response(503, headers={"Retry-After": header}))

    assert webhook.send(message_for("webhook")).retry_after == seconds


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (httpx.Response(200, json={"sid": "SM0123"}), "HTTP 200 id=SM0123"),
        (httpx.Response(201, json={"id": 90210, "status": "queued"}), "HTTP 201 id=90210"),
        (httpx.Response(202, json=[{"id": 1}]), "HTTP 202"),
        (httpx.Response(204), "HTTP 204"),
        (httpx.Response(200, text="OK"), "HTTP 200"),
        (httpx.Response(200, json={"id": "x" * 500}), "HTTP 200 id=" + "x" * 64),
    ],
)
def test_an_acceptance_names_the_gateways_id_when_it_gives_one(
    answer: httpx.Response, detail: str
) -> None:
    gateway = mocked("sms", lambda r: answer)

    assert gateway.send(SMS) == Delivery.sent(detail)


def test_a_long_error_is_cut_to_two_hundred_characters_on_one_line() -> None:
    gateway = mocked("sms", lambda r: httpx.Response(422, text="bad\n" * 500))

    delivery = gateway.send(SMS)

    assert delivery.outcome == "permanent"
    assert delivery.detail == "HTTP 422: " + ("bad " * 50).strip()


def test_a_gateway_that_echoes_the_message_escaped_as_json_still_does_not_leak_it() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        return httpx.Response(400, text=json.dumps({"error": "rejected", "request": sent}))

    delivery = mocked("sms", echo).send(SMS)

    assert delivery.outcome == "permanent"
    assert "rejected" in delivery.detail
    assert json.dumps(CHILD)[1:-1] not in delivery.detail
    assert_private(delivery, SMS)
