"""Another process's writer, as SQLite sees it, for the tests of a busy database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


@contextmanager
def write_lock_held(path: Path | str) -> Iterator[None]:
    """A second connection inside BEGIN IMMEDIATE: it holds the write lock until the block
    ends, as a long write in another process would."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
