"""Writing synced fields into the local tables, as a pulled change or a restored conflict
does (inside the caller's transaction; capture muted or not, as the caller decides)."""

from __future__ import annotations

import sqlite3
from typing import Any

from companion.domain import INTERACTION_KINDS
from companion.protocol.messages import LINK_FIELDS
from companion.store.records import now_iso
from companion.sync import capture
from companion.text import fold

# What a record created by a change that does not bring every field starts with
# (the other fields arrive next, on the same page or the next one).
PLACEHOLDERS: dict[str, dict[str, Any]] = {
    "actors": {"name": "…", "kind": "autre"},
    "people": {"last_name": "…"},
    "affiliations": {"person_id": "", "actor_id": ""},
    "relations": {"source_id": "", "target_id": "…", "type": "autre"},
    "interactions": {"kind": next(iter(INTERACTION_KINDS)), "date": ""},
    "tags": {"name": "…"},
    "map_views": {"name": "…"},
    "catalyst_profiles": {"actor_id": ""},
}


def write_fields(
    conn: sqlite3.Connection,
    table: str,
    record_id: str,
    values: dict[str, Any],
    exists: bool | None = None,
) -> None:
    """Write some synced fields of a record, creating it if missing (inside a transaction)."""
    values = dict(values)
    link = LINK_FIELDS.get(table)
    tags = values.pop(link) if link and link in values else None
    if exists is None:
        exists = conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone()
    if table == "tags" and "name" in values:
        values["name"] = _free_tag_name(conn, record_id, str(values["name"] or "…"))
    now = now_iso()
    if exists:
        if values:
            columns = {**values, "updated_at": now}
            if table == "actors" and "name" in values:
                columns["sort_name"] = fold(str(values["name"]))
            assignments = ", ".join(f"{column} = :{column}" for column in columns)
            conn.execute(
                f"UPDATE {table} SET {assignments} WHERE id = :id", {**columns, "id": record_id}
            )
    else:
        row = {
            **PLACEHOLDERS[table],
            "created_at": now,
            **values,
            "id": record_id,
            "updated_at": now,
        }
        if table == "actors":
            row["sort_name"] = fold(str(row["name"]))
        columns = ", ".join(row)
        conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in row)})", row
        )
    if tags is not None:
        link_table, column = capture.LINK_TABLES[table]
        conn.execute(f"DELETE FROM {link_table} WHERE {column} = ?", (record_id,))
        conn.executemany(
            f"INSERT OR IGNORE INTO {link_table} ({column}, tag_id) VALUES (?, ?)",
            [(record_id, str(tag_id)) for tag_id in tags or []],
        )


def _free_tag_name(conn: sqlite3.Connection, tag_id: str, name: str) -> str:
    """Tag names are unique here: a homonym made on another laptop gets its id's start."""
    clash = conn.execute("SELECT 1 FROM tags WHERE name = ? AND id <> ?", (name, tag_id)).fetchone()
    return f"{name} ({tag_id[:8]})" if clash else name
