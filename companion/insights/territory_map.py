"""The territory profile's map: its outline among its neighbours, its actors as dots.

Drawn offline from what the app ships: ``outlines.sqlite`` (``geo.outlines``: the
territory's own outline, and around a commune or an EPCI the communes and EPCIs
near it, around a département its EPCIs) and the départements' outlines built
by ``make data`` (the neighbours of a département or a région). Coordinates are
projected here (longitude scaled by the cosine of the middle latitude, y
downwards) so that the UI only paints paths. Qt-free.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from companion.geo import Gazetteer
from companion.geo.outlines import LEVELS, Outlines, OutlinesMissing
from companion.insights.db import json_list
from companion.insights.places import Territory
from companion.paths import built_data_path

Ring = list[tuple[float, float]]
PADDING = 0.12  # of the territory's extent, shown around it

_ACTORS = """
SELECT kind, latitude, longitude, insee_code FROM actors
WHERE deleted = 0 AND id IN (SELECT value FROM json_each(:ids)) ORDER BY sort_name, id
"""


@dataclass(frozen=True)
class MapDrawing:
    """A territory's map in projected units (y downwards), (0, 0) at the top left."""

    width: float
    height: float
    outline: list[Ring]  # the territory's own rings
    areas: list[Ring] = field(default_factory=list)  # smaller areas around and inside
    borders: list[Ring] = field(default_factory=list)  # départements around
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, actor kind


def territory_map(
    conn: sqlite3.Connection,
    gazetteer: Gazetteer,
    territory: Territory,
    actor_ids: list[str],
    outlines: Outlines | None = None,
) -> MapDrawing | None:
    """The map of ``territory`` and of these actors (its own); None without its outline."""
    if territory.level not in LEVELS:
        return None
    outlines = outlines or Outlines()
    try:
        feature = outlines.feature(territory.level, territory.code)
    except OutlinesMissing:
        return None
    if feature is None:
        return None
    own = _rings(json.loads(feature)["geometry"])
    if not own:
        return None
    west, south, east, north = _extent(own)
    pad_x, pad_y = (east - west) * PADDING, (north - south) * PADDING
    box = (west - pad_x, south - pad_y, east + pad_x, north + pad_y)
    areas = _areas_around(outlines, territory, box)
    borders = [ring for ring in _departement_rings() if _meets(ring, box)]
    places = list(conn.execute(_ACTORS, {"ids": json_list(actor_ids)}))
    centres = {
        code: (lat, lon)
        for code, lat, lon in gazetteer.centres(
            sorted({insee for _k, lat, _lon, insee in places if lat is None and insee})
        )
    }
    points = []
    for kind, lat, lon, insee in places:
        if lat is None or lon is None:
            lat, lon = centres.get(insee, (None, None))
        if lat is not None and lon is not None:
            points.append((lon, lat, kind))
    return _project(box, own, areas, borders, points)


def _areas_around(outlines: Outlines, territory: Territory, box: tuple) -> list[Ring]:
    """Communes and EPCIs around a commune or an EPCI; the EPCIs of a département."""
    if territory.level in ("commune", "epci"):
        zoom, levels = 10, ("commune", "epci")
    elif territory.level == "departement":
        zoom, levels = 8, ("epci",)
    else:
        return []
    found = json.loads(outlines.viewport(zoom, box))
    rings: list[Ring] = []
    for feature in found["features"]:
        if feature["properties"].get("level") in levels:
            rings += _rings(feature["geometry"])
    return rings


@cache
def _departement_rings(path: Path | None = None) -> list[Ring]:
    source = path or built_data_path("boundaries") / "departements.geojson"
    try:
        collection = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [ring for f in collection.get("features", []) for ring in _rings(f["geometry"])]


def _rings(geometry: dict[str, Any] | None) -> list[Ring]:
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return []
    return [
        [(float(x), float(y)) for x, y, *_z in ring] for polygon in polygons for ring in polygon
    ]


def _extent(rings: list[Ring]) -> tuple[float, float, float, float]:
    xs = [x for ring in rings for x, _y in ring]
    ys = [y for ring in rings for _x, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _meets(ring: Ring, box: tuple) -> bool:
    west, south, east, north = _extent([ring])
    return west <= box[2] and east >= box[0] and south <= box[3] and north >= box[1]


def _project(
    box: tuple, own: list[Ring], areas: list[Ring], borders: list[Ring], points: list
) -> MapDrawing:
    west, south, east, north = box
    squeeze = math.cos(math.radians((south + north) / 2))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - west) * squeeze, 6), round(north - lat, 6))

    def rings(found: list[Ring]) -> list[Ring]:
        return [[xy(x, y) for x, y in ring] for ring in found]

    inside = [
        (*xy(lon, lat), kind)
        for lon, lat, kind in points
        if west <= lon <= east and south <= lat <= north
    ]
    return MapDrawing(
        width=(east - west) * squeeze,
        height=north - south,
        outline=rings(own),
        areas=rings(areas),
        borders=rings(borders),
        dots=inside,
    )
