"""The Réseau section: catalysts as cards, filters, "who near me", profiles, map and back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog

from companion.geo import Gazetteer
from companion.network.profiles import CatalystProfile, get_profile, save_profile
from companion.store import Store
from companion.ui.map.scheme import register_scheme
from companion.ui.network.page import NetworkPage
from companion.ui.shell.main_window import MAP, NETWORK
from tests.french import fr

from .conftest import Network, make_window
from .map_helpers import dispose, js, seq_of

# Before the QApplication exists, as for the other map tests (imported before any test runs).
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
PLACES = {  # INSEE, commune, département, latitude, longitude
    "lyon": ("69123", "Lyon", "69", 45.767691, 4.835371),
    "grenoble": ("38185", "Grenoble", "38", 45.18663, 5.73631),
    "rennes": ("35238", "Rennes", "35", 48.093066, -1.67494),
    "brest": ("29019", "Brest", "29", 48.391693, -4.484541),
}


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def add_catalyst(store: Store, name: str, place: str, owner: str | None = None) -> str:
    insee, commune, departement, latitude, longitude = PLACES[place]
    fields = {"owner": owner} if owner is not None else {}
    return store.add_actor(
        name, "catalyseur", insee_code=insee, commune=commune, departement=departement,
        latitude=latitude, longitude=longitude, **fields,
    ).id  # fmt: skip


@pytest.fixture
def catalysts(network: Network, gazetteer) -> dict[str, str]:
    """Four catalysts: the user's own in Lyon (no profile yet), three others' with profiles."""
    store = network.store
    ids = {
        "mine": add_catalyst(store, "Pôle Confluences", "lyon"),
        "grenoble": add_catalyst(store, "Fabrique Alpine", "grenoble", owner="autre"),
        "rennes": add_catalyst(store, "Liens d'Ille", "rennes", owner="autre"),
        "brest": add_catalyst(store, "Ponant Coopérations", "brest", owner="autre"),
    }
    for key, metiers, themes in (
        ("grenoble", ("lieu",), ("Numérique",)),
        ("rennes", ("lieu", "dialogue"), ("Mobilité",)),
        ("brest", ("accompagnement",), ("Santé",)),
    ):
        save_profile(
            store,
            CatalystProfile(ids[key], structure=f"Structure {key}", metiers=metiers, themes=themes,
                            public_contact=f"{key}@reseau.example"),
            gazetteer,
        )  # fmt: skip
    store.conn.execute("UPDATE catalyst_profiles SET owner = 'autre'")
    store.journal.clear()
    return ids


def make_page(qtbot, store: Store) -> NetworkPage:
    page = NetworkPage(store)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def card_names(page: NetworkPage) -> list[str]:
    return [card.text().splitlines()[0] for card in page.cards]


def test_ctrl_5_opens_the_network_with_every_catalyst_as_a_card(qtbot, network, catalysts):
    window = make_window(qtbot, network)
    assert window.network_page is None  # built when first shown
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == NETWORK
    page = window.network_page
    assert page is not None and window.pages.currentWidget() is page
    assert page.count_label.text() == "4 catalyseurs"
    assert card_names(page) == [
        "Fabrique Alpine", "Liens d'Ille", "Pôle Confluences  (vous)", "Ponant Coopérations"
    ]  # fmt: skip
    rennes = page.cards[1].text()
    assert "Structure rennes — Rennes (35)" in rennes and fr("Thèmes : Mobilité") in rennes
    assert "rennes@reseau.example" in rennes
    chips = {chip.text() for chip in page.cards[1].findChildren(type(page.count_label))}
    assert {"Gestion d'un lieu", "Dialogue territorial"} <= chips
    assert "Profil non renseigné" in page.cards[2].text()


def test_filters_narrow_the_cards(qtbot, store, catalysts):
    page = make_page(qtbot, store)
    page.metier.setCurrentIndex(page.metier.findData("lieu"))
    assert card_names(page) == ["Fabrique Alpine", "Liens d'Ille"]
    page.region.setCurrentIndex(page.region.findData("53"))  # Bretagne
    assert card_names(page) == ["Liens d'Ille"]
    assert page.count_label.text() == "1 catalyseur"
    page.metier.setCurrentIndex(0)
    page.theme.setCurrentIndex(page.theme.findData("Santé"))
    assert card_names(page) == ["Ponant Coopérations"]
    page.theme.setCurrentIndex(0)
    page.region.setCurrentIndex(0)
    page.search.setText("alpine")
    assert card_names(page) == ["Fabrique Alpine"]
    page.search.setText("")
    assert len(page.cards) == 4


def test_who_near_me_lists_by_distance_from_my_own_commune(qtbot, store, catalysts, gazetteer):
    page = make_page(qtbot, store)
    assert page.near_commune.commune.insee == "69123"  # the user's catalyst's commune
    page.near_metier.setCurrentIndex(page.near_metier.findData("lieu"))
    rows = [page.near_list.item(row).text() for row in range(page.near_list.count())]
    assert rows == ["Fabrique Alpine — 95 km", "Liens d'Ille — 558 km"]
    page.near_commune.choose(gazetteer.by_insee("29019"))  # Brest
    page.near_metier.setCurrentIndex(0)  # any métier
    names = [hit.catalyst.name for hit in page.nearby]
    assert names == ["Ponant Coopérations", "Liens d'Ille", "Pôle Confluences", "Fabrique Alpine"]
    assert page.near_list.item(0).text() == "Ponant Coopérations — 0,0 km"
    page._on_near_item(page.near_list.item(1))
    assert page.profile_view.actor_id == catalysts["rennes"]


def test_own_profile_is_created_and_others_are_read_only(qtbot, store, catalysts):
    page = make_page(qtbot, store)
    page.show_profile(catalysts["grenoble"])
    assert page.profile_view.edit_button is None  # another member's profile
    assert "Structure grenoble" in page.profile_view.text()
    page.own_button.click()
    assert page.profile_view.actor_id == catalysts["mine"]
    assert "pas encore renseigné son profil" in page.profile_view.text()
    page.profile_view.edit_button.click()
    form = page.form
    qtbot.waitUntil(lambda: form.isVisible())
    form.structure.setText("Tiers-lieu de la Confluence")
    form.accept()  # no métier yet: refused, the form stays
    assert form.error.text() == fr("Métiers : choisissez au moins un métier.")
    assert form.isVisible()
    form.metiers["dialogue"].setChecked(True)
    form.metiers["lieu"].setChecked(True)
    form.commune.choose(page.gazetteer.by_insee("69123"))
    assert form.add_territory_of_commune("commune")
    assert form.add_territory_of_commune("epci")
    form.themes.setText("Alimentation, emploi")
    form.missions.setPlainText("Réunir les acteurs du quartier.")
    with qtbot.waitSignal(form.finished):
        form.accept()
    assert form.result() == QDialog.DialogCode.Accepted
    saved = get_profile(store, catalysts["mine"])
    assert saved.territories == ("commune:69123", "epci:200046977")
    assert saved.metiers == ("dialogue", "lieu") and saved.themes == ("Alimentation", "emploi")
    assert "Métropole de Lyon" in page.profile_view.text()
    assert "Tiers-lieu de la Confluence" in page.cards[2].text()
    assert store.journal.last().label == "Créer le profil de Pôle Confluences"


def test_a_catalyst_shows_on_the_map_and_the_map_opens_its_profile(qtbot, network, catalysts):
    other = network.store.add_actor("Atelier Vélo", "association", latitude=45.7, longitude=4.8)
    window = make_window(qtbot, network)
    window.show_section(NETWORK)
    page = window.network_page
    page.show_profile(catalysts["rennes"])
    page.profile_view.map_button.click()
    assert window.current_section() == MAP
    view = window.map_page.view
    assert window.map_page.current_filter().kinds == frozenset({"catalyseur"})
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    qtbot.waitUntil(lambda: view.bounds is not None and view.bounds[0] < 48.09 < view.bounds[2])
    assert view.bounds[1] < -1.67 < view.bounds[3]
    button = "querySelector('.companion-card-profile')"
    key = seq_of(network.store, catalysts["brest"])
    opener = f"companionMap.openCard({key}).getElement().querySelector('.companion-card')"
    assert js(qtbot, view, f"{opener}.{button}.textContent") == "Profil du catalyseur"
    js(qtbot, view, f"{opener}.{button}.click()")
    qtbot.waitUntil(lambda: window.current_section() == NETWORK)
    assert page.profile_view.actor_id == catalysts["brest"]
    assert "Structure brest" in page.profile_view.text()
    # Other actors' cards have no such button.
    key = seq_of(network.store, other.id)
    opener = f"companionMap.openCard({key}).getElement().querySelector('.companion-card')"
    assert js(qtbot, view, f"{opener}.{button} === null") is True
    dispose(qtbot, window)


def test_a_network_without_catalysts_says_what_it_is_for(qtbot, store: Store) -> None:
    from PySide6.QtTest import QTest

    page = make_page(qtbot, store)
    assert page.list_stack.currentWidget() is page.empty and page.empty.isVisible()
    [join] = page.empty.buttons
    assert join.text() == "Rejoindre mon réseau…"
    with qtbot.waitSignal(page.join_requested):
        QTest.mouseClick(join, Qt.MouseButton.LeftButton)
