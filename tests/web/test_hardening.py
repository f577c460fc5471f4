"""What every response carries and every request is held to (clms/web/hardening.py), over
HTTP against the real server (uvicorn on 127.0.0.1) and a real SQLite database: security
headers, the body limit, tokens nobody made, and a busy database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from clms.bootstrap import App, bootstrap
from clms.settings import Settings
from clms.web.app import create_app
from clms.web.hardening import CONTENT_SECURITY_POLICY
from tests.locks import write_lock_held
from tests.web.conftest import ANSWERED, Serve, Waiting, answer_url, recorded_answers

SECURITY = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}
ANSWER = "answer=attending_regularly"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def security_headers(response: httpx.Response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in SECURITY}


def with_limit(app: App, max_request_bytes: int) -> App:
    return replace(
        app, settings=app.settings.model_copy(update={"max_request_bytes": max_request_bytes})
    )


def test_every_response_carries_the_security_headers_and_is_never_stored(
    site: str, waiting: Waiting
) -> None:
    link = answer_url(site, waiting.token)
    responses = [
        httpx.get(link),  # the question, with the child's name
        httpx.post(link, content=ANSWER, headers=FORM),
        httpx.get(f"{site}/answer/forged.token"),  # 404 page
        httpx.get(f"{site}/health"),
        httpx.post(f"{site}/health"),  # 405
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 200, 405]
    for response in responses:
        assert security_headers(response) == SECURITY
        assert response.headers["cache-control"] == "no-store"


def test_the_policy_allows_what_the_pages_load_and_nothing_inline(
    site: str, waiting: Waiting
) -> None:
    page = httpx.get(answer_url(site, waiting.token)).text
    # An inline style or script would be blocked by the policy: the pages have none.
    assert not re.search(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=", page, re.I)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert sheets == ["/static/clms.css"]
    sheet = httpx.get(f"{site}{sheets[0]}")
    assert (sheet.status_code, sheet.headers["content-type"]) == (200, "text/css; charset=utf-8")
    assert "Noto Sans" in sheet.text


def test_static_assets_carry_the_security_headers_and_may_be_cached(site: str) -> None:
    sheet = httpx.get(f"{site}/static/clms.css")
    assert security_headers(sheet) == SECURITY
    assert "no-store" not in sheet.headers.get("cache-control", "")


def test_a_declared_length_over_the_default_megabyte_is_refused_before_the_body_is_sent(
    site: str, waiting: Waiting
) -> None:
    # The body never comes: a server that waited to read it would not answer at all.
    port = int(site.rsplit(":", 1)[1])
    head = (
        f"POST /answer/{waiting.token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {1024 * 1024 + 1}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(head.encode())
        status_line = connection.recv(4096).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert recorded_answers(waiting.app) == []


def test_a_chunked_body_is_cut_at_the_limit_and_nothing_is_recorded(
    serve: Serve, waiting: Waiting
) -> None:
    site = serve(with_limit(waiting.app, 1000))

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked, counted as it comes
        yield (ANSWER + "&padding=").encode()
        yield b"x" * 600
        yield b"x" * 600

    response = httpx.post(answer_url(site, waiting.token), content=chunks(), headers=FORM)
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["detail"]
    assert security_headers(response) == SECURITY
    assert recorded_answers(waiting.app) == []


def test_a_body_within_the_limit_is_answered_as_before(serve: Serve, waiting: Waiting) -> None:
    site = serve(with_limit(waiting.app, len(ANSWER)))
    response = httpx.post(answer_url(site, waiting.token), content=ANSWER, headers=FORM)
    assert response.status_code == 200
    assert recorded_answers(waiting.app) == ["attending_regularly"]


# Path segments as a crafted link may carry them, already percent-encoded for the URL.
ANY_TEXT = st.text(max_size=200).map(lambda text: quote(text, safe=""))
NEAR_THE_ALPHABET = st.text(alphabet="AZaz09-_.=+/%~", max_size=200)
PERCENT_ENCODED = st.binary(max_size=60).map(lambda raw: "".join(f"%{byte:02X}" for byte in raw))
DOTS = st.lists(
    st.sampled_from([".", "..", "%2e", "%2E%2E", "%2F", "%00", "%FF", "%C0%AE", "é", "A"]),
    max_size=12,
).map("".join)
VERY_LONG = st.tuples(st.integers(1000, 60000), st.sampled_from(["A", "A.", "%41", "ж"])).map(
    lambda n_piece: quote(n_piece[1] * (n_piece[0] // len(n_piece[1]) // 6), safe="%.")
)
SEGMENTS = st.one_of(ANY_TEXT, NEAR_THE_ALPHABET, PERCENT_ENCODED, DOTS, VERY_LONG)


def test_a_crafted_token_never_gives_a_server_error(waiting: Waiting) -> None:
    # TestClient raises what the app raises: a crash fails here with its traceback.
    client = TestClient(create_app(waiting.app))

    @settings(max_examples=300, deadline=None)
    @given(segment=SEGMENTS, lang=st.text(max_size=20), body=st.binary(max_size=200))
    def never_a_server_error(segment: str, lang: str, body: bytes) -> None:
        url = f"/answer/{segment}?lang={quote(lang, safe='')}"
        for answered in (client.get(url), client.post(url, content=body)):
            # Dots may lead out of /answer/ (to / and the login page): anything but a crash;
            # within /answer/, a crafted link is an unknown one.
            assert answered.status_code < 500
            assert answered.status_code == 404 or not answered.url.path.startswith("/answer/")

    never_a_server_error()
    assert recorded_answers(waiting.app) == []


def test_a_token_signed_with_the_secret_but_unreadable_is_an_invalid_link(waiting: Waiting) -> None:
    client = TestClient(create_app(waiting.app))
    secret = waiting.app.settings.secret_key.encode()

    @settings(max_examples=200, deadline=None)
    @given(claim=st.one_of(
        st.binary(max_size=40),
        st.tuples(st.text(max_size=10), st.text(max_size=25)).map(lambda p: f"{p[0]}.{p[1]}".encode()),
        st.integers(-(10**30), 10**30).map(lambda expiry: f"unknown.{expiry}".encode()),
    ))  # fmt: skip
    def an_invalid_or_expired_link(claim: bytes) -> None:
        response = client.get(f"/answer/{signed(claim, secret)}")
        assert response.status_code in (404, 410)

    an_invalid_or_expired_link()


def signed(claim: bytes, secret: bytes) -> str:
    mac = hmac.new(secret, claim, hashlib.sha256).digest()
    return ".".join(base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in (claim, mac))


def test_a_locked_database_answers_503_try_again_and_records_nothing(
    serve: Serve, waiting: Waiting
) -> None:
    # Waits 0.2 s for the lock instead of 30, so that the test does not take 30 s.
    settings = Settings(database_url=str(waiting.app.engine.url), busy_timeout_seconds=0.2)
    site = serve(bootstrap(settings, clock=lambda: ANSWERED))
    link = answer_url(site, waiting.token)
    with write_lock_held(str(waiting.app.engine.url.database)):
        page = httpx.post(link, content=ANSWER, headers=FORM)
        problem = httpx.get(link, headers={"accept": "application/json"})
    assert (page.status_code, page.headers["retry-after"]) == (503, "5")
    assert "Система занята" in page.text and "try again" in page.text
    assert security_headers(page) == SECURITY
    assert (problem.status_code, problem.headers["content-type"]) == (
        503,
        "application/problem+json",
    )
    assert problem.json()["status"] == 503 and "busy" in problem.json()["detail"]
    assert recorded_answers(waiting.app) == []
    # Once the other writer lets go, the same link works.
    retried = httpx.post(link, content=ANSWER, headers=FORM)
    assert retried.status_code == 200
    assert recorded_answers(waiting.app) == ["attending_regularly"]
