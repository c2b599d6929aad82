"""Records erased on this laptop, until the hub has heard of it (docs/SYNC.md, "Erasure").

``app/erasure.erase_person`` blanks a person, its affiliations and its
exchanges with nobody else; the blanks travel like any edit. The hub also keeps
copies of the old values (push answers it remembers, a later edit from another
laptop), so the erased records are remembered here, as a JSON list in
``sync_state['erased']``, and named to the hub in an erasure notice once the
outbox is pushed (``SyncClient``); the list empties when the hub answered it.
Meanwhile, values of these records that the hub's answers bring back are not
kept as conflicts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from companion.sync import state


def pending(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The records erased here that the hub has not been told about, oldest first."""
    try:
        records = json.loads(state.get(conn, state.ERASED) or "[]")
        return [(str(table), str(record_id)) for table, record_id in records]
    except (ValueError, TypeError):
        return []


def remember(conn: sqlite3.Connection, records: Iterable[tuple[str, str]]) -> None:
    """Inside a transaction: add ``records`` to those to tell the hub about."""
    known = pending(conn)
    seen = set(known)
    for record in records:
        if record not in seen:
            known.append(record)
            seen.add(record)
    state.put(conn, state.ERASED, json.dumps(known))


def forget(conn: sqlite3.Connection, records: Iterable[tuple[str, str]]) -> None:
    """Inside a transaction: the hub has been told about ``records``."""
    told = set(records)
    left = [record for record in pending(conn) if record not in told]
    state.put(conn, state.ERASED, json.dumps(left) if left else None)
