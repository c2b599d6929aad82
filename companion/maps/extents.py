"""Where the map can be fitted: metropolitan France, or a territory found by name or code.

« Cadrer sur » in the Carte (and in presentation): a commune, an intercommunalité
(EPCI), a département or a région, found in the offline gazetteer and framed by its
communes' outlines.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.geo import Gazetteer
from companion.text import fold

Bounds = tuple[float, float, float, float]  # south, west, north, east

# Metropolitan France with Corsica, as French national maps frame it.
METROPOLE: Bounds = (41.3, -5.2, 51.1, 9.6)


@dataclass(frozen=True)
class Place:
    level: str  # "commune", "epci", "departement" or "region"
    code: str
    name: str
    bounds: Bounds


def find_place(gazetteer: Gazetteer, text: str) -> Place | None:
    """The territory ``text`` names: a département's code or name, a région's, an EPCI's
    (a whole word of its name will do), else a commune (name or postcode)."""
    key, compact = fold(text), text.strip().upper()
    if not key:
        return None
    candidates: list[tuple[int, str, str, str]] = []  # rank, level, code, name
    for code, name, _region in gazetteer.departements():
        if compact == code or fold(name) == key:
            candidates.append((0, "departement", code, name))
    for code, name in gazetteer.regions():
        if fold(name) == key:
            candidates.append((1, "region", code, name))
    for code, name in gazetteer.epcis():
        folded = fold(name)
        if folded == key:
            candidates.append((2, "epci", code, name))
        elif f" {key} " in f" {folded} ":
            candidates.append((4, "epci", code, name))
    communes = gazetteer.lookup(text, limit=1)
    if communes:
        candidates.append((3, "commune", communes[0].insee, communes[0].name))
    for _rank, level, code, name in sorted(candidates):
        bounds = gazetteer.bounds(level, code)
        if bounds is not None:
            return Place(level, code, name, bounds)
    return None
