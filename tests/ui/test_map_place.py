"""Putting an actor where it really is (issue #15, item 4): « Placer sur la carte », a pin
dragged with the mouse, asked first, one undoable edit that syncs like any other; an actor
still at its commune's centre shows as approximate. Real input events, as elsewhere."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from companion.geo import Gazetteer
from companion.store import Store
from companion.ui.map.scheme import register_scheme
from tests.french import fr

from .map_helpers import dispose, js, located, seq_of, status
from .test_map_clicks import card_name, click, marker_point, settled_point, show, target

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    with Gazetteer.open() as gazetteer:
        fontenay = gazetteer.by_insee("94033")
    return {
        "atelier": located(store, "Atelier Vélo", "association", 45.7640, 4.8360,
                           commune="Lyon", insee_code="69123"),
        # Where an import or the form puts an actor: its commune's centre.
        "centre": located(store, "Tiers-lieu du centre", "collectif", fontenay.latitude,
                          fontenay.longitude, commune="Fontenay-sous-Bois", insee_code="94033"),
    }  # fmt: skip


@pytest.fixture
def page(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield page
    dispose(qtbot, page)


def button_point(qtbot, view, selector: str) -> list[int]:
    where = (
        f"(function () {{ var b = document.querySelector('{selector}'); if (!b) return null;"
        " var r = b.getBoundingClientRect();"
        " return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]; })()"
    )
    return settled_point(qtbot, view, where)


def drag(qtbot, view, start: list[int], end: list[int]) -> None:
    """Press, move in steps a frame apart (the page takes one move a frame), release."""
    widget = target(view)
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, pos=QPoint(*start))
    steps = 8
    for n in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * n // steps
        y = start[1] + (end[1] - start[1]) * n // steps
        where = QPointF(x, y)
        event = QMouseEvent(
            QEvent.Type.MouseMove, where, widget.mapToGlobal(where), Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        QApplication.sendEvent(widget, event)
        frame = js(qtbot, view, "performance.now()")
        qtbot.waitUntil(lambda frame=frame: js(qtbot, view, "performance.now()") > frame + 20)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=QPoint(*end))


def position(store: Store, actor_id: str) -> tuple[float, float]:
    actor = store.get_actor(actor_id)
    return actor.latitude, actor.longitude


def start_placing(qtbot, store, page, actor_id: str) -> list[int]:
    """As a user does: its card open with a click, then « Placer sur la carte »."""
    view = page.view
    show(qtbot, view, position(store, actor_id), 12)
    click(view, marker_point(qtbot, view, store, actor_id))
    qtbot.waitUntil(lambda: card_name(qtbot, view) != "", timeout=10_000)
    click(view, button_point(qtbot, view, ".companion-card-place"))
    key = seq_of(store, actor_id)
    qtbot.waitUntil(lambda: status(qtbot, view).get("placing") == key, timeout=10_000)
    return settled_point(qtbot, view, "companionMap.pinPoint()")


def test_a_dragged_pin_puts_the_actor_there_once_confirmed(
    qtbot, store, actors, page, monkeypatch
) -> None:
    asked: list[str] = []

    def yes(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    view = page.view
    before = position(store, actors["atelier"])
    pin = start_placing(qtbot, store, page, actors["atelier"])
    goal = [pin[0] + 120, pin[1] + 60]
    where = "companionMap.map().containerPointToLatLng(["
    where += f"{goal[0]} - companionMap.map().getContainer().getBoundingClientRect().left, "
    where += f"{goal[1]} - companionMap.map().getContainer().getBoundingClientRect().top])"
    expected = json.loads(js(qtbot, view, f"JSON.stringify({where})"))
    with qtbot.waitSignal(view.actor_placed, timeout=10_000):
        drag(qtbot, view, pin, goal)
    assert asked and asked[0].startswith(fr("Placer « Atelier Vélo » à cet endroit ?"))
    latitude, longitude = position(store, actors["atelier"])
    assert abs(latitude - expected["lat"]) < 0.001 and abs(longitude - expected["lng"]) < 0.001
    assert (latitude, longitude) != before
    qtbot.waitUntil(lambda: status(qtbot, view).get("placing") is None, timeout=10_000)
    # One undo step, and an edit the next sync sends.
    assert store.journal.last().label == fr("Placer « Atelier Vélo » sur la carte")
    fields = {row[0] for row in store.conn.execute(
        "SELECT field FROM sync_outbox WHERE id = ?", (actors["atelier"],))}  # fmt: skip
    assert {"latitude", "longitude"} <= fields or "*" in fields
    store.journal.undo()
    assert position(store, actors["atelier"]) == before


def test_nothing_changes_when_the_user_says_no_or_gives_up(
    qtbot, store, actors, page, monkeypatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    view = page.view
    before = position(store, actors["atelier"])
    pin = start_placing(qtbot, store, page, actors["atelier"])
    with qtbot.waitSignal(view.actor_placed, timeout=10_000):
        drag(qtbot, view, pin, [pin[0] - 80, pin[1] + 40])
    assert position(store, actors["atelier"]) == before
    assert status(qtbot, view).get("placing") is not None  # the pin stays for another try
    QTest.keyClick(target(view), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: status(qtbot, view).get("placing") is None, timeout=10_000)
    assert position(store, actors["atelier"]) == before


def test_an_actor_at_its_communes_centre_shows_as_approximate(qtbot, store, actors, page) -> None:
    view = page.view
    show(qtbot, view, position(store, actors["centre"]), 12)
    click(view, marker_point(qtbot, view, store, actors["centre"]))
    note = "(function () { var n = document.querySelector('.companion-card-approximate');"
    note += " return n ? n.textContent : ''; })()"
    qtbot.waitUntil(lambda: js(qtbot, view, note) != "", timeout=10_000)
    assert js(qtbot, view, note) == fr("Emplacement approximatif : le centre de sa commune.")
    show(qtbot, view, position(store, actors["atelier"]), 12)  # placed precisely: no note
    click(view, marker_point(qtbot, view, store, actors["atelier"]))
    qtbot.waitUntil(lambda: card_name(qtbot, view) == "Atelier Vélo", timeout=10_000)
    assert js(qtbot, view, note) == ""
