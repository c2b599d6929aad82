"""Bulk actions on a multi-selection: tag, visibility, delete (confirmed, undoable), Del key."""

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QMessageBox

from companion.store import Store
from companion.ui.directory.page import DirectoryPage
from tests.french import fr

from .conftest import Network

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def make_page(qtbot, store: Store) -> DirectoryPage:
    page = DirectoryPage(store)
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    qtbot.waitExposed(page)
    return page


def select(table, names: list[str]) -> None:
    model = table.model()
    table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in range(model.rowCount()):
        if model.index(row, 0).data() in names:
            table.selectionModel().select(model.index(row, 0), flags)


def answer(monkeypatch, reply) -> list[str]:
    """QMessageBox.question answers ``reply``; returns the questions asked."""
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return reply

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_tables_allow_many_rows_and_actions_follow_the_selection(qtbot, network: Network) -> None:
    page = make_page(qtbot, network.store)
    mode = QAbstractItemView.SelectionMode.ExtendedSelection
    assert page.table.selectionMode() == mode
    assert page.people.table.selectionMode() == mode
    assert not page.actor_bulk.delete_action.isEnabled()
    select(page.table, ["Mairie de Brest", "Fondation Terres Vivantes"])
    assert page.actor_bulk.delete_action.isEnabled()
    menu = page.actor_bulk.context_menu()
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == [
        "Voir sur la carte",
        "Voir le réseau de la sélection",
        "Ajouter une étiquette…",
        "Rendre privé",
        "Partager avec le réseau",
        "Supprimer…",
    ]
    assert page.people.bulk.tag_action is None  # people have no tags


def test_delete_asks_with_the_count_and_can_be_undone(qtbot, network: Network, monkeypatch) -> None:
    page = make_page(qtbot, network.store)
    select(page.table, ["Mairie de Brest", "Fondation Terres Vivantes"])
    asked = answer(monkeypatch, NO)
    page.actor_bulk.delete_action.trigger()
    assert asked[0].startswith(fr("Supprimer les 2 acteurs sélectionnés ?"))
    assert network.store.count_actors() == 4  # refused: nothing deleted

    answer(monkeypatch, YES)
    with qtbot.waitSignal(page.status_message) as message:
        page.actor_bulk.delete_action.trigger()
    assert message.args == ["2 acteurs supprimés — Ctrl+Z pour annuler"]
    assert network.store.count_actors() == 2
    assert page.count_label.text() == "2 acteurs"
    assert network.store.journal.last().label == "Supprimer 2 acteurs"
    network.store.journal.undo()
    assert network.store.get_actor(network.ids["mairie"]) is not None


def test_del_key_deletes_the_selection_after_confirmation(
    qtbot, network: Network, monkeypatch
) -> None:
    page = make_page(qtbot, network.store)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    select(page.table, ["Mairie de Brest"])
    asked = answer(monkeypatch, YES)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert asked[0].startswith(fr("Supprimer 1 acteur ?\n\nLes relations"))
    assert asked[0].endswith("Vous pourrez annuler avec Ctrl+Z.")
    assert network.store.get_actor(network.ids["mairie"]) is None


def test_tag_and_visibility_for_many_actors(qtbot, network: Network, monkeypatch) -> None:
    page = make_page(qtbot, network.store)
    store = network.store
    names = ["Mairie de Brest", "Tiers-lieu La Fabrique"]
    select(page.table, names)
    prompts: list[str] = []

    def get_item(parent, title, label, items, current, editable):
        prompts.append(label)
        assert "alimentation" in items  # existing tags are suggested
        return "tiers-lieux", True

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    messages: list[str] = []
    page.status_message.connect(messages.append)
    page.actor_bulk.tag_action.trigger()
    assert prompts == [fr("Étiquette à ajouter aux 2 acteurs :")]
    assert store.tags_of(network.ids["mairie"]) == ["tiers-lieux"]
    assert store.tags_of(network.ids["tiers"]) == ["tiers-lieux"]
    assert messages[-1] == fr("Étiquette « tiers-lieux » ajoutée à 2 acteurs — Ctrl+Z pour annuler")

    select(page.table, names)
    page.actor_bulk.private_action.trigger()
    assert store.get_actor(network.ids["mairie"]).visibility == "private"
    assert store.get_actor(network.ids["ecole"]).visibility == "network"
    assert messages[-1] == fr("Visibilité « Privé » pour 2 acteurs — Ctrl+Z pour annuler")
    mairie_row = next(
        r for r in range(page.model.rowCount()) if page.model.actor_id(r) == network.ids["mairie"]
    )
    assert page.model.index(mairie_row, 4).data() == "Privé"


def test_select_all_acts_on_every_match_of_the_search(qtbot, network: Network, monkeypatch) -> None:
    store = network.store
    for number in range(450):
        store.add_actor(f"Collectif {number:03d}", "collectif")
    page = make_page(qtbot, store)
    page.model._page_size = 50  # the selection spans pages never read
    page.search_box.setText("collectif")
    page.apply_search()
    assert page.model.rowCount() == 450
    page.table.selectAll()
    answer(monkeypatch, YES)
    with qtbot.waitSignal(page.status_message) as message:
        page.actor_bulk.delete_action.trigger()
    assert message.args == ["450 acteurs supprimés — Ctrl+Z pour annuler"]
    assert store.count_actors() == 4


def test_people_bulk_delete_and_visibility(qtbot, network: Network, monkeypatch) -> None:
    page = make_page(qtbot, network.store)
    page.show_people()
    table = page.people.table
    select(table, ["Alice Martin", "Bruno Durand"])
    page.people.bulk.private_action.trigger()
    visibilities = network.store.conn.execute("SELECT DISTINCT visibility FROM people")
    assert visibilities.fetchall() == [("private",)]
    select(table, ["Alice Martin", "Bruno Durand"])
    asked = answer(monkeypatch, YES)
    with qtbot.waitSignal(page.status_message) as message:
        page.people.bulk.delete_action.trigger()
    assert asked[0].startswith(fr("Supprimer les 2 personnes sélectionnées ?"))
    assert message.args == ["2 personnes supprimées — Ctrl+Z pour annuler"]
    assert page.count_label.text() == "Aucune personne"
    assert network.store.members_of(network.ids["ecole"]) == []
