"""What a map file holds besides points: lines between actors become relations, other
lines and polygons zones (``io/zones.py``), or are set aside with a note when the user
skips zones (never a refusal of the whole file).

A line is a relation when each of its ends falls on an actor: one of the file's own points
(the same position) or an actor already in the directory within ``SNAP_METRES``. Its type
comes from a property that names one (« Partenariat », « financement »…), else the
import's default relation type. A zone whose geometry cannot be drawn is a problem of its
feature (field « géométrie »), as a bad e-mail is a problem of its row.
"""

from __future__ import annotations

import math
from typing import Any

from companion.domain import RELATION_TYPES
from companion.i18n import NBSP, _
from companion.io.import_plan import ImportPlan, PlannedRelation, Problem
from companion.io.zones import GEOMETRY_FIELD, ZONE_TYPES, BadGeometry, plan_zone
from companion.store import Store
from companion.store.zones import zone_exists
from companion.text import fold

SNAP_METRES = 30.0  # an end of a line this close to an actor is on it
TYPE_PROPERTIES = ("type", "relation", "type de relation", "nature", "lien")
_METRES_PER_DEGREE = 111_320.0


# A map feature set apart from the points: its number, the feature, its uMap layer's name
# and that layer's ``_umap_options``.
OtherFeature = tuple[int, dict[str, Any], str, Any]


def plan_other_features(
    store: Store,
    plan: ImportPlan,
    features: list[OtherFeature],
    relation_type: str = "autre",
    zones: bool = True,
) -> None:
    """Add to ``plan`` the relations its lines make, the zones its other lines and areas
    make (or, ``zones`` False, a note for each one skipped) and a note for the rest."""
    if not features:
        return
    own_points = {
        (
            round(actor.values["latitude"] * 1e5),
            round(actor.values["longitude"] * 1e5),
        ): actor.actor_id
        for actor in plan.actors
        if actor.values.get("latitude") is not None and actor.values.get("longitude") is not None
    }
    for number, feature, layer, layer_options in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind == "LineString":
            relation = _relation(store, own_points, number, feature, relation_type)
            if relation is not None:
                plan.relations.append(relation)
                continue
        if kind not in ZONE_TYPES:
            plan.set_aside.append(
                Problem(
                    number,
                    "",
                    _("géométrie « {kind} » mise de côté").format(kind=kind or "?"),
                    unit="feature",
                )
            )
        elif not zones:
            plan.skipped_zones += 1
            plan.set_aside.append(
                Problem(number, "", _("zone {name}ignorée").format(name=_name(feature)),
                        unit="feature")
            )  # fmt: skip
        else:
            try:
                zone = plan_zone(number, feature, layer, layer_options)
            except BadGeometry as error:
                plan.problems.append(Problem(number, GEOMETRY_FIELD, str(error), unit="feature"))
                continue
            if zone_exists(store.conn, zone.name, zone.geometry):  # the same file again
                plan.set_aside.append(
                    Problem(number, "", _("zone « {name} » déjà présente").format(name=zone.name),
                            unit="feature")
                )  # fmt: skip
            else:
                plan.zones.append(zone)


def _relation(
    store: Store,
    own_points: dict[tuple[int, int], str],
    number: int,
    feature: dict[str, Any],
    relation_type: str,
) -> PlannedRelation | None:
    coordinates = feature["geometry"].get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    ends = [_point(coordinates[0]), _point(coordinates[-1])]
    if None in ends:
        return None
    ids = [_actor_at(store, own_points, *end) for end in ends]  # type: ignore[misc]
    if None in ids or ids[0] == ids[1]:
        return None
    properties = feature.get("properties")
    named = _named_type(properties if isinstance(properties, dict) else {})
    return PlannedRelation(number, str(ids[0]), str(ids[1]), named or relation_type)


def _point(value: Any) -> tuple[float, float] | None:
    """(latitude, longitude) of a GeoJSON position, or None."""
    if not isinstance(value, list) or len(value) < 2:
        return None
    try:
        longitude, latitude = float(value[0]), float(value[1])
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    return latitude, longitude


def _metre_key(latitude: float, longitude: float) -> tuple[int, int]:
    """A position to about a metre: the file's own points are found by it."""
    return round(latitude * 1e5), round(longitude * 1e5)


def _actor_at(
    store: Store, own_points: dict[tuple[int, int], str], latitude: float, longitude: float
) -> str | None:
    """The file's point at this position, else the nearest actor within ``SNAP_METRES``."""
    own = own_points.get(_metre_key(latitude, longitude))
    if own is not None:
        return own
    degrees = SNAP_METRES / _METRES_PER_DEGREE
    across = degrees / max(math.cos(math.radians(latitude)), 0.01)
    rows = store.conn.execute(
        "SELECT id, latitude, longitude FROM actors WHERE deleted = 0 "
        "AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?",
        (latitude - degrees, latitude + degrees, longitude - across, longitude + across),
    ).fetchall()
    best = None
    for actor_id, lat, lon in rows:
        metres = math.hypot(
            (lat - latitude) * _METRES_PER_DEGREE,
            (lon - longitude) * _METRES_PER_DEGREE * math.cos(math.radians(latitude)),
        )
        if metres <= SNAP_METRES and (best is None or metres < best[0]):
            best = (metres, actor_id)
    return best[1] if best else None


# A relation type named by its key or its French label, folded.
_TYPES_BY_NAME = {fold(key): key for key in RELATION_TYPES} | {
    fold(label): key for key, label in RELATION_TYPES.items()
}


def _named_type(properties: dict[str, Any]) -> str | None:
    """The relation type a property names (« Partenariat », « financement »…)."""
    for name, value in properties.items():
        if fold(str(name)) in TYPE_PROPERTIES and isinstance(value, str):
            found = _TYPES_BY_NAME.get(fold(value))
            if found:
                return found
    return None


def _name(feature: Any) -> str:
    """« name » and a space, for a note; empty when the feature has no name."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    return f"«{NBSP}{name}{NBSP}» " if isinstance(name, str) and name.strip() else ""
