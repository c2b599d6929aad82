"""The menu bar: every action findable, with its shortcut, and each one doing its job."""

from pathlib import Path

import openpyxl
import pytest
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


@pytest.fixture
def offers(monkeypatch) -> list[Path]:
    """The files offered to open after an export (tests/ui/test_saved_file.py clicks it)."""
    from companion.ui.shell import menus

    offered: list[Path] = []
    monkeypatch.setattr(menus, "offer_to_open", lambda _w, _t, path, _m="": offered.append(path))
    return offered


def test_exporting_the_directory_writes_the_chosen_format(
    qtbot, network: Network, tmp_path: Path, monkeypatch, offers
) -> None:
    window = make_window(qtbot, network)
    target = tmp_path / "exports" / "annuaire"
    target.parent.mkdir()
    asked: list[tuple] = []

    def save_as(*args, **_kwargs):
        asked.append(args)
        return str(target), "Acteurs, tableur CSV (Excel) (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.actions_by_name["export"].trigger()
    written = target.with_suffix(".csv")
    records = list(read_records(written, detect_format(written)))
    assert len(records) == 1 + 4  # the header and the four actors
    assert "4 fiches exportées" in window.statusBar().currentMessage()
    assert offers == [written]
    # The next export starts in the same folder, with the same format chosen.
    window.actions_by_name["export"].trigger()
    assert Path(asked[1][2]).parent == target.parent
    assert asked[1][4] == "Acteurs, tableur CSV (Excel) (*.csv)"


def test_ctrl_shift_e_writes_kumus_workbook_when_its_type_is_chosen(
    qtbot, network: Network, tmp_path: Path, monkeypatch, offers
) -> None:
    """Kumu's workbook and the spreadsheet are both .xlsx: the chosen type decides."""
    window = make_window(qtbot, network)
    answers = iter(
        [
            (str(tmp_path / "reseau.xlsx"), "Kumu, classeur Elements et Connections (*.xlsx)"),
            (str(tmp_path / "tableur.xlsx"), "Acteurs, classeur Excel (*.xlsx)"),
        ]
    )
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: next(answers))
    shortcut = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_E, shortcut)
    qtbot.waitUntil(lambda: (tmp_path / "reseau.xlsx").is_file())
    workbook = openpyxl.load_workbook(tmp_path / "reseau.xlsx")
    assert workbook.sheetnames == ["Elements", "Connections"]
    labels = {row[1] for row in workbook["Elements"].iter_rows(min_row=2, values_only=True)}
    assert labels == {"École des Jardins partagés", "Tiers-lieu La Fabrique",
                      "Fondation Terres Vivantes", "Mairie de Brest"}  # fmt: skip
    assert workbook["Connections"].max_row == 1 + 2
    assert "4 fiches exportées" in window.statusBar().currentMessage()

    qtbot.keyClick(window, Qt.Key.Key_E, shortcut)
    qtbot.waitUntil(lambda: (tmp_path / "tableur.xlsx").is_file())
    assert openpyxl.load_workbook(tmp_path / "tableur.xlsx").sheetnames == ["Acteurs"]


def test_duplicates_and_review_open_from_the_menu(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    window.actions_by_name["duplicates"].trigger()
    dialog = window.duplicates_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.close()
    window.actions_by_name["review"].trigger()
    qtbot.waitUntil(lambda: window.directory.people.review is not None)
    assert window.directory.people.review.isVisible()
