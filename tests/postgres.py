"""A throw-away PostgreSQL server for the tests, from Debian's postgresql package.

It listens only on a Unix socket in a temporary folder. As root (CI), the server runs as
the `postgres` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORT = 54329


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextmanager
def temporary_server() -> Iterator[str]:
    """Yields a libpq-style host folder; the server is stopped and removed afterwards."""
    binaries = server_binaries()
    assert binaries is not None, "PostgreSQL server binaries not found"
    folder = Path(tempfile.mkdtemp(prefix="clms-pg-"))
    data = folder / "data"
    _as_server_user(folder)
    _run(binaries / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync")
    options = f"-k {folder} -p {PORT} -c listen_addresses='' -c fsync=off"
    _run(binaries / "pg_ctl", "-D", data, "-o", options, "-w", "-l", folder / "log", "start")
    try:
        yield str(folder)
    finally:
        _run(binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def create_database(host: str, name: str) -> str:
    import psycopg

    with psycopg.connect(
        host=host, port=PORT, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@/{name}?host={host}&port={PORT}"


def _as_server_user(folder: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")


def _run(*command: object) -> None:
    words = [str(word) for word in command]
    if os.geteuid() == 0:
        words = ["runuser", "-u", "postgres", "--", *words]
    subprocess.run(words, check=True, capture_output=True, timeout=120)
