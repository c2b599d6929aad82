"""The tile tests' own server (tests/tile_server.py) answers as a tile server does."""

from __future__ import annotations

import pytest
from tile_server import png_tile, running_server


@pytest.fixture
def tile_server(monkeypatch):
    yield from running_server(monkeypatch)


def test_server_answers_a_distinct_png_per_tile(tile_server):
    import urllib.request

    with urllib.request.urlopen(tile_server.url + "/3/4/5.png") as answer:
        body = answer.read()
    assert body.startswith(b"\x89PNG") and body == png_tile(3, 4, 5) != png_tile(3, 4, 6)
    assert [seen.path for seen in tile_server.requests] == ["/3/4/5.png"]
