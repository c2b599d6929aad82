"""« Ajouter « Mairie de … » »: a real right click on the map, a real click on the menu entry,
the town hall in the store, on the map and in the directory; the second time, an offer to open it.
The same from a commune's Territoires page."""

from __future__ import annotations

import json

from needs import require_gazetteer
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from companion.store import Store
from companion.ui.map.scheme import register_scheme
from companion.ui.shell.main_window import DIRECTORY, MAP, TERRITORIES, MainWindow
from tests.french import fr

from .map_helpers import dispose, js
from .territory_helpers import wait_profile

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
NOGENT = "94052"


def click_menu_entry(menu, text: str) -> None:
    """A real click on the entry of a shown menu."""
    [action] = [a for a in menu.actions() if a.text() == fr(text)]
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def right_click_on_map(qtbot, page, latitude: float, longitude: float):
    """A real right click on the map at a point; the context menu it opened."""
    view = page.view
    point = json.loads(
        js(
            qtbot, view,
            f"JSON.stringify(companionMap.map().latLngToContainerPoint([{latitude}, {longitude}]))",
        )
    )  # fmt: skip
    page.context_menu = None
    target = view.focusProxy() or view
    QTest.mouseClick(
        target, Qt.MouseButton.RightButton, pos=QPoint(round(point["x"]), round(point["y"]))
    )
    qtbot.waitUntil(lambda: page.context_menu is not None and page.context_menu.isVisible())
    return page.context_menu


def test_the_maps_right_click_adds_the_town_hall_then_offers_to_open_it(qtbot, store: Store):
    gazetteer = require_gazetteer()
    nogent = gazetteer.by_insee(NOGENT)
    gazetteer.close()
    window = MainWindow(store)
    window.resize(1280, 800)
    window.show()
    window.show_section(MAP)
    page = window.map_page
    view = page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    js(
        qtbot,
        view,
        f"companionMap.map().setView([{nogent.latitude}, {nogent.longitude}], 14,"
        " {animate: false}); 1",
    )

    menu = right_click_on_map(qtbot, page, nogent.latitude, nogent.longitude)
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts[:2] == ["Ajouter un acteur ici", fr("Ajouter « Mairie de Nogent-sur-Marne »")]
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as drawn:
        click_menu_entry(menu, "Ajouter « Mairie de Nogent-sur-Marne »")
    [actor] = store.actors("mairie nogent")
    assert (actor.name, actor.kind, actor.insee_code) == (
        "Mairie de Nogent-sur-Marne", "collectivite", NOGENT,
    )  # fmt: skip
    assert actor.address == "Place Roland-Nungesser" and actor.postcode == "94130"
    assert actor.phone == "+33143246200" and actor.email == "lesite@ville-nogentsurmarne.fr"
    assert actor.website == "https://ville-nogentsurmarne.com"
    assert (actor.latitude, actor.longitude) == (nogent.latitude, nogent.longitude)
    assert fr("du lundi au jeudi : 8 h 30 – 12 h, 13 h – 17 h 30") in actor.description
    assert drawn.args[0]["visible"] == 1  # drawn on the map, the page kept
    assert window.directory.model.rowCount() == 1
    assert "Mairie de Nogent-sur-Marne" in window.statusBar().currentMessage()

    # Again: refused, and the message offers to open the one there is.
    menu = right_click_on_map(qtbot, page, nogent.latitude, nogent.longitude)
    click_menu_entry(menu, "Ajouter « Mairie de Nogent-sur-Marne »")
    qtbot.waitUntil(lambda: page.town_hall_box is not None and page.town_hall_box.isVisible())
    box: QMessageBox = page.town_hall_box
    assert box.text() == fr(
        "La mairie de cette commune est déjà dans l'annuaire : « Mairie de Nogent-sur-Marne »."
    )
    assert store.count_actors() == 1
    [opening] = [b for b in box.buttons() if b.text() == "Ouvrir la fiche"]
    QTest.mouseClick(opening, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_section() == DIRECTORY)
    qtbot.waitUntil(lambda: window.directory.card.actor_id == actor.id)
    dispose(qtbot, window)


def test_a_communes_territory_page_adds_its_town_hall(qtbot, store: Store):
    require_gazetteer().close()
    window = MainWindow(store)
    window.resize(1280, 800)
    window.show()
    window.show_section(TERRITORIES)
    page = window.territory_page
    qtbot.waitUntil(lambda: page.places_ready, timeout=DRAW_TIMEOUT_MS)
    page.field.setFocus()
    QTest.keyClicks(page.field, "94052")
    QTest.keyClick(page.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.territory is not None and page.territory.code == NOGENT)
    wait_profile(qtbot, page)
    button = page.town_hall_button
    assert button.isVisible() and button.text() == fr("Ajouter « Mairie de Nogent-sur-Marne »")

    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    [actor] = store.actors("mairie nogent")
    assert actor.phone == "+33143246200" and actor.address == "Place Roland-Nungesser"
    qtbot.waitUntil(lambda: button.text() == fr("Ouvrir « Mairie de Nogent-sur-Marne »"))
    assert window.directory.model.rowCount() == 1
    assert window.undo_action.text() == fr("Annuler : Ajouter « Mairie de Nogent-sur-Marne »")

    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # now opens it
    qtbot.waitUntil(lambda: window.current_section() == DIRECTORY)
    qtbot.waitUntil(lambda: window.directory.card.actor_id == actor.id)
    assert store.count_actors() == 1
    dispose(qtbot, window)
