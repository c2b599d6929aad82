"""Finding people as one types: the full-text index, best match first."""

from __future__ import annotations

import sqlite3

from companion.store.records import Person, from_row
from companion.store.search import PERSON_RANK, match_expression


def _people(conn: sqlite3.Connection, sql: str, params: tuple) -> list[Person]:
    cursor = conn.execute(sql, params)
    columns = [column[0] for column in cursor.description]
    return [from_row(Person, dict(zip(columns, row, strict=True))) for row in cursor]


def find_people(conn: sqlite3.Connection, text: str, limit: int = 12) -> list[Person]:
    """Live people whose name, e-mail or notes match every word of ``text`` (as prefixes)."""
    expression = match_expression(text)
    if expression is None:
        return []
    sql = (
        f"SELECT p.* FROM people_fts JOIN people p ON p.seq = people_fts.rowid "
        f"WHERE people_fts MATCH ? AND p.deleted = 0 ORDER BY {PERSON_RANK} LIMIT ?"
    )
    return _people(conn, sql, (expression, limit))


def person_with_email(conn: sqlite3.Connection, email: str) -> Person | None:
    """The live person with this e-mail (case ignored), if any."""
    sql = "SELECT * FROM people WHERE lower(email) = lower(?) AND deleted = 0 LIMIT 1"
    found = _people(conn, sql, (email,))
    return found[0] if found else None


def person_label(person: Person) -> str:
    """How a person reads in a list: "Alice Martin (alice@exemple.fr)"."""
    return f"{person.full_name} ({person.email})" if person.email else person.full_name
