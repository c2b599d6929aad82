"""Finding toolbox items: full-text search with snippets, the catalogue listing, facets.

Search goes through ``toolbox_fts`` (accents and case ignored, every word a
prefix, bm25 with the title weighted most: see the 0007 migration). Titles and
snippets come back as ``(text, highlighted)`` segments (``snippets.py``), never
HTML: the UI turns them into bold runs itself, so text from the network is
never markup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from companion.store.search import SearchHit, match_expression
from companion.text import fold
from companion.toolbox.snippets import Segments, highlight, query_terms, snippet


@dataclass(frozen=True)
class ToolboxHit:
    id: str
    slug: str
    title: str
    summary: str
    theme: str
    type: str
    title_segments: Segments  # the title, matches highlighted
    snippet: Segments  # a passage of the body around the matches (else the summary)
    rank: float


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    slug: str
    title: str
    summary: str
    theme: str
    type: str
    duration: str | None
    level: str | None
    version: str
    date: str
    source: str


@dataclass(frozen=True)
class Facets:
    themes: dict[str, int]
    types: dict[str, int]


def _filters(theme: str | None, type: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if theme:
        clauses.append("i.theme = ?")
        params.append(theme)
    if type:
        clauses.append("i.type = ?")
        params.append(type)
    return "".join(f" AND {c}" for c in clauses), params


def search(
    conn: sqlite3.Connection,
    text: str,
    theme: str | None = None,
    type: str | None = None,
    limit: int = 50,
) -> list[ToolboxHit]:
    """Items matching every word of ``text`` (as prefixes), best first.

    FTS5 ranks the matches itself (``ORDER BY rank`` with a limit), then only
    the returned hits are highlighted (``snippets``).
    """
    expression = match_expression(text)
    if expression is None:
        return []
    where, params = _filters(theme, type)
    rows = conn.execute(
        f"""SELECT i.id, i.slug, i.title, i.summary, i.theme, i.type, i.body_text,
                   toolbox_fts.rank
            FROM toolbox_fts JOIN toolbox_items i ON i.seq = toolbox_fts.rowid
            WHERE toolbox_fts MATCH ?{where}
            ORDER BY toolbox_fts.rank LIMIT ?""",
        (expression, *params, limit),
    ).fetchall()
    terms = query_terms(text)
    return [
        ToolboxHit(
            item_id,
            slug,
            title,
            summary,
            theme,
            kind,
            highlight(title, terms),
            snippet(body, terms) or highlight(summary, terms),
            rank,
        )
        for item_id, slug, title, summary, theme, kind, body, rank in rows
    ]


def count_matches(
    conn: sqlite3.Connection, text: str, theme: str | None = None, type: str | None = None
) -> int:
    """How many items match ``text`` (with the same filters as ``search``)."""
    expression = match_expression(text)
    if expression is None:
        return 0
    where, params = _filters(theme, type)
    return int(
        conn.execute(
            "SELECT count(*) FROM toolbox_fts JOIN toolbox_items i ON i.seq = toolbox_fts.rowid "
            f"WHERE toolbox_fts MATCH ?{where}",
            (expression, *params),
        ).fetchone()[0]
    )


def global_hits(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[SearchHit]:
    """Toolbox matches as the global search box lists them (entity "toolbox")."""
    return [
        SearchHit("toolbox", hit.id, hit.title, hit.summary, hit.rank)
        for hit in search(conn, text, limit=limit)
    ]


def catalogue(
    conn: sqlite3.Connection, theme: str | None = None, type: str | None = None
) -> list[CatalogueEntry]:
    """Installed items for the catalogue view, filtered, sorted by title (accents ignored)."""
    where, params = _filters(theme, type)
    rows = conn.execute(
        "SELECT i.id, i.slug, i.title, i.summary, i.theme, i.type, i.duration, i.level, "
        f"i.version, i.date, i.source FROM toolbox_items i WHERE 1 = 1{where}",
        params,
    ).fetchall()
    entries = [CatalogueEntry(*row) for row in rows]
    entries.sort(key=lambda entry: (fold(entry.title), entry.title))
    return entries


def facets(
    conn: sqlite3.Connection,
    theme: str | None = None,
    type: str | None = None,
    text: str = "",
) -> Facets:
    """Item counts per theme (within ``type``) and per type (within ``theme``).

    With ``text``, only the items matching it are counted.
    """
    source = "toolbox_items i"
    params: list[Any] = []
    if text.strip():
        expression = match_expression(text)
        if expression is None:
            return Facets({}, {})
        source = (
            "toolbox_fts JOIN toolbox_items i ON i.seq = toolbox_fts.rowid AND toolbox_fts MATCH ?"
        )
        params = [expression]

    def counts(column: str, where: str, extra: list[Any]) -> dict[str, int]:
        sql = f"SELECT i.{column}, count(*) FROM {source} WHERE 1 = 1{where} GROUP BY i.{column}"
        return dict(conn.execute(sql, (*params, *extra)).fetchall())

    return Facets(counts("theme", *_filters(None, type)), counts("type", *_filters(theme, None)))
