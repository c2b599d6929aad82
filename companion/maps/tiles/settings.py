"""The Carte's basemap choice: offline contours, or a tile source; online tiles on or off.

Qt-free. Both choices live in the store's settings. One tile cache (the data folder) serves
two fetchers: the map's, a little quicker, and the area downloads', at the polite bulk rate;
with online tiles off, neither ever opens a connection (``TileFetcher.online``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from companion.i18n import _
from companion.maps.server import Response
from companion.maps.tiles import (
    DEFAULT_SOURCES,
    TileCache,
    TileError,
    TileFetcher,
    TileSource,
    available_sources,
    import_mbtiles,
    list_basemaps,
    read_basemap,
)
from companion.store import Store

log = logging.getLogger(__name__)

CONTOURS = ""  # the choice of no tiles: the offline vector basemap alone
SOURCE_KEY = "map.basemap"
ONLINE_KEY = "map.online_tiles"
# The tiles a user looks at: a screen is about twenty tiles. Area downloads keep the fetcher's
# bulk rate (BULK_RATE); both take at most two connections at once.
VIEW_RATE = 8.0
MIME = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}  # pbf: no raster


class Basemaps:
    """Sources, the user's choice, and the tiles the map page asks for."""

    def __init__(self, store: Store, contact: str | None = None) -> None:
        self.store = store
        self.data_dir = Path(store.path).parent
        self.cache = TileCache(self.data_dir)
        online = store.setting(ONLINE_KEY, "0") == "1"
        self.viewer = TileFetcher(self.cache, online=online, contact=contact, rate=VIEW_RATE)
        self.downloader = TileFetcher(self.cache, online=online, contact=contact)
        self.sources: dict[str, TileSource] = {}
        self.error = ""  # French: why tile_sources.json was left out
        self.reload()
        chosen = store.setting(SOURCE_KEY, CONTOURS) or CONTOURS
        self.current_id = chosen if chosen in self.sources else CONTOURS

    def reload(self) -> None:
        """Read the sources again (after an import, or a change of ``tile_sources.json``)."""
        try:
            found = available_sources(self.data_dir)
            self.error = ""
        except TileError as error:
            log.warning("tile sources file left out: %s", error)
            self.error = str(error)
            found = [*DEFAULT_SOURCES, *list_basemaps(self.data_dir)]
        self.sources = {s.id: s for s in found if s.format in MIME}

    # -- choices ------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self.viewer.online

    def set_online(self, on: bool) -> None:
        """Allow (or forbid) connections for online tiles; remembered."""
        self.viewer.online = self.downloader.online = bool(on)
        self.store.set_setting(ONLINE_KEY, "1" if on else "0")

    @property
    def current(self) -> TileSource | None:
        """The chosen source; None for the offline contours."""
        return self.sources.get(self.current_id)

    def choose(self, source_id: str) -> TileSource | None:
        """Show this source (CONTOURS for none); remembered."""
        self.current_id = source_id if source_id in self.sources else CONTOURS
        self.store.set_setting(SOURCE_KEY, self.current_id)
        return self.current

    def import_file(self, path: Path) -> TileSource:
        """Import an MBTiles basemap (French TileError, nothing changed, if it is not one)."""
        if read_basemap(Path(path)).format not in MIME:
            raise TileError(
                _(
                    "{file} : ce fond de carte contient des tuiles vectorielles (pbf), que la "
                    "carte ne sait pas afficher."
                ).format(file=path)
            )
        source = import_mbtiles(Path(path), self.data_dir)
        self.reload()
        return source

    def download_refusal(self, source: TileSource | None) -> str:
        """Why "Télécharger cette zone" is not possible now ("" when it is)."""
        if source is None:
            return _("Choisissez d'abord un fond de carte en ligne.")
        if source.read_only:
            return _("Ce fond de carte importé est déjà entièrement disponible hors ligne.")
        if not source.bulk_download_allowed:
            return _(
                "Les conditions d'utilisation de « {name} » interdisent de télécharger une zone "
                "entière : seules les tuiles consultées sont gardées hors ligne."
            ).format(name=source.name)
        if not self.online:
            return _("Autorisez la connexion pour les tuiles en ligne pour télécharger une zone.")
        return ""

    # -- serving ------------------------------------------------------------

    def tile(self, source_id: str, z: int, x: int, y: int) -> Response | None:
        """One tile for the page (called in a worker thread): cache, else network if allowed."""
        source = self.sources.get(source_id)
        if source is None:
            return None
        data = self.viewer.get(source, z, x, y)
        return Response(data, MIME[source.format]) if data else None

    def close(self) -> None:
        self.cache.close()
