"""Actions on many records at once (a multi-selection): tag, change visibility, delete.

Each call is one user action: one transaction and one undo step, whose label
says what was done. Records are tombstoned, never erased, so deletions sync.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from companion.domain import VISIBILITIES, label
from companion.i18n import _, ngettext
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.store.search import match_expression
from companion.store.store import InvalidRecord

ENTITIES = ("actors", "people")
_CHUNK = 500  # ids per statement, well under SQLite's variable limit


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _check_entity(table: str) -> None:
    if table not in ENTITIES:
        raise ValueError(f"not a directory entity: {table}")


def delete_label(table: str, count: int) -> str:
    if table == "people":
        return ngettext("Supprimer {n} personne", "Supprimer {n} personnes", count).format(n=count)
    return ngettext("Supprimer {n} acteur", "Supprimer {n} acteurs", count).format(n=count)


def deleted_text(table: str, count: int) -> str:
    """What the status bar says after a deletion: "3 acteurs supprimés"."""
    if table == "people":
        template = ngettext("{n} personne supprimée", "{n} personnes supprimées", count)
    else:
        template = ngettext("{n} acteur supprimé", "{n} acteurs supprimés", count)
    return template.format(n=count)


def visibility_label(table: str, visibility: str, count: int) -> str:
    shown = label(VISIBILITIES, visibility)
    if table == "people":
        template = ngettext(
            "Visibilité « {visibility} » pour {n} personne",
            "Visibilité « {visibility} » pour {n} personnes",
            count,
        )
    else:
        template = ngettext(
            "Visibilité « {visibility} » pour {n} acteur",
            "Visibilité « {visibility} » pour {n} acteurs",
            count,
        )
    return template.format(visibility=shown, n=count)


def tag_label(tag: str, count: int) -> str:
    template = ngettext(
        "Étiquette « {tag} » ajoutée à {n} acteur",
        "Étiquette « {tag} » ajoutée à {n} acteurs",
        count,
    )
    return template.format(tag=tag, n=count)


# What hangs on a deleted record goes with it, as when one actor is deleted from its card.
_LINKS = {
    "actors": (
        "UPDATE relations SET deleted = 1, updated_at = ? WHERE deleted = 0 "
        "AND (source_id IN ({marks}) OR target_id IN ({marks}))",
        "UPDATE affiliations SET deleted = 1, updated_at = ? WHERE deleted = 0 "
        "AND actor_id IN ({marks})",
    ),
    "people": (
        "UPDATE affiliations SET deleted = 1, updated_at = ? WHERE deleted = 0 "
        "AND person_id IN ({marks})",
    ),
}


def delete_records(store: Store, table: str, ids: Sequence[str]) -> int:
    """Tombstone these actors or people and their links (one undo step); return how many.

    An actor's relations and affiliations go with it, a person's affiliations too;
    exchanges stay.
    """
    _check_entity(table)
    changed = 0
    with store.undoable(delete_label(table, len(ids))):
        now = now_iso()
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            cursor = store.db.execute(
                f"UPDATE {table} SET deleted = 1, updated_at = ? "
                f"WHERE deleted = 0 AND id IN ({marks})",
                (now, *chunk),
            )
            changed += cursor.rowcount
            for sql in _LINKS[table]:
                repeats = sql.count("{marks}")
                store.db.execute(sql.format(marks=marks), (now, *chunk * repeats))
    return changed


def set_visibility(store: Store, table: str, ids: Sequence[str], visibility: str) -> int:
    """Make these records private or shared with the network (one undo step)."""
    _check_entity(table)
    if visibility not in VISIBILITIES:
        raise InvalidRecord(
            _("Visibilité inconnue : « {value} » (privé ou réseau)").format(value=visibility)
        )
    changed = 0
    with store.undoable(visibility_label(table, visibility, len(ids))):
        now = now_iso()
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            cursor = store.db.execute(
                f"UPDATE {table} SET visibility = ?, updated_at = ? "
                f"WHERE deleted = 0 AND visibility <> ? AND id IN ({marks})",
                (visibility, now, visibility, *chunk),
            )
            changed += cursor.rowcount
    return changed


def tag_actors(store: Store, ids: Sequence[str], tag: str) -> int:
    """Add one tag to every actor of ``ids`` (one undo step); return how many got it."""
    name = tag.strip()
    if not name:
        raise InvalidRecord(_("Une étiquette ne peut pas être vide."))
    changed = 0
    with store.undoable(tag_label(name, len(ids))):
        found = store.conn.execute(
            "SELECT id, deleted FROM tags WHERE name = ?", (name,)
        ).fetchone()
        if found is None:
            tag_id = new_id()
            now = now_iso()
            store.db["tags"].insert(
                {
                    "id": tag_id,
                    "name": name,
                    "owner": store.member_id,
                    "visibility": "network",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            tag_id = found[0]
            if found[1]:  # a deleted tag of that name comes back
                store.db.execute(
                    "UPDATE tags SET deleted = 0, updated_at = ? WHERE id = ?", (now_iso(), tag_id)
                )
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            cursor = store.db.execute(
                "INSERT OR IGNORE INTO actor_tags (actor_id, tag_id) "
                f"SELECT id, ? FROM actors WHERE deleted = 0 AND id IN ({marks})",
                (tag_id, *chunk),
            )
            changed += cursor.rowcount
    return changed


def all_actor_ids(store: Store, query: str = "") -> list[str]:
    """The ids of every actor listed for ``query`` (a "select all" in the table)."""
    expression = match_expression(query) if query.strip() else None
    if query.strip() and expression is None:
        return []
    if expression:
        sql = (
            "SELECT a.id FROM actors_fts JOIN actors a ON a.seq = actors_fts.rowid "
            "WHERE actors_fts MATCH ?"
        )
        return [row[0] for row in store.conn.execute(sql, (expression,))]
    return [row[0] for row in store.conn.execute("SELECT id FROM actors WHERE deleted = 0")]


def tag_names(store: Store) -> list[str]:
    """The live tags, to suggest when tagging a selection."""
    sql = "SELECT name FROM tags WHERE deleted = 0 ORDER BY name COLLATE NOCASE"
    return [row[0] for row in store.conn.execute(sql)]
