"""The store: the one object the app uses to read and write the local database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.domain import (
    ACTOR_KINDS,
    INTERACTION_KINDS,
    LEGAL_BASES,
    RELATION_TYPES,
    VISIBILITIES,
)
from companion.errors import CompanionError
from companion.i18n import _
from companion.store.connection import open_database
from companion.store.records import (
    Actor,
    Affiliation,
    Interaction,
    Membership,
    Person,
    Relation,
    RelationView,
    from_row,
    new_id,
    now_iso,
)
from companion.store.schema import actor_index_insert
from companion.store.search import ACTOR_RANK, SearchHit, match_expression, search_all
from companion.store.undo import UndoJournal
from companion.store.upgrade import migrate
from companion.text import fold

if TYPE_CHECKING:
    import sqlite_utils

SORT_COLUMNS = {
    "name": "a.sort_name",
    "kind": "a.kind",
    "commune": "a.commune",
    "departement": "a.departement",
    "visibility": "a.visibility",
    "updated_at": "a.updated_at",
}
RANK_LIMIT = 2_000
# Tables of synced records (UUID, owner, visibility, timestamps, tombstone).
RECORD_TABLES = ("actors", "people", "affiliations", "relations", "interactions", "tags")
BULK_TABLES = (*RECORD_TABLES, "actor_tags", "catalyst_profiles")


class InvalidRecord(CompanionError):
    """A record was refused; the message names the field."""


@cache
def _immediate_database() -> type[sqlite_utils.Database]:
    import sqlite_utils

    class ImmediateDatabase(sqlite_utils.Database):
        @contextmanager
        def atomic(self) -> Iterator[sqlite_utils.Database]:
            if self.conn.in_transaction:  # nested: sqlite-utils' savepoints
                with super().atomic() as inner:
                    yield inner
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    return ImmediateDatabase


@contextmanager
def deferred_actor_indexing(conn: sqlite3.Connection) -> Iterator[None]:
    """:meth:`Store.deferred_actor_indexing` on a bare connection (sync's apply)."""
    if not conn.in_transaction:
        raise RuntimeError("deferred_actor_indexing needs an open transaction")
    names = ("actors_fts_insert", "actor_tags_fts_insert")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", names
    ).fetchall()
    before = conn.execute("SELECT coalesce(max(seq), 0) FROM actors").fetchone()[0]
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    yield
    conn.execute(
        actor_index_insert("a") + " FROM actors a WHERE a.seq > ? AND a.deleted = 0", (before,)
    )
    for _name, sql in triggers:
        conn.execute(sql)


class Store:
    """Records, search and settings over one SQLite file. Not shared between threads."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for writes; imported on first use.

        Its transactions begin IMMEDIATE: a deferred one that read first could not
        take the write lock once a background job (a sync, an import, the toolbox
        install) had committed meanwhile (SQLITE_BUSY_SNAPSHOT, « database is locked »
        at once, whatever the busy timeout); an immediate one waits for the lock.
        """
        return _immediate_database()(self.conn)

    @cached_property
    def journal(self) -> UndoJournal:
        """The undo history of this session's user actions."""
        return UndoJournal(self.conn)

    def undoable(self, label: str) -> AbstractContextManager[None]:
        """One user action: one transaction, one undo step (``with store.undoable(label):``)."""
        return self.journal.record(label)

    @classmethod
    def open(cls, path: Path | str, key: str | None = None) -> Store:
        """Open or create the database at ``path``, migrating it (after a backup) if needed.

        An encrypted database needs ``key`` (or one known for its folder: ``encryption``).
        """
        path = Path(path)
        conn = open_database(path, key)
        try:
            migrate(conn, path)
        except BaseException:
            conn.close()
            raise
        store = cls(conn, path)
        store._ensure_identity()
        return store

    def close(self) -> None:
        self.conn.close()

    def _query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    # -- settings ---------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def member_id(self) -> str:
        return self.setting("member_id") or ""

    def _ensure_identity(self) -> None:
        if not self.setting("member_id"):
            self.set_setting("member_id", new_id())

    # -- actors -------------------------------------------------------------

    def add_actor(self, name: str, kind: str, **fields: Any) -> Actor:
        now = now_iso()
        row = {
            "id": new_id(),
            "owner": self.member_id,
            "visibility": "network",
            **fields,
            "name": name,
            "kind": kind,
            "created_at": now,
            "updated_at": now,
        }
        _check_actor(row)
        row["sort_name"] = fold(row["name"])
        with self.db.atomic():
            self.db["actors"].insert(row)
        return self.get_actor(row["id"])  # type: ignore[return-value]

    def update_actor(self, actor_id: str, **changes: Any) -> Actor:
        current = self.get_actor(actor_id)
        if current is None:
            raise InvalidRecord(_("Acteur introuvable : {id}").format(id=actor_id))
        changes.pop("id", None)
        merged = {**current.__dict__, **changes}
        _check_actor(merged)
        changes["updated_at"] = now_iso()
        if "name" in changes:
            changes["sort_name"] = fold(changes["name"])
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        with self.db.atomic():
            self.db.execute(
                f"UPDATE actors SET {assignments} WHERE id = :id", {**changes, "id": actor_id}
            )
        return self.get_actor(actor_id)  # type: ignore[return-value]

    def delete_actor(self, actor_id: str) -> None:
        """Tombstone the actor: it disappears from lists and search, and the deletion syncs."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE actors SET deleted = 1, updated_at = ? WHERE id = ?", (now_iso(), actor_id)
            )

    def get_actor(self, actor_id: str) -> Actor | None:
        rows = list(self._query("SELECT * FROM actors WHERE id = ? AND deleted = 0", [actor_id]))
        return from_row(Actor, rows[0]) if rows else None

    def count_actors(self, query: str = "", batch: str | None = None) -> int:
        expression = match_expression(query) if query.strip() else None
        if batch is not None:
            within, params = self._batch_rows(batch, expression)
            return int(self.conn.execute(f"SELECT count(*) FROM ({within})", params).fetchone()[0])
        if expression:
            return self._count_matches(expression)
        if query.strip():
            return 0
        return int(self.conn.execute("SELECT count(*) FROM actors WHERE deleted = 0").fetchone()[0])

    def actors(
        self,
        query: str = "",
        sort: str = "name",
        descending: bool = False,
        offset: int = 0,
        limit: int = 100,
        batch: str | None = None,
    ) -> list[Actor]:
        """A page of actors, all or those matching ``query``; sort "rank" is best match first.
        ``batch``: only the actors an import wrote (``io/import_batches.py``)."""
        expression = match_expression(query) if query.strip() else None
        if query.strip() and expression is None:
            return []
        if sort == "rank" and expression and batch is None:
            return self._ranked_actors(expression, offset, limit)
        column = SORT_COLUMNS.get(sort, SORT_COLUMNS["name"])
        direction = "DESC" if descending else "ASC"
        order = f"{column} {direction}, a.sort_name {direction}, a.seq"
        if batch is not None:
            within, params = self._batch_rows(batch, expression)
            sql = f"SELECT a.* FROM actors a WHERE a.seq IN ({within}) ORDER BY {order} "
            sql += "LIMIT ? OFFSET ?"
            params += [limit, offset]
        elif expression:
            sql = (
                "SELECT a.* FROM actors_fts JOIN actors a ON a.seq = actors_fts.rowid "
                f"WHERE actors_fts MATCH ? ORDER BY {order} LIMIT ? OFFSET ?"
            )
            params = [expression, limit, offset]
        else:
            sql = f"SELECT a.* FROM actors a WHERE a.deleted = 0 ORDER BY {order} LIMIT ? OFFSET ?"
            params = [limit, offset]
        return [from_row(Actor, row) for row in self._query(sql, params)]

    def _batch_rows(self, batch: str, expression: str | None) -> tuple[str, list[Any]]:
        """A query of the live actors an import wrote (matching ``expression``): row numbers."""
        sql = (
            "SELECT a.seq FROM import_batch_records r JOIN actors a ON a.id = r.record_id "
            "WHERE r.batch_id = ? AND r.tbl = 'actors' AND a.deleted = 0"
        )
        params: list[Any] = [batch]
        if expression:
            sql += " AND a.seq IN (SELECT rowid FROM actors_fts WHERE actors_fts MATCH ?)"
            params.append(expression)
        return sql, params

    def _ranked_actors(self, expression: str, offset: int, limit: int) -> list[Actor]:
        """Best matches first: bm25 for a focused query, name matches first for a broad one.

        Ranking costs a bm25 score per match; past ``RANK_LIMIT`` matches the scores
        barely differ (a word in every description), so the page is built from two
        cheap tiers instead: matches in the name, then the others, each newest first.
        """
        if self._count_matches(expression) <= RANK_LIMIT:
            sql = (
                f"SELECT rowid FROM (SELECT rowid, {ACTOR_RANK} AS score FROM actors_fts "
                "WHERE actors_fts MATCH ? ORDER BY score LIMIT ? OFFSET ?)"
            )
            return self._actors_by_seq(self.conn.execute(sql, (expression, limit, offset)))
        in_name = f"name : ({expression})"
        elsewhere = f"({expression}) NOT name : ({expression})"
        in_name_count = self._count_matches(in_name)
        newest = (
            "SELECT rowid FROM actors_fts WHERE actors_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ? OFFSET ?"
        )
        seqs = [row[0] for row in self.conn.execute(newest, (in_name, limit, offset))]
        if len(seqs) < limit:
            rest_offset = max(0, offset - in_name_count)
            seqs += [
                row[0]
                for row in self.conn.execute(newest, (elsewhere, limit - len(seqs), rest_offset))
            ]
        return self._actors_by_seq([(seq,) for seq in seqs])

    def _count_matches(self, expression: str) -> int:
        sql = "SELECT count(*) FROM actors_fts WHERE actors_fts MATCH ?"
        return int(self.conn.execute(sql, (expression,)).fetchone()[0])

    def _actors_by_seq(self, rows: Iterable[tuple[int]]) -> list[Actor]:
        """The actors of these local row numbers, in the same order."""
        seqs = [row[0] for row in rows]
        if not seqs:
            return []
        marks = ", ".join("?" * len(seqs))
        found = {
            row["seq"]: row
            for row in self._query(f"SELECT * FROM actors WHERE seq IN ({marks})", seqs)
        }
        return [from_row(Actor, found[seq]) for seq in seqs if seq in found]

    # -- any synced record ---------------------------------------------------

    def get_record(self, table: str, record_id: str) -> dict[str, Any] | None:
        """The live row of ``table`` with this id, as a dict, or None."""
        _check_table(table)
        rows = self._query(f"SELECT * FROM {table} WHERE id = ? AND deleted = 0", [record_id])
        return rows[0] if rows else None

    def update_record(self, table: str, record_id: str, **changes: Any) -> dict[str, Any]:
        """Change some fields of a live record (checked like a new one); return the new row."""
        _check_table(table)
        if table == "actors":
            return self.update_actor(record_id, **changes).__dict__
        current = self.get_record(table, record_id)
        if current is None:
            raise InvalidRecord(_("Fiche introuvable : {id}").format(id=record_id))
        for column in ("id", "seq", "created_at", "deleted"):
            changes.pop(column, None)
        unknown = set(changes) - set(current)
        if unknown:
            raise ValueError(f"unknown columns for {table}: {sorted(unknown)}")
        merged = {**current, **changes}
        _CHECKS.get(table, _check_visibility)(merged)
        changes["updated_at"] = now_iso()
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {table} SET {assignments} WHERE id = :id", {**changes, "id": record_id}
            )
        return self.get_record(table, record_id)  # type: ignore[return-value]

    def delete_record(self, table: str, record_id: str) -> None:
        """Tombstone a record: it leaves lists and search, and the deletion syncs."""
        _check_table(table)
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {table} SET deleted = 1, updated_at = ? WHERE id = ? AND deleted = 0",
                (now_iso(), record_id),
            )

    # -- people, affiliations, relations, interactions, tags ----------------

    def get_person(self, person_id: str) -> Person | None:
        row = self.get_record("people", person_id)
        return from_row(Person, row) if row else None

    def add_person(self, first_name: str = "", last_name: str = "", **fields: Any) -> Person:
        row = self._new_row(first_name=first_name, last_name=last_name, **fields)
        _check_person(row)
        with self.db.atomic():
            self.db["people"].insert(row)
        return from_row(Person, row)

    def add_affiliation(
        self, person_id: str, actor_id: str, role: str = "", **fields: Any
    ) -> Affiliation:
        row = self._new_row(person_id=person_id, actor_id=actor_id, role=role, **fields)
        with self.db.atomic():
            self.db["affiliations"].insert(row)
        return from_row(Affiliation, row)

    def add_relation(self, source_id: str, target_id: str, type: str, **fields: Any) -> Relation:
        if type not in RELATION_TYPES:
            raise InvalidRecord(_("Type de relation inconnu : « {value} »").format(value=type))
        if source_id == target_id:
            raise InvalidRecord(_("Un acteur ne peut pas être en relation avec lui-même."))
        row = self._new_row(source_id=source_id, target_id=target_id, type=type, **fields)
        with self.db.atomic():
            self.db["relations"].insert(row)
        return from_row(Relation, row)

    def add_interaction(self, kind: str, date: str, **fields: Any) -> Interaction:
        if kind not in INTERACTION_KINDS:
            raise InvalidRecord(_("Type d'échange inconnu : « {value} »").format(value=kind))
        row = self._new_row(kind=kind, date=date, **fields)
        with self.db.atomic():
            self.db["interactions"].insert(row)
        return from_row(Interaction, row)

    def tag_actor(self, actor_id: str, tag_name: str) -> None:
        name = tag_name.strip()
        if not name:
            raise InvalidRecord(_("Une étiquette ne peut pas être vide."))
        with self.db.atomic():
            found = self.db.execute(
                "SELECT id, deleted FROM tags WHERE name = ?", (name,)
            ).fetchone()
            if found:
                tag_id = found[0]
                if found[1]:  # a deleted tag's name comes back: the tag comes back
                    self.db.execute(
                        "UPDATE tags SET deleted = 0, updated_at = ? WHERE id = ?",
                        (now_iso(), tag_id),
                    )
            else:
                tag = self._new_row(name=name)
                self.db["tags"].insert(tag)
                tag_id = tag["id"]
            self.db.execute(
                "INSERT OR IGNORE INTO actor_tags (actor_id, tag_id) VALUES (?, ?)",
                (actor_id, tag_id),
            )

    def untag_actor(self, actor_id: str, tag_name: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM actor_tags WHERE actor_id = ? AND tag_id = "
                "(SELECT id FROM tags WHERE name = ?)",
                (actor_id, tag_name.strip()),
            )

    def tags_of(self, actor_id: str) -> list[str]:
        sql = (
            "SELECT t.name FROM actor_tags at JOIN tags t ON t.id = at.tag_id "
            "WHERE at.actor_id = ? AND t.deleted = 0 ORDER BY t.name"
        )
        return [row[0] for row in self.conn.execute(sql, (actor_id,))]

    def members_of(self, actor_id: str) -> list[Membership]:
        sql = (
            "SELECT p.*, f.role AS role FROM affiliations f JOIN people p ON p.id = f.person_id "
            "WHERE f.actor_id = ? AND f.deleted = 0 AND p.deleted = 0 "
            "ORDER BY p.last_name, p.first_name"
        )
        return [
            Membership(from_row(Person, row), row["role"]) for row in self._query(sql, [actor_id])
        ]

    def relations_of(self, actor_id: str) -> list[RelationView]:
        sql = (
            "SELECT r.*, o.id AS other_id, o.name AS other_name, r.source_id = :id AS outgoing "
            "FROM relations r JOIN actors o "
            "ON o.id = CASE WHEN r.source_id = :id THEN r.target_id ELSE r.source_id END "
            "WHERE (r.source_id = :id OR r.target_id = :id) AND r.deleted = 0 AND o.deleted = 0 "
            "ORDER BY r.type, o.sort_name"
        )
        return [
            RelationView(
                from_row(Relation, row), row["other_id"], row["other_name"], bool(row["outgoing"])
            )
            for row in self._query(sql, {"id": actor_id})
        ]

    def get_interaction(self, interaction_id: str) -> Interaction | None:
        row = self.get_record("interactions", interaction_id)
        return from_row(Interaction, row) if row else None

    def interactions_of(self, actor_id: str) -> list[Interaction]:
        sql = "SELECT * FROM interactions WHERE actor_id = ? AND deleted = 0 ORDER BY date DESC"
        return [from_row(Interaction, row) for row in self._query(sql, [actor_id])]

    # -- search and bulk ----------------------------------------------------

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Actors, people and interactions matching every word of ``text`` (as prefixes)."""
        return search_all(self.conn, text, limit)

    def bulk_insert(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        """Insert many complete rows at once (demo data, imports) in one transaction."""
        if table not in BULK_TABLES:
            raise ValueError(f"not a bulk table: {table}")
        with self.db.atomic():
            self.db[table].insert_all(rows, batch_size=1000)

    @contextmanager
    def deferred_actor_indexing(self) -> Iterator[None]:
        """Inside a transaction: index the actors inserted meanwhile in one statement at the end.

        For bulk writes (imports): per-row triggers cost several times what one
        set-based insert does. The two insert triggers are dropped and restored
        within the caller's transaction, so a failure rolls them back too. Updates
        keep their trigger: write an updated actor's tags before updating it.
        """
        with deferred_actor_indexing(self.conn):
            yield

    def optimize_search_index(self) -> None:
        """Merge the full-text index into one segment per table (after bulk writes)."""
        with self.db.atomic():
            for table in ("actors_fts", "people_fts", "interactions_fts"):
                self.db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")

    def counts(self, tables: Iterable[str] = RECORD_TABLES) -> dict[str, int]:
        """Live (not deleted) records per table."""
        counted = {}
        for table in tables:
            if table not in RECORD_TABLES:
                raise ValueError(f"not a record table: {table}")
            sql = f"SELECT count(*) FROM {table} WHERE deleted = 0"
            counted[table] = int(self.conn.execute(sql).fetchone()[0])
        return counted

    def _new_row(self, **fields: Any) -> dict[str, Any]:
        now = now_iso()
        return {
            "id": new_id(),
            "owner": self.member_id,
            "visibility": "network",
            **fields,
            "created_at": now,
            "updated_at": now,
        }


def _check_table(table: str) -> None:
    if table not in RECORD_TABLES and table != "map_views":
        raise ValueError(f"not a record table: {table}")


def _check_person(row: dict[str, Any]) -> None:
    if not (str(row.get("first_name") or "").strip() or str(row.get("last_name") or "").strip()):
        raise InvalidRecord(_("Une personne doit avoir un prénom ou un nom."))
    basis = row.get("legal_basis")
    if basis and basis not in LEGAL_BASES:
        raise InvalidRecord(_("Base légale inconnue : « {value} »").format(value=basis))
    _check_visibility(row)


def _check_relation(row: dict[str, Any]) -> None:
    if row.get("type") not in RELATION_TYPES:
        raise InvalidRecord(
            _("Type de relation inconnu : « {value} »").format(value=row.get("type"))
        )
    if row.get("source_id") == row.get("target_id"):
        raise InvalidRecord(_("Un acteur ne peut pas être en relation avec lui-même."))
    _check_visibility(row)


def _check_interaction(row: dict[str, Any]) -> None:
    if row.get("kind") not in INTERACTION_KINDS:
        raise InvalidRecord(_("Type d'échange inconnu : « {value} »").format(value=row.get("kind")))
    _check_visibility(row)


_CHECKS = {
    "people": _check_person,
    "relations": _check_relation,
    "interactions": _check_interaction,
}


def _check_visibility(row: dict[str, Any]) -> None:
    if row.get("visibility") not in VISIBILITIES:
        raise InvalidRecord(
            _("Visibilité inconnue : « {value} » (privé ou réseau)").format(
                value=row.get("visibility")
            )
        )


def _check_actor(row: dict[str, Any]) -> None:
    if not str(row.get("name") or "").strip():
        raise InvalidRecord(_("Le nom de l'acteur est obligatoire."))
    if row.get("kind") not in ACTOR_KINDS:
        raise InvalidRecord(_("Type d'acteur inconnu : « {value} »").format(value=row.get("kind")))
    _check_visibility(row)
