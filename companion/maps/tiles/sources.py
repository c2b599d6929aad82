"""Tile sources: where tiles come from and what their terms allow.

The default list holds OpenStreetMap's standard layer only. Its tile usage policy allows viewing
(and caching the tiles viewed, with an identifying User-Agent) but forbids bulk download, so
``bulk_download_allowed`` is False. More sources come from ``tile_sources.json`` in the data
folder (see :mod:`companion.maps.tiles.sources_file`) and from imported basemap files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from companion.maps.tiles.tilemath import BBox

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_SUPPORTED_ZOOM = 22


@dataclass(frozen=True)
class TileSource:
    """One basemap: an online URL template, or an imported MBTiles file (``path``, read-only)."""

    id: str
    name: str  # French label shown in the map's layer list
    url: str | None  # "https://{s}.example.org/{z}/{x}/{y}.png"; None for a basemap file
    attribution: str
    max_zoom: int = 19
    min_zoom: int = 0
    bulk_download_allowed: bool = False  # the terms allow downloading whole areas
    user_agent_required: bool = True  # the terms ask for an identifying User-Agent
    subdomains: tuple[str, ...] = ()
    attribution_url: str | None = None
    format: str = "png"  # png, jpg, webp or pbf (vector tiles)
    path: Path | None = None  # the MBTiles file of an imported basemap
    bounds: BBox | None = None

    @property
    def read_only(self) -> bool:
        """A basemap file is served as it is: never fetched, written or cleared."""
        return self.path is not None

    def tile_url(self, z: int, x: int, y: int) -> str:
        """The URL of one tile; ``{s}`` cycles through the subdomains to spread the load."""
        if self.url is None:
            raise ValueError(f"source {self.id!r} has no URL")
        url = self.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
        if self.subdomains:
            url = url.replace("{s}", self.subdomains[(x + y) % len(self.subdomains)])
        return url


OSM_STANDARD = TileSource(
    id="osm",
    name="OpenStreetMap (standard)",
    url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    attribution="© les contributeurs d'OpenStreetMap",
    attribution_url="https://www.openstreetmap.org/copyright",
    max_zoom=19,
    bulk_download_allowed=False,  # https://operations.osmfoundation.org/policies/tiles/
    user_agent_required=True,
)

DEFAULT_SOURCES: tuple[TileSource, ...] = (OSM_STANDARD,)
