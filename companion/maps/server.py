"""What the ``companion://map/`` origin answers: the page, its files and the store's data.

Qt-free: the Qt scheme handler only passes paths in and bytes out. Answers that
read the database open their own read-only connection, so they can be built in
a worker thread while the UI keeps running.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl

from companion.geo.outlines import BadRequest, Outlines, OutlinesMissing, parse_viewport
from companion.maps import assets, basemap, payload
from companion.store.zones import zones_geojson


@dataclass(frozen=True)
class Response:
    """The body and MIME type of one answer; ``status`` 400 for a request that cannot be
    answered as asked (the page sees its fetch fail)."""

    body: bytes
    mime: str
    status: int = 200


TILES_PREFIX = "tiles/"  # tiles/<source id>/<z>/<x>/<y>: a basemap tile


class TileProvider(Protocol):
    """Answers basemap tiles (cache first, the network only when allowed); None: no tile."""

    def tile(self, source_id: str, z: int, x: int, y: int) -> Response | None: ...


def tile_path(path: str) -> tuple[str, int, int, int] | None:
    """(source id, z, x, y) of a tile path, or None when ``path`` names no tile."""
    path = _clean(path)
    if not path.startswith(TILES_PREFIX):
        return None
    parts = path[len(TILES_PREFIX) :].split("/")
    if len(parts) != 4 or not parts[0] or not all(p.isdigit() and len(p) < 9 for p in parts[1:]):
        return None
    return parts[0], int(parts[1]), int(parts[2]), int(parts[3])


def _labels() -> bytes:
    return json.dumps(basemap.label_points(), ensure_ascii=False).encode("utf-8")


# Built on request, from the store or from the built outlines.
_STORE_DATA: dict[str, Callable[[sqlite3.Connection], bytes]] = {
    "data/actors.json": payload.actors_columns,
    "data/relations.json": payload.relations_columns,
    "data/tags.json": payload.actor_tag_columns,
    "data/zones.json": zones_geojson,  # drawn under the actors
}
_BUILT_DATA: dict[str, Callable[[], bytes]] = {"data/labels.geojson": _labels}


_GEOJSON = assets.mime_type(assets.OUTLINES_PATH)


@cache
def _outlines() -> Outlines:
    return Outlines()


def _bad(message: str) -> Response:
    return Response(message.encode("utf-8"), "text/plain", status=400)


def outlines_answer(query: dict[str, str]) -> Response | None:
    """What is drawn at the asked zoom in the asked bounds; None when not built."""
    try:
        zoom, bounds = parse_viewport(query)
        return Response(_outlines().viewport(zoom, bounds), _GEOJSON)
    except BadRequest as error:
        return _bad(str(error))
    except OutlinesMissing:
        return None


def territory_answer(query: dict[str, str]) -> Response | None:
    """One territory's outline; None when unknown or not built."""
    level, code = query.get("level", ""), query.get("code", "")
    if not code or len(code) > 20:
        return _bad("code is missing")
    try:
        feature = _outlines().feature(level, code)
    except BadRequest as error:
        return _bad(str(error))
    except OutlinesMissing:
        return None
    return Response(feature, _GEOJSON) if feature is not None else None


_QUERIED_DATA: dict[str, Callable[[dict[str, str]], Response | None]] = {
    assets.OUTLINES_PATH: outlines_answer,  # the communes' outlines for a viewport
    assets.TERRITORY_PATH: territory_answer,  # one territory's outline
}


# What the page asks for first, beside its libraries: built ahead, while the
# web engine starts, the map is drawn sooner.
FIRST_REQUESTS = (
    assets.PAGE_PATH,
    "data/actors.json",
    "data/relations.json",
    "data/labels.geojson",
    "data/tags.json",
    "data/zones.json",
)


@cache
def _workers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="companion-map")


class MapServer:
    """Answers the map page's requests for one database file."""

    def __init__(self, database: Path) -> None:
        self.database = Path(database)
        self._ahead: dict[str, Future[Response | None]] = {}
        self.tiles: TileProvider | None = None  # no basemap tiles unless set

    def prefetch(self, paths: Iterable[str] = FIRST_REQUESTS) -> None:
        """Start building these answers in worker threads; the first request of each takes it."""
        for path in paths:
            if path not in self._ahead:
                self._ahead[path] = _workers().submit(self._build, _clean(path))

    @staticmethod
    def is_slow(path: str) -> bool:
        """Whether answering may take long (reads the store, builds the page): use a worker."""
        path = _clean(path)
        return (
            path == assets.PAGE_PATH
            or path in _STORE_DATA
            or path in _BUILT_DATA
            or path in _QUERIED_DATA
        )

    @staticmethod
    def is_tile(path: str) -> bool:
        """Whether ``path`` asks for a basemap tile (may wait on the network: use a worker)."""
        return _clean(path).startswith(TILES_PREFIX)

    def respond(self, path: str) -> Response | None:
        """The answer for ``path`` (relative to the origin, with its query), or None if
        nothing is there."""
        query = path.split("#", 1)[0].partition("?")[2]
        path = _clean(path)
        if path in _QUERIED_DATA:
            return _QUERIED_DATA[path](dict(parse_qsl(query, keep_blank_values=True)))
        ahead = self._ahead.pop(path, None)
        if ahead is not None:
            return ahead.result()
        return self._build(path)

    def _build(self, path: str) -> Response | None:
        if path.startswith(TILES_PREFIX):
            wanted = tile_path(path)
            return self.tiles.tile(*wanted) if self.tiles and wanted else None
        if path == assets.PAGE_PATH:
            from companion.maps.page import build_page

            return Response(build_page().encode("utf-8"), "text/html")
        if path in _BUILT_DATA:
            return Response(_BUILT_DATA[path](), assets.mime_type(path))
        if path in _STORE_DATA:
            conn = self.connect()
            try:
                return Response(_STORE_DATA[path](conn), assets.mime_type(path))
            finally:
                conn.close()
        asset = assets.resolve(path)
        if asset is None:
            return None
        return Response(asset.path.read_bytes(), asset.mime)

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the database, usable in the calling thread."""
        from companion.store.cipher import connect_file  # an encrypted base too

        return connect_file(self.database, read_only=True)


def _clean(path: str) -> str:
    return path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
