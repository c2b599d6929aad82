"""The window's "Annuler" action: Ctrl+Z undoes the last user action and says which."""

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox

from companion.ui.shell.main_window import TOOLBOX, MainWindow
from tests.french import fr

from .conftest import Network, make_window


def delete_two_actors(window: MainWindow, monkeypatch) -> None:
    table = window.directory.table
    model = table.model()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in range(model.rowCount()):
        if model.index(row, 0).data() in ("Mairie de Brest", "Fondation Terres Vivantes"):
            table.selectionModel().select(model.index(row, 0), flags)
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    window.directory.actor_bulk.delete_action.trigger()


def test_undo_is_disabled_until_something_can_be_undone(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    action = window.undo_action
    assert action in window.actions()
    assert action.shortcut().toString() == "Ctrl+Z"
    assert not action.isEnabled()
    assert action.text() == "Annuler"


def test_ctrl_z_undoes_a_bulk_delete_and_refreshes(qtbot, network: Network, monkeypatch) -> None:
    window = make_window(qtbot, network)
    qtbot.waitUntil(lambda: "4 acteurs" in window.status_label.text())
    delete_two_actors(window, monkeypatch)
    assert window.statusBar().currentMessage() == "2 acteurs supprimés — Ctrl+Z pour annuler"
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == fr("Annuler : Supprimer 2 acteurs")
    assert "2 acteurs" in window.status_label.text()
    assert window.directory.count_label.text() == "2 acteurs"

    window.directory.table.setFocus()
    qtbot.waitUntil(window.directory.table.hasFocus)
    qtbot.keyClick(window.directory.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert network.store.count_actors() == 4
    assert window.directory.count_label.text() == "4 acteurs"
    assert window.statusBar().currentMessage() == fr("Annulé : Supprimer 2 acteurs")
    assert "4 acteurs" in window.status_label.text()
    assert not window.undo_action.isEnabled()
    assert window.undo_action.text() == "Annuler"


def test_steps_recorded_elsewhere_show_up_on_section_change_and_activation(
    qtbot, network: Network
) -> None:
    window = make_window(qtbot, network)
    store = network.store
    with store.undoable("Fusionner deux acteurs"):  # as another dialog would
        store.update_actor(network.ids["mairie"], name="Ville de Brest")
    window.show_section(TOOLBOX)
    assert window.undo_action.text() == fr("Annuler : Fusionner deux acteurs")
    with store.undoable("Modifier l'acteur"):
        store.update_actor(network.ids["mairie"], name="Brest Métropole")
    window.changeEvent(QEvent(QEvent.Type.ActivationChange))  # back from another window
    assert window.undo_action.text() == fr("Annuler : Modifier l'acteur")
    window.undo_action.trigger()
    assert store.get_actor(network.ids["mairie"]).name == "Ville de Brest"
    assert window.undo_action.text() == fr("Annuler : Fusionner deux acteurs")


def test_an_edit_from_the_actor_card_refreshes_the_table_and_the_action(
    qtbot, network: Network, monkeypatch
) -> None:
    window = make_window(qtbot, network)
    directory = window.directory
    store = network.store
    directory.card.show_actor(network.ids["mairie"])
    with store.undoable("Modifier l'acteur"):
        store.update_actor(network.ids["mairie"], name="Ville de Brest")
    directory.card.changed.emit(network.ids["mairie"])  # what the card does after an edit
    names = [directory.model.index(r, 0).data() for r in range(directory.model.rowCount())]
    assert "Ville de Brest" in names
    assert window.undo_action.text() == fr("Annuler : Modifier l'acteur")


def test_undo_of_a_person_edit_refreshes_the_people_tab(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    people = window.directory.people
    window.directory.show_people()
    person_id = people.model.person_id(0)
    people.show_person(person_id)
    form = people.card.edit()
    form.last_name.setText("Nouveau")
    form.accept()
    assert window.undo_action.text().startswith(fr("Annuler : Modifier "))
    window.undo_action.trigger()
    names = [people.model.index(r, 0).data() for r in range(people.model.rowCount())]
    assert not any("Nouveau" in name for name in names)
    assert "Nouveau" not in people.card.plain_text()
