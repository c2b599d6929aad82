"""Territories for the global search box (Ctrl+K): régions, départements and communes.

Straight from the gazetteer, without the place index the Territoires section
builds (0.4 s): the box answers as the user types. Ranked as
``insights.places.search_territories`` ranks them: a code, the whole name, the
name's start, a word's start; départements, then régions, then communes.
Intercommunalités are found in the section's own field.
"""

from __future__ import annotations

from companion.geo import Gazetteer
from companion.i18n import _
from companion.insights.places import LEVELS
from companion.store.search import SearchHit
from companion.text import fold

_ORDER = {"departement": 0, "region": 1, "commune": 2}


def _rank(key: str, compact: str, code: str, name: str) -> int | None:
    folded = fold(name)
    if code == compact:
        return 0
    if folded == key:
        return 1
    if folded.startswith(key):
        return 2
    if f" {key}" in f" {folded}":
        return 3
    return None


def territory_hits(gazetteer: Gazetteer, text: str, limit: int = 8) -> list[SearchHit]:
    """The best territories for ``text``; each hit's id is "level:code" (``Territory.key``)."""
    key, compact = fold(text), text.strip().upper()
    if not key:
        return []
    found: list[tuple[int, int, str, str, str, str]] = []  # rank, order, sort, level, code, title
    for code, name in gazetteer.regions():
        rank = _rank(key, compact, code, name)
        if rank is not None:
            found.append((rank, _ORDER["region"], fold(name), "region", code, name))
    for code, name, _region in gazetteer.departements():
        rank = _rank(key, compact, code, name)
        if rank is not None:
            title = f"{name} ({code})"
            found.append((rank, _ORDER["departement"], fold(name), "departement", code, title))
    for commune in gazetteer.lookup(text, limit):
        if commune.kind != "COM" and commune.parent_insee:  # found as the commune it is part of
            commune = gazetteer.by_insee(commune.parent_insee) or commune
        codes = (commune.insee, *commune.postcodes)
        rank = 0 if compact in codes else (1 if fold(commune.name) == key else 2)
        title = f"{commune.name} ({commune.departement})"
        found.append((rank, _ORDER["commune"], fold(commune.name), "commune", commune.insee, title))
    found.sort()
    hits: list[SearchHit] = []
    seen = set()
    for rank, _order, _sort, level, code, title in found:
        if (level, code) in seen:
            continue
        seen.add((level, code))
        hits.append(SearchHit("territory", f"{level}:{code}", title, _(LEVELS[level]), rank))
    return hits[:limit]
