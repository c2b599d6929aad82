"""Each import remembered as a batch: its records shown together, undone as one step.

An import writes, in its own transaction, a batch naming every record it created or
updated (with an updated record's row as it was before) and every relation it drew.
The batch lives on this laptop only (never synced). Undoing it tombstones what it
created and puts back what it changed, with a fresh ``updated_at``: for sync, an undo is
a new edit (``store/undo.py`` does the same for the last actions).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _
from companion.store import Store
from companion.store.records import new_id, now_iso

log = logging.getLogger(__name__)

# A record's columns an undo leaves alone: its identity, its local row number, its birth.
_KEPT_COLUMNS = {"seq", "id", "created_at", "owner"}
TABLES = ("actors", "people", "affiliations", "relations", "zones")  # what an import writes
RESTORED = ("actors", "people")  # what it may update (the others it only creates)


class BatchGone(CompanionError):
    """The batch is unknown, or already undone."""


@dataclass(frozen=True)
class ImportBatch:
    id: str
    source: str  # the file's name (not its folder)
    created_at: str
    created: int
    updated: int
    relations: int
    undone_at: str | None

    @property
    def records(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class UndoneBatch:
    removed: int  # records the import had created, now tombstoned
    restored: int  # records it had updated, back as they were
    relations: int  # relations it had drawn, tombstoned
    changed_since: int  # of these, records edited after the import (their edits are undone too)


def previous_rows(store: Store, ids: Iterable[str], table: str = "actors") -> dict[str, str]:
    """The records' rows as they are now (JSON), before an import updates them."""
    assert table in RESTORED
    found: dict[str, str] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        cursor = store.conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", chunk)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            values = dict(zip(names, row, strict=True))
            found[values["id"]] = json.dumps(values, ensure_ascii=False)
    return found


def record_batch(
    store: Store,
    source: Path,
    created: Iterable[str],
    updated: dict[str, str],
    relations: Iterable[str] = (),
    table: str = "actors",
    also_created: Iterable[tuple[str, str]] = (),
) -> str:
    """Remember what an import wrote (inside its transaction); return the batch's id.
    ``created``/``updated`` are records of ``table`` (actors, or people for a contacts
    file), ``updated`` their rows before the import (``previous_rows``); ``also_created``:
    (table, id) of what came along (a contact's new organisation, its affiliation)."""
    batch_id = new_id()
    created, relations = list(dict.fromkeys(created)), list(relations)
    store.conn.execute(
        "INSERT INTO import_batches (id, source, created_at, created, updated, relations) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (batch_id, Path(source).name, now_iso(), len(created), len(updated), len(relations)),
    )
    rows = [(batch_id, table, record_id, None) for record_id in created]
    rows += [(batch_id, table, record_id, row) for record_id, row in updated.items()]
    rows += [(batch_id, "relations", relation_id, None) for relation_id in relations]
    rows += [(batch_id, kind, record_id, None) for kind, record_id in also_created]
    rows.sort()  # in key order: 100,000 rows append to the B-tree instead of landing anywhere
    store.conn.executemany(
        "INSERT OR IGNORE INTO import_batch_records (batch_id, tbl, record_id, previous) "
        "VALUES (?, ?, ?, ?)",
        rows,
    )
    return batch_id


def list_batches(conn: sqlite3.Connection, limit: int = 50) -> list[ImportBatch]:
    """The latest imports, newest first."""
    rows = conn.execute(
        "SELECT id, source, created_at, created, updated, relations, undone_at "
        "FROM import_batches ORDER BY created_at DESC, rowid DESC LIMIT ?",
        (limit,),
    )
    return [ImportBatch(*row) for row in rows]


def get_batch(conn: sqlite3.Connection, batch_id: str) -> ImportBatch | None:
    row = conn.execute(
        "SELECT id, source, created_at, created, updated, relations, undone_at "
        "FROM import_batches WHERE id = ?",
        (batch_id,),
    ).fetchone()
    return ImportBatch(*row) if row else None


def batch_actor_ids(conn: sqlite3.Connection, batch_id: str, table: str = "actors") -> list[str]:
    """The batch's actors (or people) still in the directory."""
    assert table in RESTORED
    rows = conn.execute(
        f"SELECT r.record_id FROM import_batch_records r JOIN {table} t ON t.id = r.record_id "
        "WHERE r.batch_id = ? AND r.tbl = ? AND t.deleted = 0",
        (batch_id, table),
    )
    return [row[0] for row in rows]


def changed_since(conn: sqlite3.Connection, batch: ImportBatch) -> int:
    """The batch's records edited after the import (an undo takes their edits back too)."""
    sql = (
        "SELECT count(*) FROM import_batch_records r JOIN {tbl} t ON t.id = r.record_id "
        "WHERE r.batch_id = ? AND r.tbl = '{tbl}' AND t.deleted = 0 AND t.updated_at > ?"
    )
    return sum(
        conn.execute(sql.format(tbl=tbl), (batch.id, batch.created_at)).fetchone()[0]
        for tbl in TABLES
    )


def undo_batch(store: Store, batch_id: str) -> UndoneBatch:
    """Take an import back in one transaction: its new records tombstoned, the records
    it updated as they were before it. Raises ``BatchGone`` if unknown or already undone."""
    batch = get_batch(store.conn, batch_id)
    if batch is None or batch.undone_at is not None:
        raise BatchGone(_("Cet import a déjà été annulé, ou n'existe plus."))
    now = now_iso()
    edited = changed_since(store.conn, batch)
    with store.db.atomic():
        removed = _tombstone(store, batch_id, "actors", now)
        removed += _tombstone(store, batch_id, "people", now)
        _tombstone(store, batch_id, "affiliations", now)
        _tombstone(store, batch_id, "zones", now)
        relations = _tombstone(store, batch_id, "relations", now)
        restored = sum(_restore(store, batch_id, table, now) for table in RESTORED)
        store.conn.execute("UPDATE import_batches SET undone_at = ? WHERE id = ?", (now, batch_id))
    log.info("import batch %s undone: %d removed, %d restored", batch_id, removed, restored)
    return UndoneBatch(removed, restored, relations, edited)


def _tombstone(store: Store, batch_id: str, tbl: str, now: str) -> int:
    cursor = store.conn.execute(
        f"UPDATE {tbl} SET deleted = 1, updated_at = ? WHERE deleted = 0 AND id IN ("
        "SELECT record_id FROM import_batch_records "
        "WHERE batch_id = ? AND tbl = ? AND previous IS NULL)",
        (now, batch_id, tbl),
    )
    return cursor.rowcount


def _restore(store: Store, batch_id: str, table: str, now: str) -> int:
    columns = {row[1] for row in store.conn.execute(f"PRAGMA table_info({table})")}
    restored = 0
    rows = store.conn.execute(
        "SELECT record_id, previous FROM import_batch_records "
        "WHERE batch_id = ? AND tbl = ? AND previous IS NOT NULL",
        (batch_id, table),
    ).fetchall()
    for record_id, previous in rows:
        values = {
            key: value
            for key, value in json.loads(previous).items()
            if key in columns and key not in _KEPT_COLUMNS
        }
        values["updated_at"] = now
        assignments = ", ".join(f"{key} = :{key}" for key in values)
        cursor = store.conn.execute(
            f"UPDATE {table} SET {assignments} WHERE id = :id AND deleted = 0",
            {**values, "id": record_id},
        )
        restored += cursor.rowcount
    return restored
