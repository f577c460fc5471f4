"""An SMS gateway on 127.0.0.1 (uvicorn in a thread of the test process) that records
every message it is sent, and answers none until the test opens its gate: a delivery that
has started waits in it, for as long as the test needs to look at it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.servers import ThreadedServer


@dataclass
class Gateway:
    gate: threading.Event = field(default_factory=threading.Event)
    first_hit: threading.Event = field(default_factory=threading.Event)
    _keys: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def sms(self, request: Request) -> Response:
        await request.body()
        with self._lock:
            self._keys.append(request.headers["Idempotency-Key"])
        self.first_hit.set()
        while not self.gate.is_set():
            await asyncio.sleep(0.01)
        return JSONResponse({"id": "ok"})

    def keys(self) -> list[str]:
        """The idempotency key of every message received, in order, repeats included."""
        with self._lock:
            return list(self._keys)


@contextmanager
def sms_gateway() -> Iterator[tuple[Gateway, str]]:
    """The gateway and its URL (CLMS_SMS_URL); its gate opens when the block ends."""
    gateway = Gateway()
    server = ThreadedServer(Starlette(routes=[Route("/sms", gateway.sms, methods=["POST"])]))
    port = server.start()
    try:
        yield gateway, f"http://127.0.0.1:{port}/sms"
    finally:
        gateway.gate.set()
        server.stop()
