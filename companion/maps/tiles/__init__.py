"""Optional online basemaps (off by default), their offline cache and imported basemap files.

Qt-free. Pieces, from the bottom up:

- :mod:`.tilemath` lon/lat to tile numbers; :mod:`.sources` what a tile source is (and the
  OpenStreetMap default), :mod:`.sources_file` extra sources from ``tile_sources.json``;
- :mod:`.mbtiles` one MBTiles 1.3 file; :mod:`.cache` one such file per online source
  (``tiles-<id>.mbtiles`` in the data folder);
- :mod:`.ratelimit` and :mod:`.fetcher` polite HTTP (User-Agent, token bucket, at most two
  requests at once, Retry-After), cache first, ``None`` when offline;
- :mod:`.download` area estimate and download, refused when a source's terms forbid it;
- :mod:`.basemaps` MBTiles files imported into ``basemaps/``, served read-only;
  :mod:`.registry` every source together.
"""

from companion.maps.tiles.basemaps import import_mbtiles, list_basemaps, read_basemap
from companion.maps.tiles.cache import TileCache
from companion.maps.tiles.download import (
    MAX_AREA_TILES,
    DownloadResult,
    download_area,
    estimate,
)
from companion.maps.tiles.errors import TileError
from companion.maps.tiles.fetcher import TileFetcher, user_agent
from companion.maps.tiles.mbtiles import MBTiles, TileStats
from companion.maps.tiles.registry import available_sources
from companion.maps.tiles.sources import DEFAULT_SOURCES, OSM_STANDARD, TileSource
from companion.maps.tiles.sources_file import read_sources_file
from companion.maps.tiles.tilemath import BBox, lonlat_to_tile, tile_range

__all__ = [
    "BBox",
    "DEFAULT_SOURCES",
    "DownloadResult",
    "MAX_AREA_TILES",
    "MBTiles",
    "OSM_STANDARD",
    "TileCache",
    "TileError",
    "TileFetcher",
    "TileSource",
    "TileStats",
    "available_sources",
    "download_area",
    "estimate",
    "import_mbtiles",
    "list_basemaps",
    "lonlat_to_tile",
    "read_basemap",
    "read_sources_file",
    "tile_range",
    "user_agent",
]
