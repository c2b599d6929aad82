"""Basemap files (MBTiles) that the network distributes: checked, copied into the data folder's
``basemaps/`` and served read-only as a source of their own. A file is registered by being
there: :func:`list_basemaps` finds them again at the next start. Importing a basemap of the same
name again replaces the previous copy (an updated edition of the same map).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from companion import filemodes
from companion.i18n import _
from companion.maps.tiles.errors import TileError
from companion.maps.tiles.sources import TileSource
from companion.maps.tiles.tilemath import BBox
from companion.text import fold

log = logging.getLogger(__name__)

BASEMAPS_DIR = "basemaps"
FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp", "pbf": "pbf"}
TILE_COLUMNS = {"zoom_level", "tile_column", "tile_row", "tile_data"}


def import_mbtiles(path: Path, data_dir: Path) -> TileSource:
    """Check ``path`` is an MBTiles file, copy it atomically into ``basemaps/`` and return the
    read-only source serving it; raises a French TileError naming the file otherwise."""
    path = Path(path)
    name = read_basemap(path).name_in_file
    folder = filemodes.private_folder(Path(data_dir) / BASEMAPS_DIR)
    target = folder / f"{fold(name).replace(' ', '-')[:60] or 'fond-de-carte'}.mbtiles"
    partial = target.with_name(f".{target.name}.part")
    try:
        # SQLite's backup API copies a consistent snapshot, even of a file in WAL mode.
        with contextlib.closing(_open_read_only(path)) as src:
            partial.unlink(missing_ok=True)
            with contextlib.closing(sqlite3.connect(filemodes.private_file(partial))) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        read_basemap(partial)
        os.replace(partial, target)  # readers see the old file or the new one, never half
    except (OSError, sqlite3.Error) as error:
        raise TileError(
            _("{file} : la copie du fond de carte a échoué ({error}).").format(
                file=path, error=error
            )
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    return read_basemap(target).source


def list_basemaps(data_dir: Path) -> list[TileSource]:
    """The basemaps imported into ``data_dir``; an unreadable file is logged and left out."""
    sources = []
    for path in sorted((Path(data_dir) / BASEMAPS_DIR).glob("*.mbtiles")):
        try:
            sources.append(read_basemap(path).source)
        except TileError as error:
            log.warning("basemap left out: %s", error)
    return sources


class Basemap:
    """What an MBTiles file says about itself."""

    def __init__(self, path: Path, metadata: dict[str, str], zooms: tuple[int, int]) -> None:
        self.path = path
        self.name_in_file = metadata.get("name", "").strip() or path.stem
        self.format = FORMATS[metadata["format"].lower()]
        self.min_zoom, self.max_zoom = zooms
        self.bounds = _bounds(metadata.get("bounds"))
        self.attribution = metadata.get("attribution", "")

    @property
    def source(self) -> TileSource:
        """The read-only tile source serving this file."""
        return TileSource(
            id=f"basemap-{self.path.stem}",
            name=_("Fond de carte importé : {name}").format(name=self.name_in_file),
            url=None,
            attribution=self.attribution,
            min_zoom=self.min_zoom,
            max_zoom=self.max_zoom,
            user_agent_required=False,
            format=self.format,
            path=self.path,
            bounds=self.bounds,
        )


def read_basemap(path: Path) -> Basemap:
    """Check that ``path`` is an MBTiles file and read its metadata (French TileError if not)."""
    path = Path(path)
    if not path.is_file():
        raise TileError(_("{file} : fichier introuvable.").format(file=path))

    def refuse(reason: str) -> TileError:
        return TileError(
            _("{file} n'est pas un fichier MBTiles valide : {reason}.").format(
                file=path, reason=reason
            )
        )

    try:
        with contextlib.closing(_open_read_only(path)) as conn:
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                )
            }
            for table in ("metadata", "tiles"):
                if table not in tables:
                    raise refuse(_("la table « {table} » manque").format(table=table))
            columns = {row[1] for row in conn.execute("PRAGMA table_info(tiles)")}
            if not TILE_COLUMNS <= columns:
                raise refuse(_("la table « tiles » n'a pas les colonnes attendues"))
            metadata = {
                str(k): str(v) for k, v in conn.execute("SELECT name, value FROM metadata") if k
            }
            zoom_query = "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles"
            low, high = conn.execute(zoom_query).fetchone()
    except sqlite3.DatabaseError as error:
        raise refuse(_("ce n'est pas une base SQLite lisible")) from error
    if low is None:
        raise refuse(_("il ne contient aucune tuile"))
    tile_format = metadata.get("format", "").lower()
    if tile_format not in FORMATS:
        raise refuse(
            _("format de tuiles « {format} » non pris en charge (png, jpg, webp ou pbf)").format(
                format=tile_format
            )
        )
    zooms = (_int(metadata.get("minzoom"), low), _int(metadata.get("maxzoom"), high))
    return Basemap(path, metadata, zooms)


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _bounds(value: str | None) -> BBox | None:
    try:
        west, south, east, north = (float(part) for part in (value or "").split(","))
    except ValueError:
        return None
    return BBox(west, south, east, north)
