"""The menu bar: every action findable, with its shortcut, and each one doing its job."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from companion.io.textfile import detect_format, read_records
from companion.ui.shell.main_window import DIRECTORY

from .conftest import Network, make_window


def test_menus_list_the_actions_with_their_shortcuts(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&Fichier", "&Édition", "&Annuaire", "A&ffichage", "&Aide"]
    shortcuts = {name: a.shortcut().toString() for name, a in window.actions_by_name.items()}
    assert shortcuts["import"] == "Ctrl+I"
    assert shortcuts["undo"] == "Ctrl+Z"
    assert shortcuts["new_actor"] == "Ctrl+N"
    assert shortcuts["duplicates"] == "Ctrl+Shift+D"
    assert shortcuts["section2"] == "Ctrl+2"


def test_ctrl_n_adds_an_actor_and_shows_it_in_the_directory(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.actor_form is not None and window.actor_form.isVisible())
    form = window.actor_form
    form.name.setText("Ressourcerie du Plateau")
    form.accept()
    qtbot.waitUntil(lambda: window.actor_form is None)
    assert window.current_section() == DIRECTORY
    assert window.directory.card.actor_id is not None
    assert network.store.get_actor(window.directory.card.actor_id).name == (
        "Ressourcerie du Plateau"
    )
    assert "5 acteurs" in window.status_label.text()
    assert window.undo_action.isEnabled()
    # The directory's toolbar opens the same form.
    window.directory.new_actor_action.trigger()
    qtbot.waitUntil(lambda: window.actor_form is not None and window.actor_form.isVisible())
    window.actor_form.reject()
    qtbot.waitUntil(lambda: window.actor_form is None)


def test_exporting_the_directory_writes_the_chosen_format(
    qtbot, network: Network, tmp_path: Path, monkeypatch
) -> None:
    window = make_window(qtbot, network)
    target = tmp_path / "annuaire"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *args, **kwargs: (str(target), "Acteurs, tableur CSV (Excel) (*.csv)"),
    )
    window.actions_by_name["export"].trigger()
    written = target.with_suffix(".csv")
    records = list(read_records(written, detect_format(written)))
    assert len(records) == 1 + 4  # the header and the four actors
    assert "4 fiches exportées" in window.statusBar().currentMessage()


def test_duplicates_and_review_open_from_the_menu(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    window.actions_by_name["duplicates"].trigger()
    dialog = window.duplicates_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.close()
    window.actions_by_name["review"].trigger()
    qtbot.waitUntil(lambda: window.directory.people.review is not None)
    assert window.directory.people.review.isVisible()
