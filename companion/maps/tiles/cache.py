"""The local tile cache: one MBTiles file per online source, ``tiles-<source id>.mbtiles``.

Why one file per source rather than a ``source`` column in a shared file: each file stays a
plain MBTiles 1.3 file that other tools (QGIS, a tile server) open as it is; clearing a source
never touches another; an imported basemap is read by the same code. Imported basemaps are read
from their own file under ``basemaps/`` and are never written.
"""

from __future__ import annotations

import threading
from pathlib import Path

from companion.i18n import _
from companion.maps.tiles.errors import TileError
from companion.maps.tiles.mbtiles import MBTiles, TileStats
from companion.maps.tiles.sources import TileSource

DESCRIPTION = "Tuiles consultées, mises en cache par Companion"


def cache_file_name(source_id: str) -> str:
    """The cache file of a source (ids are checked to be safe file names)."""
    return f"tiles-{source_id}.mbtiles"


class TileCache:
    """Tiles of every source, kept under ``folder`` (the data folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._files: dict[str, MBTiles] = {}
        self._lock = threading.Lock()

    def _file(self, source: TileSource, *, create: bool = True) -> MBTiles | None:
        key = str(source.path) if source.read_only else source.id
        with self._lock:
            opened = self._files.get(key)
            if opened is not None:
                return opened
            if source.path is not None:
                if not source.path.is_file():
                    return None  # a basemap removed from the folder: nothing to show
                opened = MBTiles(source.path, read_only=True)
            else:
                path = self.folder / cache_file_name(source.id)
                if not create and not path.exists():
                    return None
                opened = MBTiles(path)
                opened.set_metadata(_metadata(source))
            self._files[key] = opened
            return opened

    def get(self, source: TileSource, z: int, x: int, y: int) -> bytes | None:
        """The cached tile (XYZ numbering), or None."""
        opened = self._file(source, create=False)
        return opened.get(z, x, y) if opened else None

    def has(self, source: TileSource, z: int, x: int, y: int) -> bool:
        """Whether the tile is cached."""
        opened = self._file(source, create=False)
        return opened.has(z, x, y) if opened else False

    def put(self, source: TileSource, z: int, x: int, y: int, data: bytes) -> None:
        """Cache one tile of an online source."""
        if source.read_only:
            raise TileError(_("Un fond de carte importé ne peut pas être modifié."))
        opened = self._file(source)
        assert opened is not None
        opened.put(z, x, y, data)

    def stats(self, source: TileSource) -> TileStats:
        """How many tiles of the source are cached, and their total size."""
        opened = self._file(source, create=False)
        return opened.stats() if opened else TileStats(0, 0)

    def clear(self, source: TileSource) -> None:
        """Forget every cached tile of an online source."""
        if source.read_only:
            raise TileError(_("Un fond de carte importé ne peut pas être vidé."))
        opened = self._file(source, create=False)
        if opened:
            opened.clear()

    def close(self) -> None:
        """Close every file."""
        with self._lock:
            for opened in self._files.values():
                opened.close()
            self._files.clear()


def _metadata(source: TileSource) -> dict[str, str]:
    return {
        "name": source.name,
        "format": source.format,
        "type": "baselayer",
        "version": "1",
        "description": DESCRIPTION,
        "attribution": source.attribution,
        "minzoom": str(source.min_zoom),
        "maxzoom": str(source.max_zoom),
    }
