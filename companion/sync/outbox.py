"""The push side: the outbox read as protocol changes, in batches, and acknowledged.

Values are read from the records when a batch is built; each field goes with the
stamp of its current value. A batch leaves the outbox only once the hub answered
it, and only the rows not touched meanwhile (a field edited during the push is
queued again with a new stamp and goes in the next batch).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from companion.sync import capture, state

if TYPE_CHECKING:  # the protocol's dataclasses cost start-up (the app reads pending())
    from companion.protocol.messages import Change

SYNCED_FIELDS = capture.CAPTURED_FIELDS  # == protocol.SYNCED_FIELDS (tests check)
LINK_FIELDS = capture.LINK_FIELD  # == protocol.LINK_FIELDS
MAX_BATCH_CHANGES = 5_000  # protocol.MAX_BATCH_CHANGES

EXACT_UNSEEN = 2_000  # new rows of a table counted one by one in pending()
CHANGE_OVERHEAD = 120  # bytes of JSON around a change's id, value and stamp


class Batch:
    """Changes to send together, and the outbox rows ``(n, hlc)`` they come from."""

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.rows: list[tuple[int, str]] = []
        self.size = 0  # bytes of JSON, about

    def sent(self, table: str, record_id: str, name: str) -> Change | None:
        for change in self.changes:
            if (change.table, change.id, change.field) == (table, record_id, name):
                return change
        return None


def prepare(conn: sqlite3.Connection) -> None:
    """Inside a transaction: queue what no trigger saw and stamp what waits for a stamp."""
    capture.queue_unseen(conn, SYNCED_FIELDS)
    if conn.execute("SELECT 1 FROM sync_outbox WHERE hlc IS NULL LIMIT 1").fetchone():
        capture.stamp_pending(conn, state.tick(conn))
        # A whole record's row sends every field: rows of single fields of it (its tags,
        # linked right after the insert) would only split it between batches.
        conn.execute(
            "DELETE FROM sync_outbox WHERE field <> '*' AND (tbl, id) IN "
            "(SELECT tbl, id FROM sync_outbox WHERE field = '*')"
        )


def pending(conn: sqlite3.Connection) -> int:
    """Outbox rows, plus the network records created since the last sync (read only).

    Cheap enough for a status bar: past ``EXACT_UNSEEN`` new rows in a table (a
    database never synced), its new rows are counted without checking which are
    private.
    """
    count = int(conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])
    for table in SYNCED_FIELDS:
        seen = int(state.get(conn, capture.SEEN + table, "0") or 0)
        top = conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()[0]
        if top - seen > EXACT_UNSEEN:
            count += top - seen
        elif top > seen:
            count += conn.execute(
                f"SELECT count(*) FROM {table} WHERE seq > ? AND visibility = 'network'", (seen,)
            ).fetchone()[0]
    return count


def next_batch(
    conn: sqlite3.Connection,
    after: int = 0,
    max_changes: int = MAX_BATCH_CHANGES,
    max_bytes: int = 4 * 1024 * 1024,
) -> tuple[Batch, int]:
    """The outbox rows after row ``after`` as changes, up to the limits; and the last row read.

    A whole record's row is never split between batches.
    """
    batch = Batch()
    seen: set[tuple[str, str, str]] = set()
    last = after
    rows = conn.execute(
        "SELECT n, tbl, id, field, hlc, base FROM sync_outbox WHERE n > ? AND hlc IS NOT NULL "
        "ORDER BY n LIMIT ?",
        (after, max_changes),
    ).fetchall()
    for n, table, record_id, name, stamp, base in rows:
        changes = [
            change
            for change in record_changes(conn, table, record_id, name, base)
            if (change.table, change.id, change.field) not in seen
        ]
        size = sum(_size(change) for change in changes)
        if batch.rows and (
            len(batch.changes) + len(changes) > max_changes or batch.size + size > max_bytes
        ):
            break
        batch.changes.extend(changes)
        batch.rows.append((n, stamp))
        batch.size += size
        seen.update((c.table, c.id, c.field) for c in changes)
        last = n
    return batch, last


def _size(change: Change) -> int:
    import json

    return CHANGE_OVERHEAD + len(change.id) + len(change.hlc) + len(json.dumps(change.value))


def record_changes(
    conn: sqlite3.Connection, table: str, record_id: str, name: str, base: str | None = None
) -> list[Change]:
    """The changes an outbox row stands for (``'*'``: every field) as they are now,
    a single field's with ``base``, the stamp it had before the edit.

    A private record sends only its visibility (and only if it was ever stamped,
    so a record the hub never saw stays unknown to it); a field without a stamp
    (never written by a sync or a capture) is not sent.
    """
    from companion.protocol.messages import Change

    if table not in SYNCED_FIELDS:
        return []
    cursor = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    row = cursor.fetchone()
    if row is None:
        return []
    record = dict(zip([c[0] for c in cursor.description], row, strict=True))
    clocks = dict(
        conn.execute(
            "SELECT field, hlc FROM sync_field_clocks WHERE tbl = ? AND id = ?",
            (table, record_id),
        ).fetchall()
    )
    link = LINK_FIELDS.get(table)
    names = [*SYNCED_FIELDS[table], *([link] if link else [])] if name == "*" else [name]
    if record["visibility"] == "private":
        if not set(clocks) - {"visibility"}:  # never shared: the hub never heard of it
            return []
        names = [n for n in names if n == "visibility"]
    changes = []
    for field_name in names:
        stamp = max(
            (s for s in (clocks.get(field_name), clocks.get("*")) if s is not None), default=None
        )
        if stamp is None:
            continue
        value = link_value(conn, table, record_id) if field_name == link else record[field_name]
        changes.append(Change(table, record_id, field_name, value, stamp, base=base))
    return changes


def link_value(conn: sqlite3.Connection, table: str, record_id: str) -> list[str]:
    """An actor's tags as they travel: the sorted ids of its tags."""
    link_table, column = capture.LINK_TABLES[table]
    other = "tag_id"
    return [
        row[0]
        for row in conn.execute(
            f"SELECT {other} FROM {link_table} WHERE {column} = ? ORDER BY {other}", (record_id,)
        )
    ]


def acknowledge(conn: sqlite3.Connection, batch: Batch) -> None:
    """Inside a transaction: drop the rows the hub answered, unless edited since."""
    conn.executemany("DELETE FROM sync_outbox WHERE n = ? AND hlc = ?", batch.rows)


def requeue_owned(conn: sqlite3.Connection, member_id: str) -> int:
    """Inside a transaction: queue again every network record this member owns, and
    every field this laptop stamped (the hub lost them: a new epoch). Return the count."""
    stamp = state.tick(conn)  # only the rows' version for acknowledge(): fields keep theirs
    rows = "SELECT count(*) FROM sync_outbox"
    before = conn.execute(rows).fetchone()[0]
    for table in SYNCED_FIELDS:
        conn.execute(
            f"INSERT INTO sync_outbox (tbl, id, field, hlc) SELECT '{table}', id, '*', ? "
            f"FROM {table} WHERE owner = ? AND visibility = 'network'",
            (stamp, member_id),
        )
    conn.execute(
        "INSERT INTO sync_outbox (tbl, id, field, hlc) "
        "SELECT tbl, id, field, hlc FROM sync_field_clocks "
        f"WHERE field <> '*' AND substr(hlc, {capture.SITE_START}) = ? "
        "ON CONFLICT (tbl, id, field) WHERE field <> '*' DO NOTHING",
        (state.site(conn),),
    )
    return int(conn.execute(rows).fetchone()[0] - before)
