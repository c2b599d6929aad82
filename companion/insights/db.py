"""Small SQL helpers shared by the insights: one consistent read, lists as JSON parameters."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Read everything from one state of the database (WAL: writers are not blocked).

    Inside a caller's transaction the reads simply join it.
    """
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def json_list(values: Iterable[object]) -> str:
    """A list bound as one parameter, read with ``IN (SELECT value FROM json_each(?))``.

    No temporary table to write, and no limit on the number of SQL variables.
    """
    return json.dumps(list(values))


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None
