"""Préférences and the shortcuts help: every choice applied where it belongs."""

from __future__ import annotations

from pathlib import Path

import pytest
from needs import require_module
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from companion.directory.personal_data import REVIEW_YEARS_SETTING
from companion.maps.tiles.settings import ONLINE_KEY
from companion.store import Store, encryption
from companion.ui.data import encryption_dialogs
from companion.ui.map.presentation import FULL_SCREEN_SETTING, TITLE_SETTING
from companion.ui.shell import preferences as preferences_module
from companion.ui.shell.shortcuts_dialog import shortcut_rows
from tests.french import fr

from .conftest import Network, close_windows, make_window

KEY = "une phrase de passe solide"


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
    from companion.ui.shell.section_shortcuts import section_shortcuts

    assert shown == len(rows) + len(section_shortcuts())  # the menus', then the sections
    with_keys = {
        a.text().replace("&", "") for a in window.actions_by_name.values() if a.shortcuts()
    }
    assert with_keys <= {text for _menu, text, _keys in rows}  # nothing with a shortcut missing


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, object]]:
    """Fichier › Chiffrement's functions, replaced by a record of their calls."""
    called: list[tuple[str, object]] = []
    for name in ("encrypt_base", "change_passphrase", "decrypt_base"):
        monkeypatch.setattr(
            encryption_dialogs, name, lambda window, n=name: called.append((n, window))
        )
    return called


def test_security_offers_to_encrypt_a_plain_base_as_the_menu_does(
    qtbot, network: Network, preferences, no_keyring, calls
):
    require_module("sqlcipher3")
    window = make_window(qtbot, network)
    dialog = open_preferences(qtbot, window)
    assert dialog.encryption_state.text() == "La base n'est pas chiffrée."
    assert list(dialog.encryption_buttons) == ["encrypt"]
    button = dialog.encryption_buttons["encrypt"]
    assert button.text() == "Chiffrer la base…" and button.isVisible()
    with qtbot.waitSignal(window.actions_by_name["encrypt"].triggered):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: calls == [("encrypt_base", window)])
    assert not dialog.isVisible()  # closed before the action replaces the database


def test_security_asks_before_dropping_changes(
    qtbot, network: Network, preferences, no_keyring, calls, monkeypatch
):
    require_module("sqlcipher3")
    window = make_window(qtbot, network)
    dialog = open_preferences(qtbot, window)
    dialog.review_years.setValue(7)
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save])
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: next(answers))
    dialog.encryption_buttons["encrypt"].click()
    assert dialog.isVisible() and network.store.setting(REVIEW_YEARS_SETTING) != "7"
    dialog.encryption_buttons["encrypt"].click()  # « Enregistrer », then the action
    qtbot.waitUntil(lambda: calls == [("encrypt_base", window)])
    assert not dialog.isVisible() and network.store.setting(REVIEW_YEARS_SETTING) == "7"


def test_security_encrypts_for_real_and_the_new_window_follows(
    qtbot, tmp_path, preferences, no_keyring, monkeypatch
):
    """The whole way: the dialog closes, the menu's action encrypts and the folder reopens."""
    require_module("sqlcipher3")
    from companion.ui.data.encryption_dialogs import NewKeyDialog

    def fake_exec(key_dialog):
        key_dialog.first.setText(KEY)
        key_dialog.second.setText(KEY)
        return NewKeyDialog.DialogCode.Accepted

    monkeypatch.setattr(NewKeyDialog, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: pytest.fail(str(args)))
    database = tmp_path / "companion.db"  # the name the data folder reopens
    store = Store.open(database)
    store.add_actor("Tiers-lieu Zorglub", "association")
    try:
        window = make_window(qtbot, Network(store, {}))
        dialog = open_preferences(qtbot, window)
        dialog.encryption_buttons["encrypt"].click()
        qtbot.waitUntil(lambda: getattr(window, "successor", None) is not None, timeout=20_000)
        successor = window.successor
        qtbot.addWidget(successor)
        qtbot.waitUntil(lambda: "acteur" in successor.status_label.text(), timeout=20_000)
        assert not dialog.isVisible()
        assert encryption.is_encrypted(database)
        assert successor.store.count_actors() == 1
        successor.close()
        successor.store.close()
    finally:
        close_windows()
        store.close()


def test_security_of_an_encrypted_base(qtbot, tmp_path, preferences, no_keyring, monkeypatch):
    require_module("sqlcipher3")
    database = tmp_path / "base" / "companion.db"
    database.parent.mkdir()
    Store.open(database).close()
    encryption.encrypt_database(database, KEY)
    store = Store.open(database, KEY)
    try:
        window = make_window(qtbot, Network(store, {}))
        dialog = open_preferences(qtbot, window)
        assert dialog.encryption_state.text() == (
            fr("La base est chiffrée (SQLCipher) ; une phrase de passe est demandée à l'ouverture.")
        )
        assert [b.text() for b in dialog.encryption_buttons.values()] == [
            "Changer la phrase de passe…",
            "Ne plus chiffrer…",
        ]
        assert all(b.isVisible() for b in dialog.encryption_buttons.values())
        dialog.reject()

        window.settings_dialog = None
        monkeypatch.setattr(encryption, "load_keyring_key", lambda _path: KEY)
        dialog = open_preferences(qtbot, window)
        assert "sa clé est dans le trousseau du système" in dialog.encryption_state.text()
        dialog.reject()
    finally:
        close_windows()
        store.close()


def test_security_without_sqlcipher_says_why(
    qtbot, network: Network, preferences, no_keyring, monkeypatch
):
    monkeypatch.setattr(encryption, "available", lambda: False)
    monkeypatch.setattr(encryption, "unavailable_reason", lambda *_a: "SQLCipher est absent.")
    window = make_window(qtbot, network)
    dialog = open_preferences(qtbot, window)
    assert dialog.encryption_state.text() == "SQLCipher est absent."
    assert dialog.encryption_buttons == {}
