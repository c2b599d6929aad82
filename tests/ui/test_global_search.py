"""« Rechercher partout » (Ctrl+K): grouped results, and each one opens where it lives."""

from __future__ import annotations

from PySide6.QtCore import Qt

from companion.toolbox import catalogue
from companion.ui.shell.global_search import GlobalSearch
from companion.ui.shell.main_window import DIRECTORY, TOOLBOX, MainWindow

from .conftest import Network, make_window


def open_box(qtbot, window: MainWindow, shortcut: bool = True) -> GlobalSearch:
    if shortcut:
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    else:  # offscreen, the window is not active again once a dialog closed
        window.open_global_search()
    qtbot.waitUntil(lambda: window.global_search is not None and window.global_search.isVisible())
    box = window.global_search
    qtbot.waitUntil(lambda: box.focusWidget() is box.box)
    return box


def type_and_wait(qtbot, box: GlobalSearch, text: str) -> None:
    box.box.clear()
    qtbot.keyClicks(box.box, text)
    qtbot.waitUntil(lambda: not box._timer.isActive() and "résultat" in box.count_label.text())


def test_results_are_grouped_by_kind(qtbot, network: Network) -> None:
    store = network.store
    catalogue.install_bundled(store)
    store.add_person("Marie", "Jardin")
    window = make_window(qtbot, network)
    box = open_box(qtbot, window)
    assert window.actions_by_name["search_everywhere"].shortcut().toString() == "Ctrl+K"

    type_and_wait(qtbot, box, "jardin")
    groups = [box.results.topLevelItem(i).text(0) for i in range(box.results.topLevelItemCount())]
    # In that order; "Territoires" for the commune of Jardin (Isère).
    assert groups == ["Acteurs", "Personnes", "Boîte à outils", "Territoires"]
    rows = box.rows()
    assert [(entity, title) for entity, _id, title in rows[:2]] == [
        ("actor", "École des Jardins partagés"),
        ("person", "Marie Jardin"),
    ]
    toolbox = [row for row in rows if row[0] == "toolbox"]
    assert toolbox and box.count_label.text() == f"{3 + len(toolbox)} résultats"

    type_and_wait(qtbot, box, "bilan saison")
    assert box.rows()[0][::2] == ("interaction", "Bilan de saison")
    assert box.results.topLevelItem(0).text(0) == "Échanges"

    type_and_wait(qtbot, box, "gouvernance")
    entities = {entity for entity, _id, _title in box.rows()}
    assert entities == {"toolbox"}
    assert box.results.topLevelItem(0).text(0) == "Boîte à outils"

    box.box.clear()
    qtbot.keyClicks(box.box, "xqzw")
    qtbot.waitUntil(lambda: box.count_label.text() == "Aucun résultat")
    box.close()


def test_enter_opens_an_actor_in_the_directory(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    window.show_section(TOOLBOX)
    box = open_box(qtbot, window)
    qtbot.keyClicks(box.box, "fabrique")
    qtbot.keyClick(box.box, Qt.Key.Key_Return)  # before the pause: searched at once
    qtbot.waitUntil(lambda: not box.isVisible())
    assert window.current_section() == DIRECTORY
    assert window.directory.card.actor_id == network.ids["tiers"]


def test_a_person_an_exchange_and_a_toolbox_item_open_where_they_live(
    qtbot, network: Network
) -> None:
    store = network.store
    catalogue.install_bundled(store)
    alice = next(hit.id for hit in store.search("Alice") if hit.entity == "person")
    window = make_window(qtbot, network)

    box = open_box(qtbot, window)
    type_and_wait(qtbot, box, "alice martin")
    qtbot.keyClick(box.box, Qt.Key.Key_Return)
    assert window.current_section() == DIRECTORY
    assert window.directory.people.card.person_id == alice

    box = open_box(qtbot, window, shortcut=False)
    type_and_wait(qtbot, box, "bilan saison")
    qtbot.keyClick(box.box, Qt.Key.Key_Return)
    assert window.directory.card.actor_id == network.ids["ecole"]  # the exchange's actor

    box = open_box(qtbot, window, shortcut=False)
    assert box.box.selectedText() == "bilan saison"  # the last search, ready to be replaced
    type_and_wait(qtbot, box, "gouvernance partenariat")
    # Down moves through the results, the cursor stays in the box.
    first, second = box.rows()[:2]
    qtbot.keyClick(box.box, Qt.Key.Key_Down)
    assert box.results.currentItem().text(0).strip() == second[2]
    qtbot.keyClick(box.box, Qt.Key.Key_Up)
    qtbot.keyClick(box.box, Qt.Key.Key_Return)
    assert window.current_section() == TOOLBOX
    assert window.toolbox_page.reader.current_id() == first[1]
