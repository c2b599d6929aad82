"""Queries the directory's forms and cards need beyond the store's own API."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from itertools import groupby

from companion.store.records import Affiliation, Interaction, Person, from_row


@dataclass(frozen=True)
class Member:
    """A person linked to an actor, with the link itself (to edit or remove it)."""

    affiliation: Affiliation
    person: Person


def _rows(conn: sqlite3.Connection, sql: str, params: tuple | dict = ()) -> list[dict]:
    cursor = conn.execute(sql, params)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def tag_names(conn: sqlite3.Connection) -> list[str]:
    """Every live tag's name, for completion."""
    sql = "SELECT name FROM tags WHERE deleted = 0 ORDER BY name COLLATE NOCASE"
    return [row[0] for row in conn.execute(sql)]


def members_of(conn: sqlite3.Connection, actor_id: str) -> list[Member]:
    """The live affiliations of an actor with their people, by last then first name."""
    sql = (
        "SELECT f.id AS f_id, f.role AS f_role, f.start_date AS f_start, f.end_date AS f_end, "
        "f.visibility AS f_visibility, p.* "
        "FROM affiliations f JOIN people p ON p.id = f.person_id "
        "WHERE f.actor_id = ? AND f.deleted = 0 AND p.deleted = 0 "
        "ORDER BY p.last_name, p.first_name"
    )
    members = []
    for row in _rows(conn, sql, (actor_id,)):
        affiliation = Affiliation(
            id=row["f_id"],
            person_id=row["id"],
            actor_id=actor_id,
            role=row["f_role"],
            start_date=row["f_start"],
            end_date=row["f_end"],
            visibility=row["f_visibility"],
        )
        members.append(Member(affiliation, from_row(Person, row)))
    return members


@dataclass(frozen=True)
class TimelineEntry:
    """An interaction with the names of who it was with (empty when not linked)."""

    interaction: Interaction
    actor_name: str
    person_name: str


def timeline_of(
    conn: sqlite3.Connection, actor_id: str | None = None, person_id: str | None = None
) -> list[TimelineEntry]:
    """Live interactions with this actor or this person (either given), newest first."""
    if actor_id is None and person_id is None:
        return []
    sql = (
        "SELECT i.*, coalesce(a.name, '') AS actor_name, "
        "trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')) AS person_name "
        "FROM interactions i "
        "LEFT JOIN actors a ON a.id = i.actor_id AND a.deleted = 0 "
        "LEFT JOIN people p ON p.id = i.person_id AND p.deleted = 0 "
        "WHERE i.deleted = 0 AND (i.actor_id = :actor OR i.person_id = :person) "
        "ORDER BY i.date DESC, i.created_at DESC"
    )
    return [
        TimelineEntry(from_row(Interaction, row), row["actor_name"], row["person_name"])
        for row in _rows(conn, sql, {"actor": actor_id, "person": person_id})
    ]


def by_year(entries: list[TimelineEntry]) -> list[tuple[str, list[TimelineEntry]]]:
    """Consecutive entries grouped by the year of their date (the order is kept)."""
    return [
        (year, list(group))
        for year, group in groupby(entries, key=lambda entry: entry.interaction.date[:4])
    ]


def excerpt(text: str, length: int = 140) -> str:
    """The start of a note on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] or flat[:length]
    return cut.rstrip(" ,;.:") + "…"


def actor_links(conn: sqlite3.Connection, actor_id: str) -> list[tuple[str, str]]:
    """(table, id) of the live relations and affiliations that hang on an actor."""
    sql = (
        "SELECT 'relations', id FROM relations WHERE deleted = 0 "
        "AND (source_id = :id OR target_id = :id) "
        "UNION ALL SELECT 'affiliations', id FROM affiliations WHERE deleted = 0 AND actor_id = :id"
    )
    return [(table, record_id) for table, record_id in conn.execute(sql, {"id": actor_id})]


def relation_exists(
    conn: sqlite3.Connection, source_id: str, target_id: str, type: str, other_than: str = ""
) -> bool:
    """Whether a live relation of this type already joins these two actors (either way)."""
    sql = (
        "SELECT 1 FROM relations WHERE deleted = 0 AND type = ? AND id <> ? AND "
        "((source_id = ? AND target_id = ?) OR (source_id = ? AND target_id = ?)) LIMIT 1"
    )
    params = (type, other_than, source_id, target_id, target_id, source_id)
    return conn.execute(sql, params).fetchone() is not None


def affiliation_exists(
    conn: sqlite3.Connection, person_id: str, actor_id: str, other_than: str = ""
) -> bool:
    """Whether this person is already linked to this actor."""
    sql = (
        "SELECT 1 FROM affiliations WHERE deleted = 0 AND person_id = ? AND actor_id = ? "
        "AND id <> ? LIMIT 1"
    )
    return conn.execute(sql, (person_id, actor_id, other_than)).fetchone() is not None
