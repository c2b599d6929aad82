"""The ``zones`` table (migration 0015): named areas and lines drawn under the actors (a
perimeter, a quartier prioritaire, a project's area), brought by a map file
(``io/zones.py`` checks them). They stay on this laptop: no sync (docs/SYNC.md).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from companion.i18n import _
from companion.store.records import new_id, now_iso

if TYPE_CHECKING:
    from companion.store.store import Store

MAX_NAME = 200
ZONE_COLOUR = "#3b6ea5"  # a zone whose file gave it no colour (the page's and exports')


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    description: str
    category: str  # the uMap layer it came from
    geometry: dict[str, Any]  # GeoJSON (Multi)LineString or (Multi)Polygon
    style: dict[str, Any]  # color, weight, opacity, fillColor, fillOpacity, dashArray


def zone_exists(conn: sqlite3.Connection, name: str, geometry: str) -> bool:
    """Whether a live zone has this name and this geometry (JSON text as ``add_zone`` keeps it)."""
    try:
        found = conn.execute(
            "SELECT 1 FROM zones WHERE deleted = 0 AND name = ? AND geometry = ?", (name, geometry)
        ).fetchone()
    except sqlite3.OperationalError:  # no such table
        return False
    return found is not None


def add_zone(
    conn: sqlite3.Connection,
    name: str,
    description: str,
    category: str,
    geometry: str,
    style: str,
    now: str | None = None,
) -> str:
    """Insert a zone (``geometry`` and ``style`` as JSON text) unless a live one has the same
    name and geometry; the new zone's id, or "" when it was there already."""
    if zone_exists(conn, name, geometry):
        return ""
    now = now or now_iso()
    zone_id = new_id()
    conn.execute(
        "INSERT INTO zones (id, name, description, category, geometry, style, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (zone_id, name, description, category, geometry, style, now, now),
    )
    return zone_id


def list_zones(conn: sqlite3.Connection) -> list[Zone]:
    """The live zones, in the order they came in (none in a file older than the table)."""
    try:
        rows = conn.execute(
            "SELECT id, name, description, category, geometry, style FROM zones "
            "WHERE deleted = 0 ORDER BY seq"
        ).fetchall()
    except sqlite3.OperationalError:  # no such table
        return []
    return [
        Zone(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5])) for row in rows
    ]


def get_zone(conn: sqlite3.Connection, zone_id: str) -> Zone | None:
    return next((zone for zone in list_zones(conn) if zone.id == zone_id), None)


def rename_zone(store: Store, zone_id: str, name: str) -> None:
    """Give a live zone a new name: one undo step. ValueError (French) for an empty name."""
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise ValueError(_("Le nom de la zone ne peut pas être vide."))
    with store.undoable(_("Renommer la zone « {name} »").format(name=name)):
        store.conn.execute(
            "UPDATE zones SET name = ?, updated_at = ? WHERE id = ? AND deleted = 0",
            (name, now_iso(), zone_id),
        )


def delete_zone(store: Store, zone_id: str) -> None:
    """Tombstone a zone: one undo step (Ctrl+Z brings it back)."""
    row = store.conn.execute(
        "SELECT name FROM zones WHERE id = ? AND deleted = 0", (zone_id,)
    ).fetchone()
    if row is None:
        return
    with store.undoable(_("Supprimer la zone « {name} »").format(name=row[0])):
        store.conn.execute(
            "UPDATE zones SET deleted = 1, updated_at = ? WHERE id = ?", (now_iso(), zone_id)
        )


# The page's feature id is the local row number (``seq``), as for the actors.
ZONES_SQL = """
SELECT json_object(
    'type', 'Feature',
    'id', seq,
    'geometry', json(geometry),
    'properties', json_object(
        'zone_id', id, 'name', name, 'description', description, 'category', category,
        'style', json(style)
    )
)
FROM zones WHERE deleted = 0 ORDER BY seq
"""


def zones_geojson(conn: sqlite3.Connection) -> bytes:
    """The live zones as a UTF-8 GeoJSON FeatureCollection, built by SQLite (none in a
    file older than the table)."""
    try:
        features = ",".join(row[0] for row in conn.execute(ZONES_SQL))
    except sqlite3.OperationalError:  # no such table
        features = ""
    return ('{"type":"FeatureCollection","features":[' + features + "]}").encode("utf-8")
