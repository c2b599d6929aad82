"""From the map to a territory's profile: the card's "Fiche territoire" (bridge event
``territory``) and the right click's "Fiche territoire : …" entries."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from companion.geo import Gazetteer
from companion.ui.map.page import territories_at
from companion.ui.map.scheme import register_scheme
from companion.ui.shell.main_window import MAP, TERRITORIES, MainWindow
from tests.french import fr

from .map_helpers import dispose, js, seq_of
from .territory_helpers import COORDINATES, VILLEURBANNE, rhone, wait_profile

# Before the QApplication exists, as for the other map tests.
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def test_the_places_under_a_point_from_commune_to_region() -> None:
    found = territories_at(45.7578, 4.8320)  # Lyon, in its 1st arrondissement
    assert found == [
        ("commune", "69123", "Lyon (69)"),
        ("epci", "200046977", "Métropole de Lyon"),
        ("departement", "69", "Rhône (69)"),
        ("region", "84", "Auvergne-Rhône-Alpes"),
    ]
    assert territories_at(46.0, -6.0) == []  # at sea


def test_the_map_opens_a_territory_from_a_card_and_from_a_right_click(
    qtbot, store, gazetteer
) -> None:
    network = rhone(store, gazetteer)
    window = MainWindow(store)
    window.resize(1200, 800)
    window.show()
    window.show_section(MAP)
    page = window.map_page
    view = page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)

    # The message the page sends, straight to the bridge.
    view.bridge.report("territory", json.dumps({"actorId": network.ids["mairie"]}))
    assert window.current_section() == TERRITORIES
    territories = window.territory_page
    wait_profile(qtbot, territories)
    assert territories.territory.key == f"commune:{VILLEURBANNE}"
    assert "Fiche territoire : Villeurbanne (69)" in territories.profile_view.text()
    view.bridge.report("territory", json.dumps({"actorId": "<script>"}))  # unknown: ignored
    assert territories.territory.key == f"commune:{VILLEURBANNE}"

    # A real click on the card's button, in the page.
    window.show_section(MAP)
    key = seq_of(store, network.ids["fondation"])
    card = f"companionMap.openCard({key}).getElement().querySelector('.companion-card')"
    button = "querySelector('.companion-card-territory')"
    assert js(qtbot, view, f"{card}.{button}.textContent") == "Fiche territoire"
    js(qtbot, view, f"{card}.{button}.click(); 1")
    qtbot.waitUntil(lambda: window.current_section() == TERRITORIES)
    qtbot.waitUntil(lambda: territories.territory.key == "commune:69123")
    wait_profile(qtbot, territories)

    # A right click in Villeurbanne: its commune, EPCI, département and région.
    window.show_section(MAP)
    page.context_menu = None
    latitude, longitude = COORDINATES[VILLEURBANNE]
    fire = f"companionMap.map().fire('contextmenu', {{latlng: L.latLng({latitude}, {longitude})}})"
    js(qtbot, view, f"{fire}; 1")
    qtbot.waitUntil(lambda: page.context_menu is not None)
    texts = [action.text() for action in page.context_menu.actions() if not action.isSeparator()]
    assert texts == [
        "Ajouter un acteur ici",
        fr("Ajouter « Mairie de Villeurbanne »"),
        fr("Fiche territoire : Villeurbanne (69)"),
        fr("Fiche territoire : Métropole de Lyon"),
        fr("Fiche territoire : Rhône (69)"),
        fr("Fiche territoire : Auvergne-Rhône-Alpes"),
    ]
    departement = page.context_menu.actions()[5]
    departement.trigger()
    assert window.current_section() == TERRITORIES
    assert territories.territory.key == "departement:69"
    wait_profile(qtbot, territories)
    dispose(qtbot, window)
