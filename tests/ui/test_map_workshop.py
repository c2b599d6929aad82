"""Workshops on the map: saved views, presentation mode, contact details only on request."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from companion.maps.filters import MapFilter
from companion.maps.views import find_view, list_views, save_view
from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, js, seq_of

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
LYON = (45.70, 4.77, 45.82, 4.92)
DIJON = (46.9, 4.3, 47.7, 5.8)
BREST = (47.7, -5.2, 48.9, -3.4)
FRANCE = (41.0, -5.5, 51.5, 9.8)
PHONE = "0639980001"
STABLE_GRABS = 20  # grab() polls in a row that see the same picture
PHONE_DIGITS = re.compile(r"\d[\d .]{7,}\d")


def card_text(qtbot, view, key: int) -> str:
    code = f"companionMap.openCard({key}).getElement().querySelector('.companion-card').textContent"
    return js(qtbot, view, code)


LAST_CARD = "Array.from(document.querySelectorAll('.companion-card')).pop().textContent"


def inside(outer, inner, slack: float = 0.0) -> bool:
    """Whether extent ``inner`` lies within ``outer`` (south, west, north, east)."""
    return (
        outer[0] <= inner[0] + slack
        and outer[1] <= inner[1] + slack
        and outer[2] >= inner[2] - slack
        and outer[3] >= inner[3] - slack
    )


def page_bounds(qtbot, view) -> list[float]:
    return json.loads(js(qtbot, view, "JSON.stringify(companionMap.bounds())"))


def screenshot(qtbot, view, tmp_path: Path, name: str, previous: QImage | None = None) -> QImage:
    """Save the view once the banner shows and the picture, new, stays the same a while.

    ``grab()`` returns the last composited frame, which lags the page a little.
    """
    shots: list[QImage] = []

    def settled() -> bool:
        image = view.grab().toImage()
        if image.pixelColor(4, 4).lightness() >= 80 or image == previous:
            shots.clear()
            return False
        if shots and image != shots[-1]:
            shots.clear()
        shots.append(image)
        return len(shots) >= STABLE_GRABS

    qtbot.waitUntil(settled, timeout=20_000)
    folder = Path(os.environ.get("COMPANION_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert shots[-1].save(str(folder / name))
    return shots[-1]


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    ecole = store.add_actor(
        "École des Jardins",
        "association",
        latitude=45.764,
        longitude=4.836,
        commune="Lyon",
        departement="69",
        email="contact@ecole.example",
        phone="0639980009",
    )
    fabrique = store.add_actor(
        "La Fabrique",
        "collectif",
        latitude=47.322,
        longitude=5.041,
        commune="Dijon",
        departement="21",
    )
    fondation = store.add_actor(
        "Fondation Terres", "fondation", latitude=48.857, longitude=2.352, visibility="private"
    )
    pole = store.add_actor(
        "Pôle de catalyse", "catalyseur", latitude=48.390, longitude=-4.486, departement="29"
    )
    alice = store.add_person("Alice", "Martin", email="alice@ecole.example", phone=PHONE)
    bruno = store.add_person("Bruno", "Durand", email="bruno@ecole.example", phone="0639980002")
    store.add_affiliation(alice.id, ecole.id, role="Présidente")
    store.add_affiliation(bruno.id, ecole.id, role="Animateur")
    store.add_relation(fondation.id, ecole.id, "financement")
    return {"ecole": ecole.id, "fabrique": fabrique.id, "fondation": fondation.id, "pole": pole.id}


@pytest.fixture
def map_page(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(1100, 720)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield page
    page.presentation.leave()
    dispose(qtbot, page)


def fit(qtbot, page, bounds) -> None:
    """Show ``bounds`` and wait until the page has reported its new extent."""
    with qtbot.waitSignal(page.view.moved, timeout=10_000):
        page.view.fit_bounds(bounds)


def test_save_a_view_then_apply_it_again(qtbot, map_page, store) -> None:
    page, view = map_page, map_page.view
    js(qtbot, view, "window.__sameDocument = 7; 1")
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        page.panel.set_filter(MapFilter(kinds=frozenset({"association"})))
    assert blocker.args[0]["visible"] == 1
    fit(qtbot, page, LYON)
    assert inside(view.bounds, LYON, slack=0.01)

    dialog = page.views.ask_save()
    assert dialog.isVisible()
    dialog.name.setText("Lyon")
    dialog.title.setText("Les acteurs lyonnais")
    dialog.accept()
    saved = find_view(store, "Lyon")
    assert saved is not None and saved.title == "Les acteurs lyonnais"
    assert saved.filter == MapFilter(kinds=frozenset({"association"}))
    assert saved.bounds == view.bounds and inside(saved.bounds, LYON, slack=0.01)
    assert [page.views.list.item(r).text() for r in range(page.views.list.count())] == ["Lyon"]

    # A duplicate name: the error shows in the dialog, which stays open; nothing saved.
    again = page.views.ask_save()
    again.name.setText("lyon")
    again.accept()
    assert again.isVisible() and again.error.isVisible() and "déjà" in again.error.text()
    again.reject()
    assert len(list_views(store)) == 1

    # Elsewhere, everything shown...
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        page.panel.reset()
    assert blocker.args[0]["visible"] == 4
    fit(qtbot, page, FRANCE)
    wide = page_bounds(qtbot, view)
    assert not inside(LYON, wide, slack=0.5)

    # ...then a click on the view: its filter, its extent and its title come back.
    item = page.views.list.item(0)
    rect = page.views.list.visualItemRect(item)
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        QTest.mouseClick(page.views.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0]["visible"] == 1
    shown = page_bounds(qtbot, view)
    assert inside(shown, LYON, slack=0.01) and not inside(shown, FRANCE)
    assert json.loads(js(qtbot, view, "JSON.stringify(companionMapStatus.visible)")) == 1
    assert page.panel.current_filter() == saved.filter
    assert page.title_edit.text() == "Les acteurs lyonnais"
    assert js(qtbot, view, "window.__sameDocument") == 7


def test_rename_delete_with_confirmation_and_reorder(qtbot, map_page, store) -> None:
    page = map_page
    for name in ("Un", "Deux", "Trois"):
        save_view(store, name, "", MapFilter(), None)
    page.views.refresh()
    names = lambda: [page.views.list.item(r).text() for r in range(page.views.list.count())]  # noqa: E731
    assert names() == ["Un", "Deux", "Trois"]

    page.views.select(find_view(store, "Trois").id)
    page.views.move_selected(-1)
    page.views.move_selected(-1)
    assert names() == ["Trois", "Un", "Deux"]
    assert [v.name for v in list_views(store)] == ["Trois", "Un", "Deux"]
    assert not page.views.up_button.isEnabled() and page.views.down_button.isEnabled()

    dialog = page.views.ask_rename()
    assert dialog.name.text() == "Trois"
    dialog.name.setText("")
    dialog.accept()
    assert dialog.isVisible() and "obligatoire" in dialog.error.text()
    dialog.name.setText("Trois bis")
    dialog.title.setText("Troisième vue")
    dialog.accept()
    assert names()[0] == "Trois bis" and find_view(store, "Trois bis").title == "Troisième vue"

    box = page.views.ask_delete()
    assert "Trois bis" in box.text()
    box.button(box.StandardButton.No).click()
    assert len(list_views(store)) == 3
    box = page.views.ask_delete()
    box.button(box.StandardButton.Yes).click()
    assert names() == ["Un", "Deux"] and find_view(store, "Trois bis") is None


def test_contacts_show_only_when_asked_and_never_in_presentation(
    qtbot, map_page, store, actors, tmp_path
) -> None:
    page, view = map_page, map_page.view
    key = seq_of(store, actors["ecole"])
    text = card_text(qtbot, view, key)
    assert "@" not in text and PHONE not in text  # off by default

    page.contacts.setChecked(True)
    with qtbot.waitSignal(view.contacts_sent, timeout=10_000) as blocker:
        card_text(qtbot, view, key)
    assert blocker.args == [actors["ecole"]]
    text = js(qtbot, view, LAST_CARD)
    assert "alice@ecole.example" in text and PHONE in text and "Présidente" in text
    assert "contact@ecole.example" in text

    page.title_edit.setText("Rencontre des acteurs lyonnais")
    page.presentation.enter()
    assert not page.contacts.isChecked()  # reset on entering presentation
    page.contacts.setChecked(True)  # even if asked for while presenting
    assert js(qtbot, view, "document.querySelectorAll('.companion-card-contacts').length") == 0
    sent: list[str] = []
    view.contacts_sent.connect(sent.append)
    for actor_id in actors.values():
        text = card_text(qtbot, view, seq_of(store, actor_id))
        assert "@" not in text and not PHONE_DIGITS.search(text), text
    # The page asking anyway gets nothing from Python.
    view.bridge.report("contacts", json.dumps({"actorId": actors["ecole"]}))
    assert sent == []
    text = js(qtbot, view, "document.body.textContent")
    assert "@" not in text and PHONE not in text
    card_text(qtbot, view, key)
    screenshot(qtbot, view, tmp_path, "presentation-popup.png")


def test_presentation_mode_steps_through_views(qtbot, map_page, store, tmp_path) -> None:
    page, view = map_page, map_page.view
    save_view(
        store,
        "Dijon",
        "Bourgogne : les collectifs",
        MapFilter(kinds=frozenset({"collectif"})),
        DIJON,
    )
    save_view(
        store,
        "Brest",
        "Les catalyseurs du Finistère",
        MapFilter(kinds=frozenset({"catalyseur"})),
        BREST,
    )
    save_view(store, "Tout", "", MapFilter(), FRANCE)
    page.views.refresh()
    page.title_edit.setText("Atelier du 14 mars")
    assert not page.window().isFullScreen()

    QTest.keyClick(page, Qt.Key.Key_F5)
    assert page.presentation.active
    assert page.window().isFullScreen() and page.side.isHidden()
    assert js(qtbot, view, "document.body.classList.contains('presentation')") is True
    banner = "document.getElementById('companion-banner')"
    assert js(qtbot, view, f"{banner}.textContent") == "Atelier du 14 mars"
    assert js(qtbot, view, f"{banner}.hidden") is False
    legend_px = js(
        qtbot, view, "getComputedStyle(document.querySelector('.companion-legend')).fontSize"
    )
    assert float(legend_px.rstrip("px")) >= 20

    target = view.focusProxy() or view
    expected = [
        ("Bourgogne : les collectifs", 1, DIJON),
        ("Les catalyseurs du Finistère", 1, BREST),
        ("Tout", 4, FRANCE),
    ]
    for key, (title, visible, box) in zip(
        (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Right), expected, strict=True
    ):
        with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
            QTest.keyClick(target, key)
        assert blocker.args[0]["visible"] == visible
        assert js(qtbot, view, f"{banner}.textContent") == title
        # Fitted again once the page has taken the full-screen size.
        qtbot.waitUntil(lambda b=box: inside(page_bounds(qtbot, view), b, slack=0.01))
    france = screenshot(qtbot, view, tmp_path, "presentation-france.png")

    QTest.keyClick(target, Qt.Key.Key_Right)  # past the last view: stays
    assert page.current_view_id == find_view(store, "Tout").id
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        QTest.keyClick(target, Qt.Key.Key_PageUp)
    assert blocker.args[0]["visible"] == 1
    assert js(qtbot, view, f"{banner}.textContent") == "Les catalyseurs du Finistère"
    screenshot(qtbot, view, tmp_path, "presentation-brest.png", previous=france)

    QTest.keyClick(target, Qt.Key.Key_Escape)
    assert not page.presentation.active
    assert not page.window().isFullScreen() and page.side.isVisible()
    assert js(qtbot, view, "document.body.classList.contains('presentation')") is False
    assert js(qtbot, view, f"{banner}.hidden") is True
    # Out of presentation the arrows are the map's again: no view change.
    QTest.keyClick(target, Qt.Key.Key_Left)
    assert page.current_view_id == find_view(store, "Brest").id


def test_presentation_hides_the_main_window_chrome(qtbot, network) -> None:
    from companion.ui.shell.main_window import MAP, MainWindow

    window = MainWindow(network.store)
    window.show()
    window.show_section(MAP)
    page = window.map_page
    qtbot.waitUntil(lambda: page.view.is_ready, timeout=DRAW_TIMEOUT_MS)
    page.present_button.click()
    assert window.isFullScreen()
    assert window.sidebar.isHidden() and window.statusBar().isHidden() and page.side.isHidden()
    QTest.keyClick(page.view.focusProxy() or page.view, Qt.Key.Key_Escape)
    assert not window.isFullScreen()
    assert window.sidebar.isVisible() and window.statusBar().isVisible() and page.side.isVisible()
    dispose(qtbot, window)


def test_export_opens_from_the_map_with_the_screen_title(qtbot, map_page) -> None:
    from PySide6.QtWidgets import QApplication

    from companion.ui.map.export_dialog import MapExportDialog

    def dialogs() -> list[MapExportDialog]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, MapExportDialog)]

    map_page.title_edit.setText("Atelier du 12 mars")
    map_page.export_button.click()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in dialogs()), timeout=10_000)
    [dialog] = [d for d in dialogs() if d.isVisible()]
    assert "Atelier du 12 mars" in [
        edit.text() for edit in dialog.findChildren(type(map_page.title_edit))
    ]
    assert map_page.export_action.shortcut().toString() == "Ctrl+E"
    dialog.reject()
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in dialogs()))
