"""Fetching tiles: cache first, polite HTTP (User-Agent, rate, concurrency, Retry-After),
None when offline. Every request goes to a server started on 127.0.0.1 by the test."""

from __future__ import annotations

import threading
import time
from email.utils import formatdate

import pytest
from tile_server import free_port, png_tile, running_server

from companion import __version__
from companion.maps.tiles import TileCache, TileFetcher, TileSource
from companion.maps.tiles.fetcher import parse_retry_after


@pytest.fixture
def server(monkeypatch):
    yield from running_server(monkeypatch)


@pytest.fixture
def cache(tmp_path):
    opened = TileCache(tmp_path)
    yield opened
    opened.close()


def test_a_fetched_tile_is_cached_and_served_with_the_server_gone(server, cache):
    fetcher = TileFetcher(cache, online=True, rate=100)
    source = server.source()
    assert fetcher.get(source, 12, 2074, 1409) == png_tile(12, 2074, 1409)
    assert cache.get(source, 12, 2074, 1409) == png_tile(12, 2074, 1409)
    server.stop()
    assert fetcher.get(source, 12, 2074, 1409) == png_tile(12, 2074, 1409)
    assert server.count() == 1


def test_online_tiles_are_off_by_default(server, cache):
    fetcher = TileFetcher(cache)
    assert fetcher.get(server.source(), 5, 1, 1) is None
    assert server.count() == 0


def test_offline_returns_none_without_raising_and_backs_off(cache):
    closed = TileSource("test", "Test", f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png", "")
    cache.put(closed, 4, 8, 5, b"viewed before")
    fetcher = TileFetcher(cache, online=True, rate=100)
    started = time.monotonic()
    assert fetcher.get(closed, 4, 8, 6) is None
    assert fetcher.offline
    assert fetcher.get(closed, 4, 8, 5) == b"viewed before"  # the map shows what is cached
    assert fetcher.get(closed, 4, 8, 7) is None  # no new attempt during the back-off
    assert time.monotonic() - started < 2


def test_the_server_sees_companions_user_agent(server, cache):
    fetcher = TileFetcher(cache, online=True, contact="https://reseau.example/contact")
    fetcher.get(server.source(), 1, 0, 0)
    assert server.requests[0].user_agent == (
        f"Companion/{__version__} (+https://reseau.example/contact)"
    )


def test_requests_never_exceed_the_rate(server, cache):
    rate, n = 10.0, 11
    fetcher = TileFetcher(cache, online=True, rate=rate)
    threads = [
        threading.Thread(target=fetcher.get, args=(server.source(), 8, x, 3)) for x in range(n)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = sorted(seen.at for seen in server.requests)
    assert len(arrivals) == n
    # measured on the server: n requests span at least (n - 1) / rate seconds
    assert arrivals[-1] - arrivals[0] >= (n - 1) / rate - 0.02
    assert cache.stats(server.source()).count == n


def test_at_most_two_requests_at_once(server, cache):
    server.delay = 0.1  # slow answers, so that requests would overlap if allowed to
    fetcher = TileFetcher(cache, online=True, rate=1000)
    threads = [
        threading.Thread(target=fetcher.get, args=(server.source(), 8, x, 3)) for x in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.count() == 6
    assert server.max_in_flight == 2


def test_429_retry_after_is_honoured(server, cache):
    server.script["/6/32/21.png"] = [(429, {"Retry-After": "1"})]
    fetcher = TileFetcher(cache, online=True, rate=100)
    assert fetcher.get(server.source(), 6, 32, 21) == png_tile(6, 32, 21)
    first, second = server.requests
    assert second.at - first.at >= 1.0


def test_a_long_retry_after_pauses_without_waiting(server, cache):
    server.script["/6/32/21.png"] = [(503, {"Retry-After": "3600"})]
    fetcher = TileFetcher(cache, online=True, rate=100)
    started = time.monotonic()
    assert fetcher.get(server.source(), 6, 32, 21) is None
    assert time.monotonic() - started < 2 and server.count() == 1
    assert fetcher.unavailable
    assert fetcher.get(server.source(), 6, 32, 22) is None  # cache only during the pause
    assert time.monotonic() - started < 2 and server.count() == 1


def test_retry_after_header_forms():
    assert parse_retry_after("120") == 120
    assert 25 <= parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 30
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


def test_missing_tiles_and_zooms_beyond_the_source_are_not_cached(server, cache):
    fetcher = TileFetcher(cache, online=True, rate=100)
    server.script["/3/1/1.png"] = [(404, {})]
    assert fetcher.get(server.source(), 3, 1, 1) is None
    assert not fetcher.offline
    assert fetcher.get(server.source(max_zoom=5), 6, 1, 1) is None
    assert fetcher.get(server.source(), 3, 8, 0) is None  # x beyond 2^3 - 1
    assert server.count() == 1 and cache.stats(server.source()).count == 0


def test_a_login_page_is_not_cached_as_a_tile(server, cache):
    server.script["/4/8/5.png"] = [(200, {"Content-Type": "text/html; charset=utf-8"})]
    fetcher = TileFetcher(cache, online=True, rate=100)
    assert fetcher.get(server.source(), 4, 8, 5) is None
    assert cache.stats(server.source()).count == 0
    assert fetcher.get(server.source(), 4, 8, 5) == png_tile(4, 8, 5)  # the real tile later
