"""Area estimate and download: tile arithmetic, terms of use, limits, progress, cancel."""

from __future__ import annotations

import math
import sqlite3
import threading

import pytest
from tile_server import png_tile, running_server

from companion.maps.tiles import (
    OSM_STANDARD,
    BBox,
    TileCache,
    TileError,
    TileFetcher,
    download_area,
    estimate,
)
from companion.maps.tiles.cache import cache_file_name

PARIS = BBox(west=2.224, south=48.815, east=2.470, north=48.902)
SMALL = BBox(west=2.30, south=48.84, east=2.40, north=48.88)  # z 10-13: 1 + 1 + 4 + 6 tiles


@pytest.fixture
def server(monkeypatch):
    yield from running_server(monkeypatch)


@pytest.fixture
def cache(tmp_path):
    opened = TileCache(tmp_path)
    yield opened
    opened.close()


def mercator_tiles(bbox: BBox, zmin: int, zmax: int) -> int:
    """The same count by the textbook formula y = (1 - ln(tan φ + sec φ) / π) / 2 · 2^z."""

    def x(lon: float, z: int) -> int:
        return math.floor((lon + 180) / 360 * 2**z)

    def y(lat: float, z: int) -> int:
        phi = math.radians(lat)
        return math.floor((1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * 2**z)

    return sum(
        (x(bbox.east, z) - x(bbox.west, z) + 1) * (y(bbox.south, z) - y(bbox.north, z) + 1)
        for z in range(zmin, zmax + 1)
    )


def test_estimate_paris_zoom_10_to_12():
    count, size = estimate(PARIS, 10, 12)
    # z10: 518-519 x 352 (2), z11: 1036-1038 x 704 (3), z12: 2073-2076 x 1408-1409 (8)
    assert count == mercator_tiles(PARIS, 10, 12) == 2 + 3 + 8
    assert size == count * 15 * 1024
    assert estimate(PARIS, 10, 12, average_tile_bytes=20_000) == (13, 260_000)


def test_estimate_of_the_whole_world():
    assert estimate(BBox(-180, -85, 180, 85), 0, 2)[0] == 1 + 4 + 16
    assert estimate(PARIS, 14, 16)[0] == mercator_tiles(PARIS, 14, 16)


def test_a_wrong_area_is_refused_in_french():
    with pytest.raises(TileError, match="ouest < est"):
        estimate(BBox(2.4, 48.8, 2.2, 48.9), 10, 12)
    with pytest.raises(TileError, match="niveaux de zoom"):
        estimate(PARIS, 12, 10)


def test_openstreetmap_standard_is_refused_for_area_download(server, cache):
    osm_like = server.source(bulk_download_allowed=False, name=OSM_STANDARD.name)
    fetcher = TileFetcher(cache, online=True)
    for source in (OSM_STANDARD, osm_like):
        with pytest.raises(TileError, match="interdisent de télécharger une zone") as refused:
            download_area(fetcher, source, PARIS, 10, 12)
        assert "OpenStreetMap" in str(refused.value)
    assert server.count() == 0


def test_download_needs_online_tiles_enabled(server, cache):
    with pytest.raises(TileError, match="désactivés"):
        download_area(TileFetcher(cache), server.source(), PARIS, 10, 12)
    assert server.count() == 0


def test_too_many_tiles_is_refused(server, cache):
    fetcher = TileFetcher(cache, online=True)
    france = BBox(-5.2, 41.3, 9.6, 51.1)
    assert estimate(france, 5, 13)[0] > 50_000
    with pytest.raises(TileError, match="plus que le maximum de 50\u202f000"):
        download_area(fetcher, server.source(), france, 5, 13)
    with pytest.raises(TileError, match="13 tuiles"):
        download_area(fetcher, server.source(), PARIS, 10, 12, max_tiles=12)
    assert server.count() == 0


def test_download_caches_the_area_then_skips_it(server, cache):
    fetcher = TileFetcher(cache, online=True, rate=1000)
    source = server.source()
    cache.put(source, 12, 2074, 1408, png_tile(12, 2074, 1408))  # viewed earlier
    reports: list[tuple[int, int]] = []
    result = download_area(fetcher, source, SMALL, 10, 13, progress=lambda *p: reports.append(p))
    total = estimate(SMALL, 10, 13)[0]
    assert (result.total, result.downloaded, result.skipped, result.failed) == (
        total,
        total - 1,
        1,
        0,
    )
    assert result.complete and not result.cancelled
    assert reports[0] == (0, total) and reports[-1] == (total, total)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert server.count() == total - 1
    assert "/12/2074/1408.png" not in {seen.path for seen in server.requests}
    again = download_area(fetcher, source, SMALL, 10, 13)
    assert (again.downloaded, again.skipped) == (0, total)
    assert server.count() == total - 1


def test_download_is_rate_limited(server, cache):
    rate = 10.0
    fetcher = TileFetcher(cache, online=True, rate=rate)
    result = download_area(fetcher, server.source(), SMALL, 10, 12)
    arrivals = sorted(seen.at for seen in server.requests)
    assert result.downloaded == len(arrivals) == 1 + 1 + 4
    assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 1) / rate - 0.02


def test_cancel_stops_promptly_and_leaves_whole_tiles(server, cache, tmp_path):
    server.delay = 0.02
    fetcher = TileFetcher(cache, online=True, rate=1000)
    source = server.source()
    cancel = threading.Event()
    requests_at_cancel: list[int] = []

    def progress(done: int, total: int) -> None:
        if done >= 5 and not cancel.is_set():
            cancel.set()
            requests_at_cancel.append(server.count())

    result = download_area(fetcher, source, PARIS, 10, 13, progress, cancel)
    assert result.cancelled and not result.complete
    assert result.downloaded < result.total
    # at most the requests already under way (two at once) arrive after the cancel
    assert server.count() - requests_at_cancel[0] <= 2
    cache.close()
    with sqlite3.connect(tmp_path / cache_file_name(source.id)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = raw.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        stored = {(z, x, 2**z - 1 - row): bytes(data) for z, x, row, data in rows}
    assert len(stored) == result.downloaded
    assert all(data == png_tile(*tile) for tile, data in stored.items())
    server.delay = 0
    reopened = TileCache(tmp_path)
    resumed = download_area(TileFetcher(reopened, online=True, rate=1000), source, PARIS, 10, 13)
    reopened.close()
    assert resumed.complete and resumed.skipped == result.downloaded


def test_download_stops_when_the_network_goes_away(server, cache):
    fetcher = TileFetcher(cache, online=True, rate=1000)
    source = server.source()
    server.stop()
    result = download_area(fetcher, source, PARIS, 10, 12)
    assert result.unavailable and not result.complete and result.downloaded == 0
    assert result.failed < result.total  # the first failures stop the download
