"""Full-text queries over the FTS5 index: prefix matching, accents and case ignored, ranked."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)

# bm25 column weights: a match in a name counts most, then tags and place.
ACTOR_RANK = "bm25(actors_fts, 10.0, 1.0, 4.0, 6.0)"
PERSON_RANK = "bm25(people_fts, 10.0, 4.0, 1.0)"
INTERACTION_RANK = "bm25(interactions_fts, 6.0, 1.0)"


@dataclass(frozen=True)
class SearchHit:
    entity: str  # "actor", "person" or "interaction"
    id: str
    title: str
    detail: str
    rank: float


def match_expression(text: str) -> str | None:
    """An FTS5 query where every word of ``text`` must match as a prefix.

    User input never reaches FTS5's query syntax: each word is quoted.

    >>> match_expression('école "jardin')
    '"école"* "jardin"*'
    """
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return None
    return " ".join('"' + token.replace('"', '""') + '"*' for token in tokens)


# Each kind's query; bm25 scores of different tables do not compare (on a large
# network, "ma" ranks 60 actors before any person), so a caller that groups the
# hits by kind asks each its own best few (``hits_by_kind``).
_QUERIES = {
    "actor": f"""SELECT a.id, a.name, coalesce(a.commune, ''), {ACTOR_RANK} AS rank
        FROM actors_fts JOIN actors a ON a.seq = actors_fts.rowid
        WHERE actors_fts MATCH ? ORDER BY rank LIMIT ?""",
    "person": f"""SELECT p.id, trim(p.first_name || ' ' || p.last_name), coalesce(p.email, ''),
               {PERSON_RANK} AS rank
        FROM people_fts JOIN people p ON p.seq = people_fts.rowid
        WHERE people_fts MATCH ? ORDER BY rank LIMIT ?""",
    "interaction": f"""SELECT i.id, i.title, i.date, {INTERACTION_RANK} AS rank
        FROM interactions_fts JOIN interactions i ON i.seq = interactions_fts.rowid
        WHERE interactions_fts MATCH ? ORDER BY rank LIMIT ?""",
}


def hits_by_kind(conn: sqlite3.Connection, text: str, limit: int) -> dict[str, list[SearchHit]]:
    """The best ``limit`` actors, people and interactions matching ``text``, each kind
    apart (kinds without a hit are left out)."""
    expression = match_expression(text)
    if expression is None:
        return {}
    groups = {
        entity: [SearchHit(entity, *row) for row in conn.execute(sql, (expression, limit))]
        for entity, sql in _QUERIES.items()
    }
    return {entity: hits for entity, hits in groups.items() if hits}


def search_all(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[SearchHit]:
    """Actors, people and interactions matching ``text``, best first."""
    hits = [hit for group in hits_by_kind(conn, text, limit).values() for hit in group]
    hits.sort(key=lambda hit: hit.rank)
    return hits[:limit]
