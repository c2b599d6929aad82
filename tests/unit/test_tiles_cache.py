"""The tile cache: MBTiles files per source, TMS rows on disk, stats, clear, threads."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from companion.maps.tiles import MBTiles, TileCache, TileError, TileSource
from companion.maps.tiles.cache import cache_file_name

SOURCE = TileSource("demo", "Démo", "http://127.0.0.1/{z}/{x}/{y}.png", "© démo")
OTHER = TileSource("autre", "Autre", "http://127.0.0.1/b/{z}/{x}/{y}.png", "© autre")


@pytest.fixture
def cache(tmp_path):
    opened = TileCache(tmp_path)
    yield opened
    opened.close()


def test_round_trip_and_stats(cache):
    assert cache.get(SOURCE, 12, 2074, 1409) is None
    assert cache.stats(SOURCE).count == 0
    cache.put(SOURCE, 12, 2074, 1409, b"first")
    cache.put(SOURCE, 3, 4, 2, b"other tile")
    assert cache.get(SOURCE, 12, 2074, 1409) == b"first"
    assert cache.has(SOURCE, 3, 4, 2) and not cache.has(SOURCE, 3, 4, 3)
    cache.put(SOURCE, 12, 2074, 1409, b"replaced")  # a tile is stored once
    assert cache.get(SOURCE, 12, 2074, 1409) == b"replaced"
    stats = cache.stats(SOURCE)
    assert (stats.count, stats.bytes) == (2, len(b"replaced") + len(b"other tile"))
    assert stats.average == stats.bytes / 2


def test_rows_are_stored_bottom_up_as_mbtiles_requires(cache, tmp_path):
    cache.put(SOURCE, 3, 1, 0, b"north-west")  # XYZ: y = 0 is the northern row
    cache.close()
    with sqlite3.connect(tmp_path / cache_file_name("demo")) as raw:
        rows = raw.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
        # TMS row 0 is the southern row: XYZ y = 2^2 - 1 at zoom 2
        raw.execute("INSERT INTO tiles VALUES (2, 0, 0, ?)", (b"south-west",))
    assert rows == [(3, 1, 2**3 - 1 - 0)]
    reopened = TileCache(tmp_path)
    assert reopened.get(SOURCE, 2, 0, 3) == b"south-west"
    assert reopened.get(SOURCE, 3, 1, 0) == b"north-west"
    reopened.close()


def test_each_source_has_a_plain_mbtiles_file(cache, tmp_path):
    cache.put(SOURCE, 0, 0, 0, b"a")
    cache.put(OTHER, 0, 0, 0, b"b")
    assert cache.get(SOURCE, 0, 0, 0) == b"a" and cache.get(OTHER, 0, 0, 0) == b"b"
    with sqlite3.connect(tmp_path / "tiles-demo.mbtiles") as raw:
        metadata = dict(raw.execute("SELECT name, value FROM metadata"))
        indexes = raw.execute("PRAGMA index_list(tiles)").fetchall()
        mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    assert metadata["name"] == "Démo" and metadata["format"] == "png"
    assert metadata["attribution"] == "© démo"
    assert any(index[2] == 1 for index in indexes)  # unique (zoom_level, tile_column, tile_row)
    assert mode == "wal"


def test_clear_forgets_one_source_only(cache):
    for x in range(4):
        cache.put(SOURCE, 2, x, 1, b"tile")
    cache.put(OTHER, 2, 0, 1, b"kept")
    cache.clear(SOURCE)
    assert cache.stats(SOURCE).count == 0 and cache.get(SOURCE, 2, 0, 1) is None
    assert cache.get(OTHER, 2, 0, 1) == b"kept"
    cache.put(SOURCE, 2, 0, 1, b"again")  # still usable afterwards
    assert cache.get(SOURCE, 2, 0, 1) == b"again"


def test_reading_a_source_never_creates_its_file(cache, tmp_path):
    assert cache.get(OTHER, 1, 0, 0) is None and cache.stats(OTHER).count == 0
    assert not (tmp_path / "tiles-autre.mbtiles").exists()


def test_imported_basemaps_are_read_only(cache, tmp_path):
    basemap = MBTiles(tmp_path / "plan.mbtiles")
    basemap.put(1, 1, 1, b"from the file")
    basemap.close()
    source = TileSource("basemap-plan", "Plan", None, "", path=tmp_path / "plan.mbtiles")
    assert cache.get(source, 1, 1, 1) == b"from the file"
    with pytest.raises(TileError, match="fond de carte importé"):
        cache.put(source, 1, 0, 0, b"x")
    with pytest.raises(TileError, match="fond de carte importé"):
        cache.clear(source)


def test_one_writer_and_readers_at_once(cache):
    errors: list[BaseException] = []
    written = threading.Event()

    def write() -> None:
        for x in range(300):
            cache.put(SOURCE, 10, x, 5, bytes([x % 256]) * 100)
        written.set()

    def read() -> None:
        try:
            while not written.is_set():
                for x in range(0, 300, 7):
                    tile = cache.get(SOURCE, 10, x, 5)
                    assert tile is None or tile == bytes([x % 256]) * 100
                cache.stats(SOURCE)
        except BaseException as error:  # noqa: BLE001 (reported to the test thread)
            errors.append(error)

    cache.put(SOURCE, 0, 0, 0, b"so the file exists before readers start")
    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.stats(SOURCE).count == 301
