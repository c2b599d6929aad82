"""What the map shows: a filter (a dataclass), its SQL, and the state pushed to the page.

A filter never rebuilds the page: the page holds every actor once, and a filter
change sends it the list of visible actors' feature ids (``seq``), the relation
types to draw and which relations to draw (``relations``, one of RELATION_MODES).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from companion.maps.basemap import departements_of
from companion.store.search import match_expression
from companion.text import fold

# Which relations the map draws. "auto": those of the actor whose card is open (and, on
# demand, its neighbours'), or every one inside a filtered territory (a région or a
# département): thousands of lines over the whole country are a haze; "all": every
# relation between the actors shown; "flows": relations between départements, summed
# into one line per pair weighted by their number; "none".
RELATION_MODES = ("auto", "all", "flows", "none")


@dataclass(frozen=True)
class MapFilter:
    """A map filter. ``None`` means "no condition"; an empty set matches nothing."""

    kinds: frozenset[str] | None = None
    tags: frozenset[str] | None = None  # actors with at least one of these tags
    region: str = ""  # région code
    departement: str = ""  # département code (wins over the région)
    visibility: str = ""  # "", "private" or "network"
    text: str = ""  # full-text search (names, descriptions, places, tags)
    relation_types: frozenset[str] | None = None
    relations: str = "auto"  # one of RELATION_MODES
    zones: bool = True  # the zones (store/zones.py) drawn under the actors

    @property
    def show_relations(self) -> bool:
        return self.relations != "none"

    @property
    def territory(self) -> bool:
        """Whether the filter keeps one territory (a région or a département)."""
        return bool(self.region or self.departement)

    def filters_actors(self) -> bool:
        """Whether any condition applies to actors (else every actor is shown)."""
        return bool(
            self.kinds is not None
            or self.tags is not None
            or self.region
            or self.departement
            or self.visibility
            or self.text.strip()
        )


def actor_condition(spec: MapFilter) -> tuple[str, list[Any]]:
    """A SQL condition on ``actors a`` (live, with coordinates) and its parameters."""
    clauses = ["a.deleted = 0", "a.latitude IS NOT NULL", "a.longitude IS NOT NULL"]
    params: list[Any] = []
    if spec.kinds is not None:
        clauses.append(_in("a.kind", sorted(spec.kinds), params))
    if spec.tags is not None:
        names = sorted(spec.tags)
        marks = ", ".join("?" * len(names)) or "NULL"
        clauses.append(
            "a.id IN (SELECT at.actor_id FROM tags t JOIN actor_tags at ON at.tag_id = t.id "
            f"WHERE t.deleted = 0 AND t.name IN ({marks}))"
        )
        params.extend(names)
    if spec.departement:
        clauses.append("a.departement = ?")
        params.append(spec.departement)
    elif spec.region:
        clauses.append(_in("a.departement", departements_of(spec.region), params))
    if spec.visibility:
        clauses.append("a.visibility = ?")
        params.append(spec.visibility)
    if spec.text.strip():
        expression = match_expression(spec.text)
        if expression is None:  # only punctuation: nothing can match
            clauses.append("0")
        else:
            clauses.append("a.seq IN (SELECT rowid FROM actors_fts WHERE actors_fts MATCH ?)")
            params.append(expression)
    return " AND ".join(clauses), params


def _in(column: str, values: list[str], params: list[Any]) -> str:
    if not values:
        return "0"
    params.extend(values)
    return f"{column} IN ({', '.join('?' * len(values))})"


def visible_actor_keys(conn: sqlite3.Connection, spec: MapFilter) -> list[int] | None:
    """Feature ids of the actors the filter keeps, ascending; None when it keeps them all."""
    if not spec.filters_actors():
        return None
    where, params = actor_condition(spec)
    sql = f"SELECT a.seq FROM actors a WHERE {where} ORDER BY a.seq"
    return [row[0] for row in conn.execute(sql, params)]


def page_match(spec: MapFilter) -> dict[str, Any] | None:
    """What the page checks itself, on the fields it has (``map.js``, "filters"): the
    same conditions as ``actor_condition`` but the text's; None when there is none."""
    departements = None
    if spec.departement:
        departements = [spec.departement]
    elif spec.region:
        departements = sorted(departements_of(spec.region))
    match = {
        "kinds": None if spec.kinds is None else sorted(spec.kinds),
        "tags": None if spec.tags is None else sorted(spec.tags),
        "departements": departements,
        "private": None if not spec.visibility else spec.visibility == "private",
    }
    return match if any(value is not None for value in match.values()) else None


def page_state(conn: sqlite3.Connection, spec: MapFilter) -> dict[str, Any]:
    """The JSON-ready state the page applies: ``match`` (what the page checks itself on
    each actor), ``actors`` (the text search's ids, or null without text), relations.

    The page filters 100,000 actors in a few milliseconds; the store would take up to a
    tenth of a second for some filters, and their ids half a megabyte to send."""
    types = None if spec.relation_types is None else sorted(spec.relation_types)
    text = visible_actor_keys(conn, MapFilter(text=spec.text)) if spec.text.strip() else None
    return {
        "actors": text,
        "match": page_match(spec),
        "relationTypes": types,
        "relations": spec.relations,
        "territory": spec.territory,
        "zones": spec.zones,
    }


def tag_names(conn: sqlite3.Connection) -> list[str]:
    """The names of the live tags in alphabetical order (accents and case ignored)."""
    names = [row[0] for row in conn.execute("SELECT name FROM tags WHERE deleted = 0")]
    return sorted(names, key=fold)
