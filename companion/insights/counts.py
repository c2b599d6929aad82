"""Actors by kind, and relations inside a territory or across its border, for several
territories in one pass.

Actors are counted grouped by (INSEE code, département, kind): a few thousand
groups, placed in Python through the gazetteer's index. Relations cost more: each
needs the place of both ends. So each territory is measured from the smaller side
of its border. For a commune, the relations touching its actors are read; for a
région holding most of the database, the relations touching the actors *outside*
it are read, and every relation not read lies inside it (totals by type come from
an index). Relations to a deleted actor never count: deleted actors are always
read, so no relation touching one hides in the totals.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from companion.insights.db import json_list
from companion.insights.places import PlaceIndex, Territory

_ACTOR_GROUPS = """
SELECT insee_code, departement, kind, count(*) FROM actors WHERE deleted = 0 GROUP BY 1, 2, 3
"""
_ACTORS_OF_GROUPS = """
SELECT id, insee_code, departement FROM actors
WHERE deleted = 0 AND insee_code IN (SELECT value FROM json_each(:codes))
UNION ALL
SELECT id, insee_code, departement FROM actors
WHERE deleted = 0 AND insee_code IS NULL
    AND coalesce(departement, '') IN (SELECT value FROM json_each(:deps))
"""
_TOUCHING = """
SELECT type, source_id, target_id FROM relations
WHERE deleted = 0 AND source_id IN (SELECT value FROM json_each(:ids))
UNION ALL
SELECT type, source_id, target_id FROM relations
WHERE deleted = 0 AND target_id IN (SELECT value FROM json_each(:ids))
    AND source_id NOT IN (SELECT value FROM json_each(:ids))
"""


@dataclass
class Tally:
    """What one territory holds: live actors by kind, live relations by type."""

    actors_by_kind: Counter[str] = field(default_factory=Counter)
    inside: Counter[str] = field(default_factory=Counter)  # both ends in the territory
    crossing: Counter[str] = field(default_factory=Counter)  # one end in, one (live) outside


def tally(conn: sqlite3.Connection, index: PlaceIndex, territories: list[Territory]) -> list[Tally]:
    """One ``Tally`` per territory, in the same order."""
    masks: dict[tuple[str | None, str | None], int] = {}  # (INSEE, département) -> territories

    def mask_of(insee: str | None, departement: str | None) -> int:
        mask = masks.get((insee, departement))
        if mask is None:
            location = index.locate(insee, departement)
            mask = sum(1 << k for k, t in enumerate(territories) if location.within(t))
            masks[insee, departement] = mask
        return mask

    by_mask: Counter[tuple[int, str]] = Counter()
    for insee, departement, kind, count in conn.execute(_ACTOR_GROUPS):
        by_mask[mask_of(insee, departement), kind] += count
    tallies = [Tally() for _ in territories]
    for (mask, kind), count in by_mask.items():
        for k, kept in enumerate(tallies):
            if mask >> k & 1:
                kept.actors_by_kind[kind] += count
    total = sum(by_mask.values())
    # Read each territory's smaller side: its members, or everyone else.
    direct = sum(
        1 << k for k, t in enumerate(tallies) if sum(t.actors_by_kind.values()) * 2 <= total
    )
    unread = ((1 << len(territories)) - 1) & ~direct  # the big side of every border
    wanted = [key for key, mask in masks.items() if (mask & direct) or (~mask & unread)]
    zones: dict[str, int | None] = {}
    if wanted:
        codes = json_list({insee for insee, _ in wanted if insee is not None})
        deps = json_list({dep or "" for insee, dep in wanted if insee is None})
        for actor_id, insee, departement in conn.execute(
            _ACTORS_OF_GROUPS, {"codes": codes, "deps": deps}
        ):
            zones[actor_id] = mask_of(insee, departement)
    for (actor_id,) in conn.execute("SELECT id FROM actors WHERE deleted = 1"):
        zones[actor_id] = None
    read: Counter[tuple[str, int | None, int | None]] = Counter()
    if zones:
        get = zones.get
        rows = conn.execute(_TOUCHING, {"ids": json_list(zones)})
        read.update(
            (kind, get(source, unread), get(target, unread)) for kind, source, target in rows
        )
    for (kind, source, target), count in read.items():
        if source is not None and target is not None:  # no deleted end
            for k, kept in enumerate(tallies):
                ends = (source >> k & 1) + (target >> k & 1)
                if ends == 2:
                    kept.inside[kind] += count
                elif ends == 1:
                    kept.crossing[kind] += count
    if unread:  # relations not read have both ends on the big side of every border
        read_by_type = Counter()
        for (kind, _source, _target), count in read.items():
            read_by_type[kind] += count
        totals = conn.execute("SELECT type, count(*) FROM relations WHERE deleted = 0 GROUP BY 1")
        for kind, count in totals:
            for k, kept in enumerate(tallies):
                if unread >> k & 1 and count > read_by_type[kind]:
                    kept.inside[kind] += count - read_by_type[kind]
    return tallies
