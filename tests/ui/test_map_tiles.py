"""Optional tile basemaps on the Carte: off by default, through companion: URLs only, cached,
downloadable by area where the terms allow it, and imported MBTiles files shown offline.

A real HTTP tile server on 127.0.0.1 (tests/tile_server.py) stands for the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox
from tile_server import TileServer, make_mbtiles, png_tile, running_server

from companion.maps.tiles import OSM_STANDARD, BBox, TileFetcher, estimate, tile_range
from companion.maps.tiles.ratelimit import RateLimiter
from companion.maps.tiles.settings import CONTOURS, ONLINE_KEY, SOURCE_KEY
from companion.store import Store
from companion.ui.map.scheme import LOCAL_SCHEMES, register_scheme
from tests.french import fr

from .map_helpers import dispose, js

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
TILE_TIMEOUT_MS = 20_000


def tiles_shown(qtbot, view) -> int:
    return int(js(qtbot, view, "companionMap.tileCount()"))


def tiles_settled(qtbot, view, at_least: int) -> bool:
    """Whether the tile layer asked for every tile of the view and shows ``at_least``."""
    return not js(qtbot, view, "companionMap.tilesLoading()") and (
        tiles_shown(qtbot, view) >= at_least
    )


def page_status(qtbot, view) -> dict:
    return json.loads(js(qtbot, view, "JSON.stringify(window.companionMapStatus)"))


def tile_urls(view) -> list[str]:
    return [u.toString() for u in view.request_log.urls if "/tiles/" in u.toString()]


@pytest.fixture
def server(monkeypatch) -> Iterator[TileServer]:
    yield from running_server(monkeypatch)


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    """Message boxes are recorded instead of shown (exec would wait for a click)."""
    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", record)
    return shown


@pytest.fixture
def network(monkeypatch) -> list[str]:
    """Every URL a tile fetcher asks the network for."""
    asked: list[str] = []
    request = TileFetcher._request

    def recorded(fetcher: TileFetcher, url: str):
        asked.append(url)
        return request(fetcher, url)

    monkeypatch.setattr(TileFetcher, "_request", recorded)
    return asked


def declare(store: Store, server: TileServer) -> None:
    """The loopback server as a source of the data folder, whose terms allow area download."""
    entry = {
        "id": "test",
        "name": "Serveur de test",
        "url": server.url + "/{z}/{x}/{y}.png",
        "attribution": "© test <b>gras</b>",
        "bulk_download_allowed": True,
    }
    (store.path.parent / "tile_sources.json").write_text(json.dumps({"sources": [entry]}))


@pytest.fixture
def open_map(qtbot, store: Store):
    from companion.ui.map.page import MapPage

    pages = []

    def open_page():
        page = MapPage(store)
        page.resize(1000, 700)
        page.show()
        qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        dispose(qtbot, page)


def show_online_tiles(qtbot, page) -> int:
    page.tiles.online.setChecked(True)
    page.tiles.select("test")
    qtbot.waitUntil(lambda: tiles_settled(qtbot, page.view, 4), timeout=TILE_TIMEOUT_MS)
    assert page_status(qtbot, page.view)["tileErrors"] == 0
    return tiles_shown(qtbot, page.view)


def test_default_is_offline_contours_without_any_tile_request(
    qtbot, store, server, open_map, network
):
    declare(store, server)
    page = open_map()
    assert page.tiles.choice.currentData() == CONTOURS
    assert page.tiles.choice.currentText() == "Contours hors ligne"
    assert not page.tiles.online.isChecked()
    assert [page.tiles.choice.itemData(i) for i in range(page.tiles.choice.count())] == [
        CONTOURS,
        "osm",
        "test",
    ]
    js(qtbot, page.view, "companionMap.map().setView([45.76, 4.84], 9); 1")
    state = page_status(qtbot, page.view)
    assert state["tiles"] is None and tiles_shown(qtbot, page.view) == 0
    assert tile_urls(page.view) == [] and server.count() == 0 and network == []
    assert not page.basemaps.viewer.online and not page.basemaps.downloader.online


def test_online_tiles_come_through_the_app_and_stay_cached(qtbot, store, server, open_map):
    declare(store, server)
    page = open_map()
    view = page.view
    shown = show_online_tiles(qtbot, page)
    assert server.count() >= 4
    assert {seen.user_agent.split("/")[0] for seen in server.requests} == {"Companion"}
    # The page itself asked only the app: companion: URLs, nothing blocked.
    assert view.request_log.schemes() <= LOCAL_SCHEMES and view.request_log.blocked == []
    assert all(url.startswith("companion://map/tiles/test/") for url in tile_urls(view))
    attribution = js(qtbot, view, "document.querySelector('.companion-attribution').textContent")
    assert attribution == "© test <b>gras</b>"  # text, never HTML
    assert js(qtbot, view, "document.querySelectorAll('.companion-attribution b').length") == 0
    assert store.setting(SOURCE_KEY) == "test" and store.setting(ONLINE_KEY) == "1"
    assert page.basemaps.cache.stats(page.basemaps.current).count >= shown

    # The network goes away: the tiles viewed still show, from the cache.
    server.stop()
    page.tiles.select(CONTOURS)
    qtbot.waitUntil(lambda: tiles_shown(qtbot, view) == 0, timeout=TILE_TIMEOUT_MS)
    assert js(qtbot, view, "document.querySelector('.companion-attribution').hidden")
    page.tiles.select("test")
    qtbot.waitUntil(lambda: tiles_settled(qtbot, view, shown), timeout=TILE_TIMEOUT_MS)
    assert page_status(qtbot, view)["tileErrors"] == 0


def test_choices_are_remembered_and_offline_means_no_request(
    qtbot, store, server, open_map, network
):
    declare(store, server)
    first = open_map()
    show_online_tiles(qtbot, first)
    first.tiles.online.setChecked(False)
    assert store.setting(ONLINE_KEY) == "0"
    page = open_map()  # the next time the map opens
    assert page.tiles.choice.currentData() == "test" and not page.tiles.online.isChecked()
    qtbot.waitUntil(lambda: tiles_shown(qtbot, page.view) >= 4, timeout=TILE_TIMEOUT_MS)
    before, fetched = server.count(), len(network)
    asked = len(tile_urls(page.view))
    js(qtbot, page.view, "companionMap.map().setView([43.6, 1.44], 9); 1")  # Toulouse
    qtbot.waitUntil(
        lambda: (
            len(tile_urls(page.view)) > asked + 4
            and page_status(qtbot, page.view)["tileErrors"] >= 4
        ),
        timeout=TILE_TIMEOUT_MS,
    )
    # Tiles not in the cache: 404, the contours show; the fetcher never tried the network.
    assert server.count() == before and len(network) == fetched


def test_downloading_an_area_shows_the_estimate_then_progress(qtbot, store, server, open_map):
    declare(store, server)
    page = open_map()
    page.basemaps.downloader.limiter = RateLimiter(rate=200, max_concurrent=2)
    js(qtbot, page.view, "companionMap.map().setView([48.86, 2.35], 11); 1")
    show_online_tiles(qtbot, page)
    assert page.tiles.download_button.isEnabled()
    page.tiles.open_download_dialog()
    qtbot.waitUntil(lambda: page.tiles.download_dialog is not None)
    dialog = page.tiles.download_dialog
    assert (dialog.zmin.value(), dialog.zmax.value()) == (11, 14)
    assert dialog.zmax.maximum() == 19 and not dialog.progress.isVisible()
    dialog.zmax.setValue(12)
    count, _size = estimate(dialog.bbox, 11, 12)
    assert dialog.count == count and 4 <= count <= 60
    assert f"{count} tuiles, environ" in dialog.estimate_label.text()
    assert "Mo" in dialog.estimate_label.text()
    before = server.count()
    with qtbot.waitSignal(dialog.done, timeout=TILE_TIMEOUT_MS) as done:
        dialog.start_button.click()
        assert dialog.progress.isVisible() and dialog.running
    result = done.args[0]
    assert result.complete and result.total == count and result.downloaded > 0
    assert server.count() - before == result.downloaded
    assert dialog.progress.value() == dialog.progress.maximum() == count
    assert "Zone gardée hors ligne" in dialog.status.text()
    qtbot.waitUntil(lambda: not dialog.running)
    assert dialog.cancel_button.text() == "Fermer"
    dialog.reject()

    # Cancel mid-way: the server is slow, the download stops before the end.
    server.delay = 0.3
    page.tiles.open_download_dialog()
    qtbot.waitUntil(lambda: page.tiles.download_dialog is not None)
    dialog = page.tiles.download_dialog
    dialog.zmin.setValue(13)
    dialog.zmax.setValue(14)
    total = dialog.count
    assert total > 20
    with qtbot.waitSignal(dialog.done, timeout=TILE_TIMEOUT_MS) as done:
        dialog.start_button.click()
        qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=TILE_TIMEOUT_MS)
        dialog.cancel_button.click()
    assert done.args[0] is None and "annulé" in dialog.status.text()
    qtbot.waitUntil(lambda: not dialog.running)
    cached = page.basemaps.cache.stats(page.basemaps.current).count
    assert server.count() - before < result.downloaded + total
    assert cached < result.total + total
    dialog.reject()


def test_download_is_refused_where_terms_or_settings_forbid_it(
    qtbot, store, server, open_map, warnings, network
):
    declare(store, server)
    page = open_map()
    panel = page.tiles
    assert not panel.download_button.isEnabled()  # offline contours: nothing to download
    panel.select("osm")
    assert page.basemaps.current.id == "osm"
    assert not panel.download_button.isEnabled()
    assert "interdisent de télécharger une zone" in panel.download_button.toolTip()
    panel.open_download_dialog()
    assert panel.download_dialog is None and "interdisent" in warnings[-1]
    # Online tiles allowed or not, OpenStreetMap's terms forbid it.
    page.basemaps.viewer.online = page.basemaps.downloader.online = True
    assert "interdisent" in page.basemaps.download_refusal(OSM_STANDARD)
    page.basemaps.viewer.online = page.basemaps.downloader.online = False
    panel.select("test")
    assert not panel.download_button.isEnabled()
    assert "Autorisez la connexion" in panel.download_button.toolTip()
    panel.online.setChecked(True)
    assert panel.download_button.isEnabled()
    assert panel.download_button.toolTip() == "Garder hors ligne les tuiles de la zone affichée"
    panel.online.setChecked(False)
    assert not any("openstreetmap" in url for url in network)


def test_an_imported_basemap_shows_offline(qtbot, store, open_map, tmp_path, warnings):
    page = open_map()
    south, west, north, east = json.loads(
        js(qtbot, page.view, "JSON.stringify(companionMap.bounds())")
    )
    r = tile_range(BBox(west, south, east, north), 6)
    tiles = {
        (6, x, y): png_tile(6, x, y)
        for x in range(r.x_min, r.x_max + 1)
        for y in range(r.y_min, r.y_max + 1)
    }
    metadata = {"name": "Plan du réseau", "format": "png", "minzoom": "6", "maxzoom": "6"}
    metadata["attribution"] = "© le réseau"
    original = make_mbtiles(tmp_path / "reseau.mbtiles", metadata, tiles)
    source = page.tiles.import_basemap(original)
    assert warnings == [] and source is not None
    assert page.tiles.choice.currentText() == fr("Fond de carte importé : Plan du réseau")
    assert store.setting(SOURCE_KEY) == source.id
    assert not page.tiles.online.isChecked()
    assert page.tiles.note.text() == "Fond de carte disponible hors ligne."
    assert not page.tiles.download_button.isEnabled()
    qtbot.waitUntil(lambda: tiles_shown(qtbot, page.view) >= len(tiles), timeout=TILE_TIMEOUT_MS)
    assert js(qtbot, page.view, "document.querySelector('.companion-attribution').textContent") == (
        "© le réseau"
    )


def test_a_bad_basemap_file_is_explained_and_changes_nothing(
    qtbot, store, open_map, tmp_path, warnings
):
    page = open_map()
    bad = tmp_path / "carte.mbtiles"
    bad.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    count = page.tiles.choice.count()
    assert page.tiles.import_basemap(bad) is None
    assert len(warnings) == 1 and "n'est pas un fichier MBTiles valide" in warnings[0]
    assert str(bad) in warnings[0]
    assert page.tiles.choice.count() == count and page.tiles.choice.currentData() == CONTOURS
    assert store.setting(SOURCE_KEY) is None
    folder = Path(store.path.parent / "basemaps")
    assert not folder.exists() or list(folder.iterdir()) == []
    assert page_status(qtbot, page.view)["tiles"] is None
