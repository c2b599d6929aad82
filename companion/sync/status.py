"""What the sync's status shows, as the store has it: read in a few cheap queries."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from companion.sync import outbox, state


class StoredStatus(NamedTuple):  # a NamedTuple: a third of a frozen dataclass's import cost
    hub_url: str | None
    last_sync: str | None  # ISO UTC
    last_error: str | None  # the last sync's, as saved
    pending: int  # outbox rows
    conflicts: int  # unresolved


def stored_status(conn: sqlite3.Connection) -> StoredStatus:
    values = dict(
        conn.execute(
            "SELECT key, value FROM sync_state WHERE key IN (?, ?, ?)",
            (state.HUB_URL, state.LAST_SYNC, state.LAST_ERROR),
        ).fetchall()
    )
    unresolved = conn.execute("SELECT count(*) FROM sync_conflicts WHERE resolved = 0")
    return StoredStatus(
        hub_url=values.get(state.HUB_URL),
        last_sync=values.get(state.LAST_SYNC),
        last_error=values.get(state.LAST_ERROR),
        pending=outbox.pending(conn),
        conflicts=int(unresolved.fetchone()[0]),
    )
