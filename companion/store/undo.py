"""Undo for the directory: a journal of the rows each user action changed.

While an action runs inside ``UndoJournal.record(label)``, temporary triggers
copy every inserted row, and the previous state of every updated or deleted
row, into a temporary log (the temp schema lives and dies with the connection,
so the journal never reaches the file or the hub). Undoing replays the log
backwards: updated rows get their old values back, deleted rows come back, and
inserted records become tombstones (deletions sync; nothing is hard-deleted).
The triggers exist only while an action records, so imports pay nothing.

Every restored record gets a fresh ``updated_at``: for sync, an undo is a new
edit, not a trip back in time that an older timestamp would lose.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from companion.store.records import now_iso

# Tables whose rows a user action may change, and the column naming a row.
JOURNALED_TABLES: dict[str, tuple[str, ...]] = {
    "actors": ("id",),
    "people": ("id",),
    "affiliations": ("id",),
    "relations": ("id",),
    "interactions": ("id",),
    "tags": ("id",),
    "actor_tags": ("actor_id", "tag_id"),
    "map_views": ("id",),
    "catalyst_profiles": ("id",),
    "zones": ("id",),
}
DEPTH = 20  # actions that can be undone, newest first

_LOG_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS undo_steps (
    step INTEGER PRIMARY KEY,
    label TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS undo_log (
    n INTEGER PRIMARY KEY,
    step INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    row TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class UndoStep:
    step: int
    label: str  # French, shown as "Annuler : <label>"


class UndoJournal:
    """The undo history of one connection (one Store)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._recording = False
        self._columns: dict[str, list[str]] = {}
        conn.executescript(_LOG_SCHEMA)

    @contextmanager
    def record(self, label: str) -> Iterator[None]:
        """Run a user action as one transaction that can be undone as one step.

        Nested calls join the outer action. If the body raises, nothing is
        written and nothing is recorded.
        """
        if self._recording:
            yield
            return
        self._recording = True
        began = not self.conn.in_transaction
        if began:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute("SAVEPOINT undo_record")
        try:
            cursor = self.conn.execute("INSERT INTO temp.undo_steps (label) VALUES (?)", (label,))
            step = cursor.lastrowid
            self._create_triggers(step)
            try:
                yield
            finally:
                self._drop_triggers()
            if not self.conn.execute(
                "SELECT 1 FROM temp.undo_log WHERE step = ? LIMIT 1", (step,)
            ).fetchone():
                self.conn.execute("DELETE FROM temp.undo_steps WHERE step = ?", (step,))
            self._trim()
        except BaseException:
            if self.conn.in_transaction:
                if began:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute("ROLLBACK TO undo_record")
                    self.conn.execute("RELEASE undo_record")
            raise
        else:
            self.conn.execute("COMMIT" if began else "RELEASE undo_record")
        finally:
            self._recording = False

    def last(self) -> UndoStep | None:
        row = self.conn.execute(
            "SELECT step, label FROM temp.undo_steps ORDER BY step DESC LIMIT 1"
        ).fetchone()
        return UndoStep(row[0], row[1]) if row else None

    def steps(self) -> list[UndoStep]:
        rows = self.conn.execute("SELECT step, label FROM temp.undo_steps ORDER BY step DESC")
        return [UndoStep(step, label) for step, label in rows]

    def undo(self) -> UndoStep | None:
        """Undo the last recorded action, in one transaction; return it, or None if none."""
        last = self.last()
        if last is None:
            return None
        entries = self.conn.execute(
            "SELECT tbl, op, row FROM temp.undo_log WHERE step = ? ORDER BY n DESC", (last.step,)
        ).fetchall()
        now = now_iso()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for table, op, row in entries:
                self._revert(table, op, json.loads(row), now)
            self.conn.execute("DELETE FROM temp.undo_log WHERE step = ?", (last.step,))
            self.conn.execute("DELETE FROM temp.undo_steps WHERE step = ?", (last.step,))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return last

    def clear(self) -> None:
        self.conn.execute("DELETE FROM temp.undo_log")
        self.conn.execute("DELETE FROM temp.undo_steps")

    # -- internals ------------------------------------------------------------

    def _table_columns(self, table: str) -> list[str]:
        if table not in self._columns:
            rows = self.conn.execute(f"PRAGMA main.table_info({table})").fetchall()
            self._columns[table] = [row[1] for row in rows]
        return self._columns[table]

    def _create_triggers(self, step: int) -> None:
        existing = {row[0] for row in self.conn.execute("SELECT name FROM main.sqlite_master")}
        for table in JOURNALED_TABLES:
            if table not in existing:
                continue
            columns = self._table_columns(table)
            for event, op, ref in (
                ("INSERT", "insert", "new"),
                ("UPDATE", "update", "old"),
                ("DELETE", "delete", "old"),
            ):
                values = ", ".join(f"'{c}', {ref}.{c}" for c in columns)
                self.conn.execute(
                    f"CREATE TEMP TRIGGER undo_{table}_{op} AFTER {event} ON main.{table} "
                    f"BEGIN INSERT INTO undo_log (step, tbl, op, row) "
                    f"VALUES ({int(step)}, '{table}', '{op}', json_object({values})); END"
                )

    def _drop_triggers(self) -> None:
        for table in JOURNALED_TABLES:
            for op in ("insert", "update", "delete"):
                self.conn.execute(f"DROP TRIGGER IF EXISTS temp.undo_{table}_{op}")

    def _trim(self) -> None:
        old = self.conn.execute(
            "SELECT step FROM temp.undo_steps ORDER BY step DESC LIMIT -1 OFFSET ?", (DEPTH,)
        ).fetchall()
        for (step,) in old:
            self.conn.execute("DELETE FROM temp.undo_log WHERE step = ?", (step,))
            self.conn.execute("DELETE FROM temp.undo_steps WHERE step = ?", (step,))

    def _revert(self, table: str, op: str, row: dict, now: str) -> None:
        keys = JOURNALED_TABLES[table]
        where = " AND ".join(f"{k} = :{k}" for k in keys)
        synced = "updated_at" in row
        if op == "insert":
            if "deleted" in row:
                self.conn.execute(
                    f"UPDATE main.{table} SET deleted = 1, updated_at = :now WHERE {where}",
                    {**{k: row[k] for k in keys}, "now": now},
                )
            else:
                self.conn.execute(f"DELETE FROM main.{table} WHERE {where}", row)
            return
        if synced:
            row = {**row, "updated_at": now}
        if op == "update":
            columns = [c for c in row if c != "seq" and c not in keys]
            assignments = ", ".join(f"{c} = :{c}" for c in columns)
            self.conn.execute(f"UPDATE main.{table} SET {assignments} WHERE {where}", row)
        else:  # delete
            columns = ", ".join(row)
            values = ", ".join(f":{c}" for c in row)
            self.conn.execute(
                f"INSERT OR REPLACE INTO main.{table} ({columns}) VALUES ({values})", row
            )
