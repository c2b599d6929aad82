"""Every tile source the map can offer: the defaults, ``tile_sources.json``, imported basemaps."""

from __future__ import annotations

from pathlib import Path

from companion.maps.tiles.basemaps import list_basemaps
from companion.maps.tiles.sources import DEFAULT_SOURCES, TileSource
from companion.maps.tiles.sources_file import SOURCES_FILE, read_sources_file


def available_sources(data_dir: Path) -> list[TileSource]:
    """Defaults first, then the data folder's declared sources, then imported basemaps.

    Raises a French TileError naming the field at fault when ``tile_sources.json`` is wrong.
    """
    sources = list(DEFAULT_SOURCES)
    sources += read_sources_file(Path(data_dir) / SOURCES_FILE, {s.id for s in sources})
    sources += list_basemaps(data_dir)
    return sources
