"""Where the map page's files come from, and the ``companion:`` URLs that name them.

Everything the map page loads is served by the app itself under one origin,
``companion://map/``: third-party libraries straight from the installed xstatic
packages (never copied into the repository, never a CDN), our own JS/CSS from
``companion/resources/map/``, the outlines built by ``make data``. Nothing here imports Qt.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from companion.paths import built_data_path, resource_path

SCHEME = "companion"
HOST = "map"
ORIGIN = f"{SCHEME}://{HOST}"
PAGE_PATH = "index.html"
# Paths served from data the app builds at run time (the store), not from files.
DATA_PREFIX = "data/"
# The basemap at the scale of a commune, for the page's viewport (see geo/outlines.py):
# outlines.geojson?z=<zoom>&bbox=<west,south,east,north>, and one territory to
# highlight: territory.geojson?level=<commune|epci|departement|region>&code=<code>.
OUTLINES_PATH = "data/outlines.geojson"
TERRITORY_PATH = "data/territory.geojson"

MIME_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".map": "application/json",
    ".ttf": "font/ttf",
}


def url(path: str) -> str:
    """The ``companion:`` URL of a path served to the map page."""
    return f"{ORIGIN}/{path.lstrip('/')}"


@dataclass(frozen=True)
class Asset:
    """A file to serve: its location on disk and its MIME type."""

    path: Path
    mime: str


@cache
def mounts() -> dict[str, Path]:
    """URL prefix -> folder on disk, for every folder the page may read files from."""
    import xstatic.pkg.jquery
    import xstatic.pkg.leaflet
    import xstatic.pkg.leaflet_markercluster

    from companion.maps.glyphs import fonts_folder

    fonts = fonts_folder()
    return {
        **({"vendor/fonts": fonts} if fonts else {}),
        "vendor/leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
        "vendor/markercluster": Path(xstatic.pkg.leaflet_markercluster.BASE_DIR),
        "vendor/jquery": Path(xstatic.pkg.jquery.BASE_DIR),
        "static": resource_path("map"),
        "boundaries": built_data_path("boundaries"),
    }


def resolve(path: str) -> Asset | None:
    """The file served at ``path`` (relative to the origin), or None.

    Only files inside a mount are served: ``..``, absolute paths and anything
    outside the mounted folders resolve to None.
    """
    parts = PurePosixPath(path.split("?", 1)[0].split("#", 1)[0]).parts
    if not parts or any(part in ("..", ".", "") or "\\" in part for part in parts):
        return None
    for prefix, folder in mounts().items():
        prefix_parts = PurePosixPath(prefix).parts
        if tuple(parts[: len(prefix_parts)]) != prefix_parts:
            continue
        candidate = folder.joinpath(*parts[len(prefix_parts) :]).resolve()
        root = folder.resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            return Asset(candidate, mime_type(candidate.name))
    return None


def mime_type(name: str) -> str:
    """The MIME type the page expects for a file name (scripts must be JavaScript)."""
    suffix = PurePosixPath(name).suffix.lower()
    return MIME_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


# The page's libraries, in load order. jQuery is mounted for folium's own
# popups (the baseline benchmark) but our page does not need it.
PAGE_JS = [
    ("leaflet", url("vendor/leaflet/leaflet.js")),
    ("qwebchannel", url("qt/qwebchannel.js")),
    ("companion_clusters", url("static/clusters.js")),
    ("companion_lines", url("static/lines.js")),
    ("companion_zones", url("static/zones.js")),
    ("companion_map", url("static/map.js")),
]
PAGE_CSS = [
    ("leaflet_css", url("vendor/leaflet/leaflet.css")),
    ("markercluster_css", url("vendor/markercluster/MarkerCluster.css")),
    ("markercluster_default_css", url("vendor/markercluster/MarkerCluster.Default.css")),
    ("companion_map_css", url("static/map.css")),
]
# Served by the Qt layer from Qt's own resources (qrc:/qtwebchannel/qwebchannel.js).
QWEBCHANNEL_PATH = "qt/qwebchannel.js"
