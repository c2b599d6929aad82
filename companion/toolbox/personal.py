"""What a user keeps about toolbox items on this laptop: favourites, recently opened, notes.

Local only, never synced. Rows hold the item's stable id and no foreign key,
so they survive the item being replaced by a newer version (or withdrawn and
published again); lists only show items that are installed.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from companion.store.records import now_iso
from companion.text import fold
from companion.toolbox.search import CatalogueEntry

if TYPE_CHECKING:
    from companion.store import Store

RECENT_KEPT = 30

_ENTRY_COLUMNS = (
    "i.id, i.slug, i.title, i.summary, i.theme, i.type, i.duration, i.level, "
    "i.version, i.date, i.source"
)


def _entries(conn: sqlite3.Connection, table: str, order: str, limit: int) -> list[CatalogueEntry]:
    rows = conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM {table} p JOIN toolbox_items i ON i.id = p.item_id "
        f"ORDER BY {order} LIMIT ?",
        (limit,),
    ).fetchall()
    return [CatalogueEntry(*row) for row in rows]


# -- favourites ----------------------------------------------------------------------


def set_favourite(store: Store, item_id: str, favourite: bool = True) -> None:
    """Add the item to the favourites (or take it out)."""
    with store.db.atomic():
        if favourite:
            store.conn.execute(
                "INSERT OR IGNORE INTO toolbox_favourites (item_id, added_at) VALUES (?, ?)",
                (item_id, now_iso()),
            )
        else:
            store.conn.execute("DELETE FROM toolbox_favourites WHERE item_id = ?", (item_id,))


def is_favourite(conn: sqlite3.Connection, item_id: str) -> bool:
    row = conn.execute("SELECT 1 FROM toolbox_favourites WHERE item_id = ?", (item_id,))
    return row.fetchone() is not None


def favourites(conn: sqlite3.Connection, limit: int = 500) -> list[CatalogueEntry]:
    """Favourite items, sorted by title (accents ignored)."""
    entries = _entries(conn, "toolbox_favourites", "i.title", limit)
    return sorted(entries, key=lambda entry: (fold(entry.title), entry.title))


# -- recently opened ---------------------------------------------------------------


def mark_opened(store: Store, item_id: str) -> None:
    """Note that the item was just opened; only the latest ``RECENT_KEPT`` are kept."""
    with store.db.atomic():
        store.conn.execute(
            "INSERT INTO toolbox_recent (item_id, opened_at, position) "
            "VALUES (?, ?, (SELECT coalesce(max(position), 0) + 1 FROM toolbox_recent)) "
            "ON CONFLICT (item_id) DO UPDATE SET opened_at = excluded.opened_at, "
            "position = excluded.position",
            (item_id, now_iso()),
        )
        store.conn.execute(
            "DELETE FROM toolbox_recent WHERE item_id NOT IN "
            "(SELECT item_id FROM toolbox_recent ORDER BY position DESC LIMIT ?)",
            (RECENT_KEPT,),
        )


def recent(conn: sqlite3.Connection, limit: int = 10) -> list[CatalogueEntry]:
    """Recently opened items, the latest first."""
    return _entries(conn, "toolbox_recent", "p.position DESC", limit)


# -- notes --------------------------------------------------------------------------


def note(conn: sqlite3.Connection, item_id: str) -> str:
    """The user's note on the item ("" if none)."""
    row = conn.execute("SELECT text FROM toolbox_notes WHERE item_id = ?", (item_id,)).fetchone()
    return row[0] if row else ""


def set_note(store: Store, item_id: str, text: str) -> None:
    """Keep ``text`` as the note on the item; blank text deletes the note."""
    with store.db.atomic():
        if text.strip():
            store.conn.execute(
                "INSERT INTO toolbox_notes (item_id, text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (item_id) DO UPDATE SET text = excluded.text, "
                "updated_at = excluded.updated_at",
                (item_id, text, now_iso()),
            )
        else:
            store.conn.execute("DELETE FROM toolbox_notes WHERE item_id = ?", (item_id,))
