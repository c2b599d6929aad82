"""Losing values and refused changes, kept for the user (nothing is dropped silently).

A conflict is a field this laptop had changed when a later edit from elsewhere
won: the local value and stamp are kept beside the winner's, and
:func:`restore_conflict` puts the local value back as a new edit (a new stamp,
so it wins in turn and travels). A rejection is a change the hub refused
(another member's record, a stamp from a wrong clock...).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError
from companion.i18n import _
from companion.store.records import now_iso
from companion.sync.writes import write_fields

if TYPE_CHECKING:
    from companion.store import Store


# Stored before the reason of a change this laptop refused on receipt (sync_rejected.reason).
RECEIVED = "received:"


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    record_id: str
    field: str
    local_value: Any
    local_hlc: str
    remote_value: Any
    remote_hlc: str
    detected_at: str
    resolved: bool


@dataclass(frozen=True)
class RejectedChange:
    table: str
    record_id: str
    field: str
    reason: str  # "forbidden", "drift", "invalid", "malformed", "private"
    at: str
    value: Any = None  # the refused value, when this laptop sent it
    received: bool = False  # refused here, on receipt from the hub (not by the hub)


def record_conflict(
    conn: sqlite3.Connection,
    table: str,
    record_id: str,
    field: str,
    local: tuple[Any, str],
    remote: tuple[Any, str],
) -> None:
    """Keep a losing local value (value, stamp) beside the winner (value, stamp)."""
    conn.execute(
        "INSERT INTO sync_conflicts (tbl, record_id, field, local_value, local_hlc, "
        "remote_value, remote_hlc, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            table,
            record_id,
            field,
            json.dumps(local[0], ensure_ascii=False),
            local[1],
            json.dumps(remote[0], ensure_ascii=False),
            remote[1],
            now_iso(),
        ),
    )


def record_rejection(
    conn: sqlite3.Connection,
    table: str,
    record_id: str,
    field: str,
    reason: str,
    value: Any = None,
    received: bool = False,
) -> None:
    """Keep a refused change, with the value this laptop sent (None when it came from
    elsewhere); ``received``: this laptop refused it as it came from the hub."""
    stored = RECEIVED + reason if received else reason
    conn.execute(
        "INSERT INTO sync_rejected (tbl, record_id, field, reason, at, value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (table, record_id, field, stored, now_iso(), json.dumps(value, ensure_ascii=False)),
    )


def conflicts(store: Store, include_resolved: bool = False) -> list[Conflict]:
    """The conflicts to show, newest first."""
    where = "" if include_resolved else "WHERE resolved = 0"
    rows = store.conn.execute(
        "SELECT id, tbl, record_id, field, local_value, local_hlc, remote_value, remote_hlc, "
        f"detected_at, resolved FROM sync_conflicts {where} ORDER BY id DESC"
    ).fetchall()
    return [_conflict(row) for row in rows]


def _conflict(row: tuple) -> Conflict:
    return Conflict(
        row[0], row[1], row[2], row[3], json.loads(row[4]), row[5],
        json.loads(row[6]), row[7], row[8], bool(row[9]),
    )  # fmt: skip


def rejected(store: Store) -> list[RejectedChange]:
    """The changes the hub refused, and those refused here as they came, newest first."""
    rows = store.conn.execute(
        "SELECT tbl, record_id, field, reason, at, value FROM sync_rejected ORDER BY n DESC"
    ).fetchall()
    return [
        RejectedChange(
            table, record_id, field, reason.removeprefix(RECEIVED), at,
            json.loads(value) if value else None, reason.startswith(RECEIVED),
        )
        for table, record_id, field, reason, at, value in rows
    ]  # fmt: skip


def restore_conflict(store: Store, conflict_id: int) -> None:
    """Put a conflict's losing local value back, as a new local edit (one undo step)."""
    row = store.conn.execute(
        "SELECT id, tbl, record_id, field, local_value, local_hlc, remote_value, remote_hlc, "
        "detected_at, resolved FROM sync_conflicts WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None:
        raise CompanionError(_("Conflit introuvable : {id}").format(id=conflict_id))
    conflict = _conflict(row)
    with store.undoable(_("Rétablir une valeur écrasée par la synchronisation")):
        write_fields(  # the same writes as a pulled change
            store.conn, conflict.table, conflict.record_id, {conflict.field: conflict.local_value}
        )
        store.conn.execute("UPDATE sync_conflicts SET resolved = 1 WHERE id = ?", (conflict_id,))


def dismiss_conflict(store: Store, conflict_id: int) -> None:
    """Keep the winning value: the conflict leaves the list."""
    with store.db.atomic():
        store.conn.execute("UPDATE sync_conflicts SET resolved = 1 WHERE id = ?", (conflict_id,))


def forget_records(conn: sqlite3.Connection, table: str, record_ids: list[str]) -> None:
    """Inside a transaction: drop the conflicts and refusals of these records (an RGPD
    erasure must not leave the erased values behind in losing or refused values)."""
    keys = [(table, record_id) for record_id in record_ids]
    conn.executemany("DELETE FROM sync_conflicts WHERE tbl = ? AND record_id = ?", keys)
    conn.executemany("DELETE FROM sync_rejected WHERE tbl = ? AND record_id = ?", keys)
