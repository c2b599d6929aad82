"""Zones: the named areas and lines a map file brings that are not relations (a perimeter,
a quartier prioritaire, a project's area), kept with the data and drawn under the actors.

A zone's geometry is checked before it is kept (types, coordinates in range and finite,
rings closed, sizes bounded): a bad one is a problem of its feature, never of the file.
Its style is uMap's (the feature's ``_umap_options`` over its layer's), reduced to the
few options the map draws and checked, since they reach the page's drawing calls.
The table and its records: ``store/zones.py``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from companion.i18n import _
from companion.store import Store
from companion.store.records import now_iso
from companion.store.zones import MAX_NAME, add_zone

ZONE_TYPES = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")
MAX_POSITIONS = 200_000  # in one zone: a commune's detailed outline has a few thousand
MAX_PARTS = 10_000  # lines of a MultiLineString, rings of a polygon, polygons of a multi
NAME_PROPERTIES = ("name", "nom", "title", "titre")
MAX_DESCRIPTION = 5_000
GEOMETRY_FIELD = "géométrie"  # the field a geometry's problem names
DECIMALS = 6  # about 10 cm: enough for a drawn perimeter, half the digits of a float

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")
_DASHES = re.compile(r"^[0-9]{1,3}([ ,]+[0-9]{1,3}){0,7}$")
# uMap's numeric options the map draws with, and the values it takes: (lowest, highest)
_STYLE_NUMBERS = {
    "weight": (0.0, 20.0),
    "opacity": (0.0, 1.0),
    "fillOpacity": (0.0, 1.0),
}
_STYLE_COLOURS = ("color", "fillColor")


@dataclass(frozen=True)
class PlannedZone:
    line: int  # the feature's number in the map file
    name: str
    description: str
    category: str  # the uMap layer's name
    geometry: str  # GeoJSON text, coordinates rounded
    style: str  # JSON text: color, weight, opacity, fillColor, fillOpacity, dashArray


class BadGeometry(ValueError):
    """A zone's geometry cannot be kept; the message is French and names what is wrong."""


def check_geometry(geometry: Any) -> dict[str, Any]:
    """A clean copy of a (Multi)LineString or (Multi)Polygon (coordinates rounded to
    ``DECIMALS``, a third coordinate dropped); ``BadGeometry`` when it cannot be drawn."""
    if not isinstance(geometry, dict):
        raise BadGeometry(_("géométrie absente"))
    kind = geometry.get("type")
    if kind not in ZONE_TYPES:
        raise BadGeometry(_("géométrie « {kind} » non prise en charge").format(kind=kind))
    counter = [0]
    coordinates = geometry.get("coordinates")
    if kind == "LineString":
        clean: Any = _line(coordinates, counter)
    elif kind == "MultiLineString":
        clean = [_line(part, counter) for part in _parts(coordinates)]
    elif kind == "Polygon":
        clean = _polygon(coordinates, counter)
    else:
        clean = [_polygon(part, counter) for part in _parts(coordinates)]
    return {"type": kind, "coordinates": clean}


def _parts(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise BadGeometry(_("coordonnées absentes ou illisibles"))
    if len(value) > MAX_PARTS:
        raise BadGeometry(
            _("trop de parties ({count}, au plus {limit})").format(
                count=len(value), limit=MAX_PARTS
            )
        )
    return value


def _line(value: Any, counter: list[int]) -> list[list[float]]:
    positions = _positions(value, counter)
    if len(positions) < 2:
        raise BadGeometry(_("une ligne n'a qu'un point, il en faut au moins deux"))
    return positions


def _polygon(value: Any, counter: list[int]) -> list[list[list[float]]]:
    rings = []
    for ring in _parts(value):
        positions = _positions(ring, counter)
        if len(positions) < 4:
            raise BadGeometry(
                _("un contour a {count} point(s), il en faut au moins 4 (le premier répété "
                  "à la fin)").format(count=len(positions))
            )  # fmt: skip
        if positions[0] != positions[-1]:
            raise BadGeometry(_("un contour n'est pas fermé (son premier et son dernier point "
                                "diffèrent)"))  # fmt: skip
        rings.append(positions)
    return rings


_NUMBERS = (int, float)  # exactly: a bool is no coordinate


def _positions(value: Any, counter: list[int]) -> list[list[float]]:
    """A line's or a ring's positions, rounded; one loop, as a detailed outline has many."""
    if not isinstance(value, list) or not value:
        raise BadGeometry(_("coordonnées absentes ou illisibles"))
    counter[0] += len(value)
    if counter[0] > MAX_POSITIONS:
        raise BadGeometry(_("trop de points (au plus {limit})").format(limit=MAX_POSITIONS))
    clean = []
    for item in value:
        if (
            type(item) is not list
            or not 2 <= len(item) <= 4
            or type(item[0]) not in _NUMBERS
            or type(item[1]) not in _NUMBERS
        ):
            raise BadGeometry(_("un point n'est pas une paire de nombres (longitude, latitude)"))
        try:
            longitude, latitude = float(item[0]), float(item[1])
        except OverflowError:  # an integer of hundreds of digits
            raise BadGeometry(_("un point a une coordonnée non finie")) from None
        if not (-180.0 <= longitude <= 180.0 and -90.0 <= latitude <= 90.0):
            raise _outside(longitude, latitude)
        clean.append([round(longitude, DECIMALS), round(latitude, DECIMALS)])
    return clean


def _outside(longitude: float, latitude: float) -> BadGeometry:
    if not (math.isfinite(longitude) and math.isfinite(latitude)):  # NaN compares false
        return BadGeometry(_("un point a une coordonnée non finie"))
    return BadGeometry(
        _("point hors du globe (longitude {lon}, latitude {lat})").format(
            lon=round(longitude, 6), lat=round(latitude, 6)
        )
    )


def zone_style(*options: Any) -> dict[str, Any]:
    """The drawing options uMap gives (each ``_umap_options``, later ones winning: the
    layer's, then the feature's), those the map draws with a value it can take."""
    style: dict[str, Any] = {}
    for found in options:
        if not isinstance(found, dict):
            continue
        for name in _STYLE_COLOURS:
            value = found.get(name)
            if isinstance(value, str) and _COLOUR.match(value.strip()):
                style[name] = value.strip()
        for name, (low, high) in _STYLE_NUMBERS.items():
            value = _number(found.get(name))
            if value is not None and low <= value <= high:
                style[name] = int(value) if value.is_integer() else value
        dashes = found.get("dashArray")
        if isinstance(dashes, str) and _DASHES.match(dashes.strip()):
            style["dashArray"] = dashes.strip()
    return style


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def zone_name(properties: Any, number: int) -> str:
    """The feature's name (« name », « nom », « title »…), else « Zone N »."""
    if isinstance(properties, dict):
        by_key = {str(key).strip().lower(): value for key, value in properties.items()}
        for key in NAME_PROPERTIES:
            value = by_key.get(key)
            if isinstance(value, str | int | float) and str(value).strip():
                return " ".join(str(value).split())[:MAX_NAME]
    return _("Zone {number}").format(number=number)


def _category(properties: dict[str, Any]) -> str:
    """A plain GeoJSON file's « categorie » (what the GeoJSON export writes), else ""."""
    for key in ("categorie", "catégorie", "category"):
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:MAX_NAME]
    return ""


def plan_zone(number: int, feature: dict[str, Any], layer: str, layer_options: Any) -> PlannedZone:
    """A feature as a zone; ``BadGeometry`` when its geometry cannot be kept."""
    geometry = check_geometry(feature.get("geometry"))
    properties = feature.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    description = properties.get("description")
    style = zone_style(layer_options, properties.get("_umap_options"))
    return PlannedZone(
        line=number,
        name=zone_name(properties, number),
        description=description.strip()[:MAX_DESCRIPTION] if isinstance(description, str) else "",
        category=layer or _category(properties),
        geometry=json.dumps(geometry, separators=(",", ":")),
        style=json.dumps(style, separators=(",", ":"), sort_keys=True),
    )


def write_zones(store: Store, zones: list[PlannedZone]) -> list[str]:
    """Insert the planned zones (inside the caller's transaction); one already there (same
    name, same geometry) is not added twice. The ids of those added."""
    now = now_iso()
    added = (
        add_zone(store.conn, zone.name, zone.description, zone.category, zone.geometry,
                 zone.style, now)
        for zone in zones
    )  # fmt: skip
    return [zone_id for zone_id in added if zone_id]
