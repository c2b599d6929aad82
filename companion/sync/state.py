"""The client's sync state (table ``sync_state``): site, clock, hub, epoch, cursor, outcome."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when used: the app's start-up reads this module
    from companion.protocol.hlc import Clock

SITE = "site"
CLOCK = "clock"
OFFSET = "offset_ms"
CURSOR = "cursor"
EPOCH = "epoch"
HUB_URL = "hub_url"
MEMBER = "member"  # the hub's id of this laptop's member, once a hub told it
LAST_SYNC = "last_sync"
LAST_ERROR = "last_error"
ERASED = "erased"  # records erased here, until the hub has heard of it (sync/erasure.py)


def get(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return default if row is None or row[0] is None else str(row[0])


def put(conn: sqlite3.Connection, key: str, value: str | int | None) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, None if value is None else str(value)),
    )


def site(conn: sqlite3.Connection) -> str:
    return get(conn, SITE) or ""


def cursor(conn: sqlite3.Connection) -> int:
    return int(get(conn, CURSOR, "0") or 0)


def load_clock(conn: sqlite3.Connection) -> Clock:
    """This laptop's clock as the triggers left it (read it inside the writing transaction)."""
    from companion.protocol.hlc import Clock, Timestamp

    last = Timestamp.parse(get(conn, CLOCK) or "")
    return Clock(last.site, int(get(conn, OFFSET, "0") or 0), last)


def save_clock(conn: sqlite3.Connection, clock: Clock) -> None:
    put(conn, CLOCK, str(clock.last))


def tick(conn: sqlite3.Connection) -> str:
    """A new stamp, saved (inside a transaction)."""
    clock = load_clock(conn)
    stamp = str(clock.now())
    save_clock(conn, clock)
    return stamp
