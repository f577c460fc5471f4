"""Real servers for the tests, on 127.0.0.1 only: an ASGI app run by uvicorn in a thread
of the test process, and the waiting that goes with starting one."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn


def wait_until(condition: Callable[[], bool], failure: str, seconds: float = 10.0) -> None:
    """Polls `condition`; an AssertionError saying `failure` when it stays false too long."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.005)


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now, for a server started in another process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


class ThreadedServer:
    """`start()` serves `app` on a free port (or on a socket the test bound itself) and
    returns the port once it accepts connections; `stop()` waits for the thread to end."""

    def __init__(self, app: Any, sock: socket.socket | None = None, **config: Any) -> None:
        options = {"log_level": "warning", "lifespan": "off", **config}
        if sock is None:
            options |= {"host": "127.0.0.1", "port": 0}
        self.server = uvicorn.Server(uvicorn.Config(app, **options))
        self.sock = sock
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> int:
        self.thread.start()
        wait_until(
            lambda: self.server.started or not self.thread.is_alive(), "uvicorn did not start"
        )
        assert self.server.started, "uvicorn stopped while starting"
        port = int(self.server.servers[0].sockets[0].getsockname()[1])
        wait_until(lambda: accepts_connections(port), f"nothing accepts connections on port {port}")
        return port

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "uvicorn did not stop"

    def _run(self) -> None:
        self.server.run(sockets=[self.sock] if self.sock else None)
