"""Erasing a person (RGPD, right to erasure), here and at the hub.

``erase_person`` blanks every personal field and tombstones the records; the erasure
syncs as tombstones, then as an erasure notice that has the hub scrub its copies
(``sync/erasure.py``), and no old value is left in the database file: secure_delete
zeroes freed space, the search index is rebuilt and the write-ahead log is checkpointed
and truncated. It spans the directory's records and the sync's bookkeeping, so it lives
above both.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.directory.personal_data import person_ids
from companion.i18n import _
from companion.protocol.messages import ERASED_NAME as ERASED_NAME  # an erased person's name
from companion.protocol.messages import ERASED_VALUES
from companion.store import Store
from companion.store.records import now_iso
from companion.store.store import InvalidRecord
from companion.sync import erasure
from companion.sync.conflicts import forget_records


def _marks(ids: list[str]) -> str:
    return ", ".join("?" * len(ids))


@dataclass(frozen=True)
class Erasure:
    people: int  # the person and the records merged into it
    affiliations: int
    interactions_erased: int  # exchanges with this person only
    interactions_unlinked: int  # exchanges with an actor, which keep the actor
    file_clean: bool  # False when another connection kept the log from being truncated


def erase_person(store: Store, person_id: str) -> Erasure:
    """Erase a person everywhere; not undoable (the undo history is cleared).

    The records stay as tombstones with every personal field blank, so the
    erasure reaches the network; exchanges that also concern an actor keep the
    actor and lose the person.
    """
    if store.conn.execute("SELECT 1 FROM people WHERE id = ?", (person_id,)).fetchone() is None:
        raise InvalidRecord(_("Fiche introuvable : {id}").format(id=person_id))
    ids = person_ids(store, person_id)
    marks = _marks(ids)
    now = now_iso()
    previous = store.conn.execute("PRAGMA secure_delete").fetchone()[0]
    store.conn.execute("PRAGMA secure_delete = ON")  # freed space is zeroed, not left behind
    try:
        with store.db.atomic():
            exchanges = [
                row[0]
                for row in store.conn.execute(
                    f"SELECT id FROM interactions WHERE person_id IN ({marks})", ids
                )
            ]
            affiliation_ids = [
                row[0]
                for row in store.conn.execute(
                    f"SELECT id FROM affiliations WHERE person_id IN ({marks})", ids
                )
            ]
            # Losing or refused values kept for the Conflicts view would keep the erased data.
            forget_records(store.conn, "people", list(ids))
            forget_records(store.conn, "affiliations", affiliation_ids)
            forget_records(store.conn, "interactions", exchanges)
            wheres = {
                "people": f"id IN ({marks})",
                "affiliations": f"person_id IN ({marks})",
                "interactions": f"actor_id IS NULL AND person_id IN ({marks})",
            }
            # The hub is told which records went, once their blanks are pushed.
            erasure.remember(store.conn, _shared(store, wheres, ids))
            people = _blank(store, "people", wheres["people"], ids, now)
            affiliations = _blank(store, "affiliations", wheres["affiliations"], ids, now)
            erased = _blank(store, "interactions", wheres["interactions"], ids, now)
            unlinked = store.db.execute(
                "UPDATE interactions SET person_id = NULL, updated_at = ? "
                f"WHERE actor_id IS NOT NULL AND person_id IN ({marks})",
                (now, *ids),
            ).rowcount
        # An undo step may hold the old values: undoing it would bring them back.
        store.journal.clear()
        store.optimize_search_index()  # old index segments go, freed pages are zeroed
        busy = store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        store.conn.execute(f"PRAGMA secure_delete = {int(previous)}")
    return Erasure(people, affiliations, erased, unlinked, file_clean=not busy)


def _blank(store: Store, table: str, where: str, ids: list[str], now: str) -> int:
    """Give the personal fields of ``table``'s records matching ``where`` their blank
    values (``protocol.ERASED_VALUES``); return how many records."""
    blanks = ERASED_VALUES[table]
    assignments = ", ".join(f"{name} = ?" for name in blanks)
    return int(
        store.db.execute(
            f"UPDATE {table} SET {assignments}, updated_at = ? WHERE {where}",
            (*blanks.values(), now, *ids),
        ).rowcount
    )


def _shared(store: Store, wheres: dict[str, str], ids: list[str]) -> list[tuple[str, str]]:
    """The records about to be erased that the hub may hold: network ones, and private
    ones that were shared once (stamped for more than their withdrawal)."""
    found = []
    for table, where in wheres.items():
        rows = store.conn.execute(
            f"SELECT id FROM {table} t WHERE ({where}) AND (visibility = 'network' OR EXISTS "
            "(SELECT 1 FROM sync_field_clocks c WHERE c.tbl = ? AND c.id = t.id "
            "AND c.field <> 'visibility')) ORDER BY seq",
            (*ids, table),
        )
        found += [(table, row[0]) for row in rows]
    return found
