"""Downloading every tile of an area, for sources whose terms allow it.

OpenStreetMap's standard tiles are refused here (their policy forbids bulk download); a network
basemap file (see :mod:`companion.maps.tiles.basemaps`) is the way to get a whole area offline.
Tiles go through the fetcher, so its rate limit, concurrency cap and Retry-After pauses apply;
each tile is written in its own transaction, so a cancel leaves only whole tiles behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from companion.i18n import _
from companion.maps.tiles.errors import TileError
from companion.maps.tiles.fetcher import MAX_CONCURRENT, TileFetcher
from companion.maps.tiles.sources import TileSource
from companion.maps.tiles.tilemath import BBox, TileRange, iter_tiles, tile_ranges

MAX_AREA_TILES = 50_000
DEFAULT_TILE_BYTES = 15 * 1024  # a typical 256 px raster tile

Progress = Callable[[int, int], None]  # (tiles done, total)


@dataclass(frozen=True)
class DownloadResult:
    """What an area download did; ``complete`` when every tile of the area is now cached."""

    total: int
    downloaded: int
    skipped: int  # already cached
    failed: int
    cancelled: bool
    unavailable: bool  # stopped: network gone, or the server asked for a long pause

    @property
    def complete(self) -> bool:
        return self.downloaded + self.skipped == self.total


def estimate(
    bbox: BBox, zmin: int, zmax: int, average_tile_bytes: float = DEFAULT_TILE_BYTES
) -> tuple[int, int]:
    """(tile count, approximate bytes) of an area from zoom ``zmin`` to ``zmax`` inclusive.

    Pass the cache's average tile size (``TileCache.stats(source).average``) when known.
    """
    _check_area(bbox, zmin, zmax)
    count = sum(r.count for r in tile_ranges(bbox, zmin, zmax))
    return count, round(count * average_tile_bytes)


def download_area(
    fetcher: TileFetcher,
    source: TileSource,
    bbox: BBox,
    zmin: int,
    zmax: int,
    progress: Progress | None = None,
    cancel_event: threading.Event | None = None,
    max_tiles: int = MAX_AREA_TILES,
) -> DownloadResult:
    """Cache every tile of ``bbox`` from ``zmin`` to ``zmax``; raises a French TileError when
    the source's terms, the settings or the size of the area do not allow it."""
    ranges = _checked_ranges(fetcher, source, bbox, zmin, zmax, max_tiles)
    total = sum(r.count for r in ranges)
    cancel = cancel_event or threading.Event()
    report = progress or (lambda done, total: None)
    downloaded = skipped = failed = 0
    report(0, total)

    def collect(finished: set[Future[bytes | None]]) -> None:
        nonlocal downloaded, failed
        for future in finished:
            if future.result() is not None:
                downloaded += 1
            elif not cancel.is_set():
                failed += 1
            report(downloaded + skipped + failed, total)

    with ThreadPoolExecutor(MAX_CONCURRENT, thread_name_prefix="tile-download") as pool:
        pending: set[Future[bytes | None]] = set()
        for z, x, y in iter_tiles(ranges):
            if cancel.is_set() or fetcher.unavailable:
                break
            if fetcher.cache.has(source, z, x, y):
                skipped += 1
                report(downloaded + skipped + failed, total)
                continue
            pending.add(pool.submit(fetcher.get, source, z, x, y, cancel))
            if len(pending) >= 2 * MAX_CONCURRENT:  # keep memory flat on big areas
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                collect(finished)
        collect(wait(pending).done)
    return DownloadResult(
        total=total,
        downloaded=downloaded,
        skipped=skipped,
        failed=failed,
        cancelled=cancel.is_set(),
        unavailable=fetcher.unavailable and not cancel.is_set(),
    )


def _checked_ranges(
    fetcher: TileFetcher,
    source: TileSource,
    bbox: BBox,
    zmin: int,
    zmax: int,
    max_tiles: int,
) -> list[TileRange]:
    if source.read_only:
        raise TileError(
            _("« {name} » est un fond de carte importé : il est déjà hors ligne.").format(
                name=source.name
            )
        )
    if not source.bulk_download_allowed:
        raise TileError(
            _(
                "Les conditions d'utilisation de « {name} » interdisent de télécharger une zone "
                "entière : seules les tuiles consultées sont gardées hors ligne. Choisissez une "
                "autre source ou importez un fond de carte (fichier MBTiles)."
            ).format(name=source.name)
        )
    if not fetcher.online:
        raise TileError(
            _("Les fonds de carte en ligne sont désactivés : activez-les pour télécharger.")
        )
    _check_area(bbox, zmin, zmax)
    if zmin < source.min_zoom or zmax > source.max_zoom:
        raise TileError(
            _("« {name} » propose les niveaux de zoom {min} à {max} seulement.").format(
                name=source.name, min=source.min_zoom, max=source.max_zoom
            )
        )
    ranges = tile_ranges(bbox, zmin, zmax)
    count = sum(r.count for r in ranges)
    if count > max_tiles:
        raise TileError(
            _(
                "Cette zone demande {count} tuiles, plus que le maximum de {max} : réduisez la "
                "zone ou le niveau de zoom maximal."
            ).format(count=_number(count), max=_number(max_tiles))
        )
    return ranges


def _check_area(bbox: BBox, zmin: int, zmax: int) -> None:
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise TileError(_("La zone est invalide : il faut ouest < est et sud < nord, en degrés."))
    if not 0 <= zmin <= zmax:
        raise TileError(_("Les niveaux de zoom sont invalides : il faut 0 ≤ minimum ≤ maximum."))


def _number(value: int) -> str:
    """French digit grouping: 50 000 (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")
