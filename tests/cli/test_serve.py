"""`clms serve` and `clms scheduler` started as their user starts them: a real process on a
free port of 127.0.0.1, a real SQLite file. They say where they serve, and refuse to run
with the secrets every copy ships with unless development mode is asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.servers import accepts_connections, free_port, wait_until

CLMS = str(Path(sys.executable).with_name("clms"))
SECRETS = ("CLMS_SECRET_KEY", "CLMS_WEBHOOK_SECRET")
SET_SECRETS = {"CLMS_SECRET_KEY": "k3y-from-the-vault", "CLMS_WEBHOOK_SECRET": "w3bh00k-vault"}


@dataclass(frozen=True)
class Served:
    """What `clms serve` printed, and what its page answered while it ran."""

    stdout: str
    stderr: str
    health: str


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised database, shared: the tests only serve it, one process at a time."""
    folder = tmp_path_factory.mktemp("served")
    env = {**os.environ, "CLMS_DATABASE_URL": f"sqlite:///{folder}/clms.db"}
    subprocess.run([CLMS, "init"], env=env, check=True, capture_output=True, timeout=120)
    return folder


@pytest.fixture
def env(folder: Path) -> dict[str, str]:
    """That database, and no secret set (whatever the caller's environment has)."""
    env = {name: value for name, value in os.environ.items() if name not in SECRETS}
    return env | {
        "CLMS_DATABASE_URL": f"sqlite:///{folder}/clms.db",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


def serve(env: dict[str, str], port: int, *options: str) -> Served:
    """Starts `clms serve` on `port`, asks its health page, stops it."""
    server = subprocess.Popen(
        [CLMS, "serve", "--port", str(port), *options],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until(
            lambda: accepts_connections(port) or server.poll() is not None,
            f"clms serve does not listen on {port}",
            60,
        )
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).text
    except (AssertionError, httpx.TransportError):
        server.kill()
        raise AssertionError(f"clms serve did not answer: {server.communicate()}") from None
    server.terminate()
    stdout, stderr = server.communicate(timeout=30)
    return Served(stdout, stderr, health)


def test_serve_in_development_mode_says_where_it_serves_that_secrets_are_public_and_answers(
    env: dict[str, str],
) -> None:
    port = free_port()
    served = serve(env | {"CLMS_PUBLIC_URL": "https://clms.example.kz"}, port, "--dev")
    assert served.health == "ok"
    assert served.stdout.splitlines()[:2] == [
        f"serving the answer pages on http://127.0.0.1:{port}",
        "links in messages point to https://clms.example.kz (CLMS_PUBLIC_URL), not to "
        f"http://127.0.0.1:{port}: it must reach this server",
    ]
    assert served.stderr.startswith(
        "warning: development mode: CLMS_SECRET_KEY and CLMS_WEBHOOK_SECRET are the shipped "
        "defaults, which anyone can read"
    )


def test_serve_with_its_secrets_set_starts_without_dev_and_warns_of_nothing(
    env: dict[str, str],
) -> None:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}/"
    served = serve(env | SET_SECRETS | {"CLMS_PUBLIC_URL": public_url}, port)
    assert served.health == "ok"
    assert f"links in messages point here ({public_url}, CLMS_PUBLIC_URL)" in served.stdout
    assert "warning" not in served.stderr


@pytest.mark.parametrize(
    ("secrets", "public"),
    [
        ({}, ["CLMS_SECRET_KEY", "CLMS_WEBHOOK_SECRET"]),
        ({"CLMS_SECRET_KEY": "k3y-from-the-vault"}, ["CLMS_WEBHOOK_SECRET"]),
        # The shipped value set on purpose (or kept in a copied config/) is no better.
        (SET_SECRETS | {"CLMS_SECRET_KEY": "development-only-secret"}, ["CLMS_SECRET_KEY"]),
        (SET_SECRETS | {"CLMS_WEBHOOK_SECRET": " "}, ["CLMS_WEBHOOK_SECRET"]),
    ],
    ids=["none set", "one set", "the default set", "blank"],
)
def test_serve_refuses_the_public_secrets_naming_them_without_dev(
    env: dict[str, str], secrets: dict[str, str], public: list[str]
) -> None:
    port = free_port()
    done = subprocess.run(
        [CLMS, "serve", "--port", str(port)],
        env=env | secrets, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    named = done.stderr.split(":")[1]
    assert [name for name in SECRETS if name in named] == public
    assert "pass --dev for development only" in done.stderr
    assert done.stdout == "" and not accepts_connections(port)


def test_the_scheduler_refuses_the_public_secrets_and_runs_with_dev(
    env: dict[str, str], folder: Path
) -> None:
    refused = subprocess.run(
        [CLMS, "scheduler"], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "error: CLMS_SECRET_KEY and CLMS_WEBHOOK_SECRET are the shipped defaults"
    )
    assert refused.stdout == ""  # the schedule did not run

    running = subprocess.Popen(
        [CLMS, "scheduler", "--dev"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert running.stdout is not None
        said = running.stdout.readline()  # printed once the schedule is this process's
        assert (folder / "scheduler.lock").read_text().strip() == str(running.pid)
    finally:
        running.terminate()
        _, stderr = running.communicate(timeout=30)
    assert said.startswith("schedule running: check 0 2 * * *")
    assert stderr.startswith("warning: development mode: CLMS_SECRET_KEY and CLMS_WEBHOOK_SECRET")
