"""Préférences and the shortcuts help: every choice applied where it belongs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog

from companion.directory.personal_data import REVIEW_YEARS_SETTING
from companion.ui import preferences as preferences_module
from companion.ui.map_presentation import FULL_SCREEN_SETTING, TITLE_SETTING
from companion.ui.shortcuts_dialog import shortcut_rows
from companion.ui.tile_settings import ONLINE_KEY

from .conftest import Network, make_window


@pytest.fixture
def preferences(tmp_path, monkeypatch) -> QSettings:
    settings = QSettings(str(tmp_path / "preferences.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(preferences_module, "preferences", lambda: settings)
    return settings


def open_preferences(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "settings_dialog", None) is not None)
    dialog = window.settings_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_preferences_apply_to_this_data_folder_at_once(qtbot, network: Network, preferences):
    window = make_window(qtbot, network)
    store = network.store
    dialog = open_preferences(qtbot, window)
    assert dialog.language.currentData() == "fr"
    assert not dialog.online_tiles.isChecked()  # offline unless the user says so
    dialog.online_tiles.setChecked(True)
    dialog.sync_interval.setCurrentIndex(dialog.sync_interval.findData(60))
    dialog.full_screen.setChecked(False)
    dialog.presentation_title.setText("Atelier du 12 mars")
    dialog.review_years.setValue(5)
    assert not dialog.restart_button.isEnabled()  # nothing that needs a restart
    dialog.accept()
    assert store.setting(ONLINE_KEY) == "1"
    assert window.sync.interval_minutes() == 60
    assert store.setting(FULL_SCREEN_SETTING) == "0"
    assert store.setting(TITLE_SETTING) == "Atelier du 12 mars"
    assert store.setting(REVIEW_YEARS_SETTING) == "5"


def test_language_and_data_folder_wait_for_the_next_start(
    qtbot, network: Network, preferences, tmp_path, monkeypatch
):
    window = make_window(qtbot, network)
    dialog = open_preferences(qtbot, window)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    assert dialog.restart_button.isEnabled() and "prochain démarrage" in dialog.note.text()
    other = tmp_path / "autre-dossier"
    other.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(other))
    dialog.choose_folder()
    dialog.accept()
    assert preferences_module.preferred_language() == "en"
    assert preferences_module.remembered_data_folder() == Path(other)
    assert "prochain démarrage" in window.statusBar().currentMessage()


def test_the_shortcuts_help_lists_every_menu_shortcut(qtbot, network: Network):
    window = make_window(qtbot, network)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "shortcuts_dialog", None) is not None)
    dialog = window.shortcuts_dialog
    rows = shortcut_rows(window)
    listed = {(menu, text): keys for menu, text, keys in rows}

    def native(name: str) -> str:  # as the user reads them (« Maj » in French)
        return ", ".join(
            key.toString(QKeySequence.SequenceFormat.NativeText)
            for key in window.actions_by_name[name].shortcuts()
        )

    assert listed[("Fichier", "Importer…")] == native("import") == "Ctrl+I"
    assert listed[("Annuaire", "Nouvel acteur…")] == native("new_actor")
    assert listed[("Fichier › Synchronisation", "Synchroniser maintenant")] == native("sync_now")
    assert native("sync_now").startswith("F9, ")
    assert listed[("Aide", "Raccourcis clavier…")] == "F1"
    shown = sum(
        dialog.tree.topLevelItem(i).childCount() for i in range(dialog.tree.topLevelItemCount())
    )
    assert shown == len(rows)
    with_keys = {
        a.text().replace("&", "") for a in window.actions_by_name.values() if a.shortcuts()
    }
    assert with_keys <= {text for _menu, text, _keys in rows}  # nothing with a shortcut missing
