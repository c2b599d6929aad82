"""Merging two records of the same actor (or person) into one, as one undoable step.

The kept record takes, field by field, the value chosen from either side; every
relation, affiliation, interaction and tag of the dropped record moves to it.
A relation that would link the record to itself, or repeat one it already has,
and an affiliation it already has, become tombstones instead. The dropped
record becomes a tombstone whose ``merged_into`` names the survivor, so the
merge travels to other laptops as data. Everything runs in
``store.undoable(...)``: ``store.journal.undo()`` restores both sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from companion.directory.contact_details import (
    EMAIL,
    PHONE,
    Contact,
    contacts_of,
    stored_contacts,
)
from companion.errors import CompanionError
from companion.i18n import N_, _
from companion.store import Store
from companion.store.records import now_iso
from companion.text import fold

KEEP, DROP = "keep", "drop"
# A run of merges (the duplicates dialog) is covered by the copy made before its
# first: a copy per merge would push the older ones out of the kept last N.
BACKUP_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class MergeField:
    """One line of the merge dialog: a label and the columns chosen together."""

    key: str
    label: str  # French, marked with N_
    columns: tuple[str, ...]


ACTOR_FIELDS: tuple[MergeField, ...] = (
    MergeField("name", N_("Nom"), ("name",)),
    MergeField("kind", N_("Type"), ("kind",)),
    MergeField("description", N_("Description"), ("description",)),
    MergeField(
        "place",
        N_("Commune"),
        ("commune", "postcode", "insee_code", "departement", "latitude", "longitude"),
    ),
    MergeField("address", N_("Adresse"), ("address",)),
    MergeField("email", N_("E-mail"), ("email",)),
    MergeField("phone", N_("Téléphone"), ("phone",)),
    MergeField("website", N_("Site web"), ("website",)),
    MergeField("siret", N_("SIRET"), ("siret",)),
    MergeField("siren", N_("SIREN"), ("siren",)),
    MergeField("rna", N_("Numéro RNA"), ("rna",)),
    MergeField("visibility", N_("Visibilité"), ("visibility",)),
)
PERSON_FIELDS: tuple[MergeField, ...] = (
    MergeField("name", N_("Nom"), ("first_name", "last_name")),
    MergeField("email", N_("E-mail"), ("email",)),
    MergeField("phone", N_("Téléphone"), ("phone",)),
    MergeField("notes", N_("Notes"), ("notes",)),
    MergeField(
        "rgpd",
        N_("Base légale et collecte"),
        ("legal_basis", "collected_on", "collection_source"),
    ),
    MergeField("visibility", N_("Visibilité"), ("visibility",)),
)
FIELDS = {"actors": ACTOR_FIELDS, "people": PERSON_FIELDS}


class MergeError(CompanionError):
    """The merge was refused; the message says why."""


@dataclass(frozen=True)
class Links:
    """What hangs off one record, all of which a merge keeps."""

    relations: int = 0
    people: int = 0  # affiliations (people of an actor, actors of a person)
    interactions: int = 0
    tags: int = 0


@dataclass(frozen=True)
class MergeResult:
    table: str
    kept_id: str
    dropped_id: str
    label: str  # the undo step's label
    moved: int  # links re-pointed to the kept record
    tombstoned: int  # links that became self-loops or repeats


def links_of(store: Store, table: str, record_id: str) -> Links:
    """Counts of the live relations, affiliations, interactions and tags of a record."""

    def count(sql: str) -> int:
        return int(store.conn.execute(sql, {"id": record_id}).fetchone()[0])

    if table == "people":
        return Links(
            people=count("SELECT count(*) FROM affiliations WHERE person_id = :id AND deleted = 0"),
            interactions=count(
                "SELECT count(*) FROM interactions WHERE person_id = :id AND deleted = 0"
            ),
        )
    return Links(
        relations=count(
            "SELECT count(*) FROM relations WHERE deleted = 0 "
            "AND (source_id = :id OR target_id = :id)"
        ),
        people=count("SELECT count(*) FROM affiliations WHERE actor_id = :id AND deleted = 0"),
        interactions=count(
            "SELECT count(*) FROM interactions WHERE actor_id = :id AND deleted = 0"
        ),
        tags=count("SELECT count(*) FROM actor_tags WHERE actor_id = :id"),
    )


def display_name(table: str, row: Mapping[str, Any]) -> str:
    if table == "people":
        return f"{row.get('first_name') or ''} {row.get('last_name') or ''}".strip()
    return str(row.get("name") or "")


def merged_values(
    table: str, keep: Mapping[str, Any], drop: Mapping[str, Any], choices: Mapping[str, str]
) -> dict[str, Any]:
    """The kept record's new values: per field, the chosen side (default: the kept one,
    or the dropped one where the kept one is empty)."""
    values: dict[str, Any] = {}
    for item in FIELDS[table]:
        choice = choices.get(item.key)
        if choice not in (KEEP, DROP, None):
            raise ValueError(f"choice for {item.key} must be 'keep' or 'drop': {choice!r}")
        if choice is None:
            empty = all(keep.get(c) in (None, "") for c in item.columns)
            choice = DROP if empty else KEEP
        source = drop if choice == DROP else keep
        values.update({c: source.get(c) for c in item.columns})
    return values


def merge_actors(
    store: Store, keep_id: str, drop_id: str, choices: Mapping[str, str] | None = None
) -> MergeResult:
    """Merge actor ``drop_id`` into ``keep_id`` (see the module's docstring)."""
    keep, drop = _live_pair(store, "actors", keep_id, drop_id)
    values = merged_values("actors", keep, drop, choices or {})
    values["sort_name"] = fold(values["name"])
    label = _("Fusionner « {keep} » et « {drop} »").format(keep=keep["name"], drop=drop["name"])
    now = now_iso()
    with store.undoable(label):
        moved, tombstoned = _move_relations(store, keep_id, drop_id, now)
        counts = _move_affiliations(store, "actor_id", "person_id", keep_id, drop_id, now)
        moved, tombstoned = moved + counts[0], tombstoned + counts[1]
        moved += _repoint(store, "interactions", "actor_id", keep_id, drop_id, now)
        moved += _repoint(store, "catalyst_profiles", "actor_id", keep_id, drop_id, now)
        moved += _move_tags(store, keep_id, drop_id)
        _finish(store, "actors", keep_id, drop_id, values, now)
    return MergeResult("actors", keep_id, drop_id, label, moved, tombstoned)


def merge_people(
    store: Store, keep_id: str, drop_id: str, choices: Mapping[str, str] | None = None
) -> MergeResult:
    """Merge person ``drop_id`` into ``keep_id``: affiliations and interactions move."""
    keep, drop = _live_pair(store, "people", keep_id, drop_id)
    values = merged_values("people", keep, drop, choices or {})
    values.update(merged_contacts(values, keep, drop))
    if not (values.get("first_name") or values.get("last_name")):
        values.update(first_name=keep["first_name"], last_name=keep["last_name"])
    label = _("Fusionner « {keep} » et « {drop} »").format(
        keep=display_name("people", keep), drop=display_name("people", drop)
    )
    now = now_iso()
    with store.undoable(label):
        moved, tombstoned = _move_affiliations(
            store, "person_id", "actor_id", keep_id, drop_id, now
        )
        moved += _repoint(store, "interactions", "person_id", keep_id, drop_id, now)
        _finish(store, "people", keep_id, drop_id, values, now)
    return MergeResult("people", keep_id, drop_id, label, moved, tombstoned)


def merged_contacts(
    values: Mapping[str, Any], keep: Mapping[str, Any], drop: Mapping[str, Any]
) -> dict[str, Any]:
    """Every e-mail and phone of both people, none lost: the chosen ones primary."""
    contacts: list[Contact] = []
    for kind in (EMAIL, PHONE):
        if values.get(kind):
            contacts.append(Contact(kind, "", str(values[kind])))
    for row in (keep, drop):
        emails, phones = contacts_of(row.get("email"), row.get("phone"), row.get("other_contacts"))
        contacts += emails + phones
    return stored_contacts(contacts)


def merge(
    store: Store,
    table: str,
    keep_id: str,
    drop_id: str,
    choices: Mapping[str, str] | None = None,
) -> MergeResult:
    """``merge_actors`` or ``merge_people``, by table, after a backup of the database
    (one per run of merges: none if one was made in the last ``BACKUP_EVERY``)."""
    _backup_before_merging(store)
    merge_records = merge_people if table == "people" else merge_actors
    return merge_records(store, keep_id, drop_id, choices)


# -- internals ------------------------------------------------------------------


def _backup_before_merging(store: Store) -> None:
    from companion.store.backups import MERGE, BackupError, make_backup_if_due

    if not store.path.is_file():  # an in-memory database: nothing to copy
        return
    try:
        make_backup_if_due(store, None, MERGE, BACKUP_EVERY)
    except BackupError as error:
        raise MergeError(str(error)) from error


def _live_pair(store: Store, table: str, keep_id: str, drop_id: str) -> tuple[dict, dict]:
    if keep_id == drop_id:
        raise MergeError(_("Une fiche ne peut pas être fusionnée avec elle-même."))
    keep = store.get_record(table, keep_id)
    drop = store.get_record(table, drop_id)
    if keep is None or drop is None:
        raise MergeError(_("Une des deux fiches a été supprimée entre-temps."))
    return keep, drop


def _tombstone(store: Store, table: str, ids: list[str], now: str) -> None:
    for record_id in ids:
        store.db.execute(
            f"UPDATE {table} SET deleted = 1, updated_at = ? WHERE id = ?", (now, record_id)
        )


def _move_relations(store: Store, keep_id: str, drop_id: str, now: str) -> tuple[int, int]:
    rows = store.conn.execute(
        "SELECT id, source_id, target_id, type FROM relations "
        "WHERE deleted = 0 AND (source_id = :drop OR target_id = :drop) ORDER BY seq",
        {"drop": drop_id},
    ).fetchall()
    existing = {
        (source, target, type_)
        for source, target, type_ in store.conn.execute(
            "SELECT source_id, target_id, type FROM relations "
            "WHERE deleted = 0 AND (source_id = :keep OR target_id = :keep)",
            {"keep": keep_id},
        )
    }
    moved, dropped = [], []
    for relation_id, source, target, type_ in rows:
        source = keep_id if source == drop_id else source
        target = keep_id if target == drop_id else target
        if source == target or (source, target, type_) in existing:
            dropped.append(relation_id)
            continue
        existing.add((source, target, type_))
        moved.append((source, target, now, relation_id))
    store.conn.executemany(
        "UPDATE relations SET source_id = ?, target_id = ?, updated_at = ? WHERE id = ?", moved
    )
    _tombstone(store, "relations", dropped, now)
    return len(moved), len(dropped)


def _move_affiliations(
    store: Store, column: str, other: str, keep_id: str, drop_id: str, now: str
) -> tuple[int, int]:
    """Re-point affiliations; one the kept record already has (same other side, role
    and dates) becomes a tombstone."""
    fields = f"{other}, role, start_date, end_date"
    existing = set(
        store.conn.execute(
            f"SELECT {fields} FROM affiliations WHERE {column} = ? AND deleted = 0", (keep_id,)
        )
    )
    moved, dropped = [], []
    for affiliation_id, *rest in store.conn.execute(
        f"SELECT id, {fields} FROM affiliations WHERE {column} = ? AND deleted = 0 ORDER BY seq",
        (drop_id,),
    ).fetchall():
        if tuple(rest) in existing:
            dropped.append(affiliation_id)
        else:
            existing.add(tuple(rest))
            moved.append((keep_id, now, affiliation_id))
    store.conn.executemany(
        f"UPDATE affiliations SET {column} = ?, updated_at = ? WHERE id = ?", moved
    )
    _tombstone(store, "affiliations", dropped, now)
    return len(moved), len(dropped)


def _repoint(store: Store, table: str, column: str, keep_id: str, drop_id: str, now: str) -> int:
    cursor = store.db.execute(
        f"UPDATE {table} SET {column} = ?, updated_at = ? WHERE {column} = ? AND deleted = 0",
        (keep_id, now, drop_id),
    )
    return cursor.rowcount


def _move_tags(store: Store, keep_id: str, drop_id: str) -> int:
    tag_ids = [
        row[0]
        for row in store.conn.execute(
            "SELECT tag_id FROM actor_tags WHERE actor_id = ? ORDER BY tag_id", (drop_id,)
        )
    ]
    for tag_id in tag_ids:
        store.db.execute(
            "INSERT OR IGNORE INTO actor_tags (actor_id, tag_id) VALUES (?, ?)", (keep_id, tag_id)
        )
    store.db.execute("DELETE FROM actor_tags WHERE actor_id = ?", (drop_id,))
    return len(tag_ids)


def _finish(
    store: Store, table: str, keep_id: str, drop_id: str, values: dict[str, Any], now: str
) -> None:
    """Write the kept record's chosen values, then make the dropped one a tombstone."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    store.db.execute(
        f"UPDATE {table} SET {assignments}, updated_at = :now WHERE id = :id",
        {**values, "now": now, "id": keep_id},
    )
    store.db.execute(
        f"UPDATE {table} SET deleted = 1, merged_into = ?, updated_at = ? WHERE id = ?",
        (keep_id, now, drop_id),
    )
