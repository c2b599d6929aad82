"""Helpers shared by the map's GUI tests: run page script, dispose of web views, place actors."""

from __future__ import annotations

import json

from companion.store import Store


def js(qtbot, view, code: str):
    """Run ``code`` in the page and return its (JSON-able) value."""
    with qtbot.waitCallback(timeout=10_000) as callback:
        view.page().runJavaScript(code, 0, callback)
    return callback.args[0]


def dispose(qtbot, widget) -> None:
    """Delete a widget holding a map now: its web page goes before its profile (and the app)."""
    widget.close()
    with qtbot.waitSignal(widget.destroyed):
        widget.deleteLater()


def status(qtbot, view) -> dict:
    return json.loads(js(qtbot, view, "JSON.stringify(window.companionMapStatus)"))


def located(store: Store, name: str, kind: str, lat: float, lon: float, **fields) -> str:
    return store.add_actor(name, kind, latitude=lat, longitude=lon, **fields).id


def seq_of(store: Store, actor_id: str) -> int:
    return store.conn.execute("SELECT seq FROM actors WHERE id = ?", (actor_id,)).fetchone()[0]


DRAW_TIMEOUT_MS = 60_000


def drawn_map_page(qtbot, store: Store, size: tuple[int, int] = (1200, 800)):
    """A map page over ``store``, shown at ``size`` and waited for until it is drawn
    (the caller disposes of it)."""
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(*size)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    return page
