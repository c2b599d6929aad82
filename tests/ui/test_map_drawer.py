"""The map on a small laptop (issue #15, item 7): the filters fold away in a drawer, the
map's search sits above the map, and a filter brings its results into view."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest

from companion.store import Store
from companion.ui.map.scheme import register_scheme
from tests.french import fr

from .map_helpers import dispose
from .test_map_clicks import actors  # noqa: F401 - the same actors, one of each kind

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot, store: Store, actors) -> Iterator:  # noqa: F811
    from companion.ui.shell.main_window import MAP, MainWindow

    window = MainWindow(store)
    window.resize(1366, 768)
    window.show()
    window.show_section(MAP)
    view = window.map_page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield window
    dispose(qtbot, window)


def test_the_drawer_folds_away_and_the_map_takes_the_width(qtbot, store, window) -> None:
    page = window.map_page
    assert page.side.isVisible()
    qtbot.mouseClick(page.drawer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.side.isVisible())
    qtbot.waitUntil(lambda: page.view.width() >= 0.75 * window.width())
    assert store.setting("map.drawer_open") == "0"  # remembered for the next start
    # The search stays at hand above the map, the drawer folded or not.
    assert page.panel.text.isVisible()
    search_y = page.panel.text.mapTo(window, page.panel.text.rect().topLeft()).y()
    assert search_y < page.view.mapTo(window, page.view.rect().topLeft()).y()
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    qtbot.waitUntil(page.side.isVisible)
    assert store.setting("map.drawer_open") == "1"


def test_a_search_brings_its_results_into_view(qtbot, window) -> None:
    page = window.map_page
    view = page.view
    qtbot.keyClicks(page.panel.text, "Scop Bois")  # in Toulouse
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        qtbot.keyClick(page.panel.text, Qt.Key.Key_Return)

    def on_toulouse() -> bool:
        if view.bounds is None:
            return False
        south, west, north, east = view.bounds
        return south < 43.604 < north and west < 1.444 < east and north - south < 1

    qtbot.waitUntil(on_toulouse, timeout=10_000)


def test_the_pages_keys_work_while_the_map_has_the_focus(qtbot, window) -> None:
    page = window.map_page
    target = page.view.focusProxy() or page.view
    target.setFocus()
    qtbot.waitUntil(target.hasFocus)
    # The web view keeps the keys it is given: the page passes these on.
    QTest.keyClick(target, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    qtbot.waitUntil(lambda: not page.side.isVisible(), timeout=10_000)
    QTest.keyClick(target, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: page.presentation.active, timeout=10_000)
    assert not page.top_bar.isVisible()
    page.presentation.leave()
    assert page.top_bar.isVisible() and not page.side.isVisible()  # the drawer as it was


def test_the_map_frames_france_a_territory_or_what_it_shows(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    page = window.map_page
    view = page.view
    texts = {action.text(): action for action in page.frame_menu.actions()}

    def framed(south: float, west: float, north: float, east: float) -> bool:
        if view.bounds is None:
            return False
        s, w, n, e = view.bounds  # the view holds the frame (and a little more)
        return s <= south and w <= west and n >= north and e >= east and n - s < 3 * (north - south)

    texts["La France métropolitaine"].trigger()
    qtbot.waitUntil(lambda: framed(42.3, -4.8, 51.0, 8.2), timeout=10_000)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Bretagne", True))
    texts["Un territoire…"].trigger()
    qtbot.waitUntil(lambda: framed(47.3, -4.8, 48.9, -1.0), timeout=10_000)
    assert window.statusBar().currentMessage() == "Carte cadrée sur Bretagne."
    page.panel.departement.setCurrentIndex(page.panel.departement.findData("33"))
    page._update_frame_menu()
    assert page.frame_filter_action.isVisible()
    assert page.frame_filter_action.text().startswith(fr("Le territoire filtré : "))
    assert "Gironde" in page.frame_filter_action.text()
    page.frame_filter_action.trigger()
    qtbot.waitUntil(lambda: framed(44.2, -1.3, 45.6, 0.3), timeout=10_000)
