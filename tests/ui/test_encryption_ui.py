"""Encryption in the window: the passphrase at start, Fichier › Chiffrement, reopening."""

from __future__ import annotations

import hashlib
from pathlib import Path

import keyring
import pytest
from needs import require_module
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox
from sync_helpers import MemoryKeyring

from companion.store import Store, encryption
from companion.ui.data.encryption_dialogs import (
    KeyChoice,
    NewKeyDialog,
    PassphraseAnswer,
    PassphraseDialog,
    change_passphrase,
    decrypt_base,
    encrypt_base,
    open_encrypted,
)
from companion.ui.shell import startup

from .conftest import Network, close_windows, make_window

require_module("sqlcipher3")

KEY = "une phrase de passe solide"
TIMEOUT = 20_000


pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture
def store(tmp_path: Path):
    """The database as the app names it: reopening opens the data folder's one."""
    opened = Store.open(tmp_path / "companion.db")
    yield opened
    close_windows()
    opened.close()


@pytest.fixture
def answers(monkeypatch):
    asked: list[tuple[str, str]] = []

    def answer(_parent, title, text, *_args, **_kwargs):
        asked.append((title, text))
        return QMessageBox.StandardButton.Yes

    for name in ("question", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, answer)
    return asked


def reopened(qtbot, reopening):
    with qtbot.waitSignal(reopening.reopened, timeout=TIMEOUT) as signal:
        pass
    window = signal.args[0]
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "acteur" in window.status_label.text(), timeout=TIMEOUT)
    return window


def encrypted_database(tmp_path: Path) -> Path:
    database = tmp_path / "base" / "companion.db"
    database.parent.mkdir()
    store = Store.open(database)
    store.add_actor("Tiers-lieu Zorglub", "association")
    store.close()
    encryption.encrypt_database(database, KEY)
    encryption.forget_key(database)
    return database


def test_encrypt_change_and_decrypt_from_the_file_menu(qtbot, network: Network, answers) -> None:
    window = make_window(qtbot, network)
    database = Path(network.store.path)
    file_menu = window.menuBar().actions()[0].menu()
    assert "Chiffrement" in [action.text() for action in file_menu.actions()]

    window = reopened(qtbot, encrypt_base(window, ask=lambda *_a: KeyChoice(KEY)))
    assert encryption.is_encrypted(database)
    assert b"Jardins" not in database.read_bytes()
    assert window.store.count_actors() == 4

    window = reopened(qtbot, change_passphrase(window, ask=lambda *_a: KeyChoice("autre phrase!")))
    encryption.forget_key(database)
    with pytest.raises(encryption.WrongKey):
        Store.open(database, KEY)
    encryption.remember_key(database, "autre phrase!")

    window = reopened(qtbot, decrypt_base(window, confirm=lambda: True))
    assert not encryption.is_encrypted(database)
    assert window.store.count_actors() == 4
    window.close()
    window.store.close()


def test_without_sqlcipher_the_menu_says_so_in_french(
    qtbot, network: Network, answers, monkeypatch
) -> None:
    window = make_window(qtbot, network)
    monkeypatch.setattr(encryption, "available", lambda: False)
    assert encrypt_base(window, ask=lambda *_a: pytest.fail("asked")) is None
    assert "n'est pas disponible" in answers[-1][1]
    assert not encryption.is_encrypted(network.store.path)


def test_a_wrong_passphrase_at_start_is_said_and_asked_again(tmp_path) -> None:
    database = encrypted_database(tmp_path)
    asked: list[bool] = []
    replies = iter([PassphraseAnswer("pas la bonne"), PassphraseAnswer(KEY)])

    def ask(_database, wrong, _parent):
        asked.append(wrong)
        return next(replies)

    store = open_encrypted(database, ask=ask)
    assert asked == [False, True]
    assert store is not None and store.count_actors() == 1
    store.close()

    encryption.forget_key(database)
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    assert open_encrypted(database, ask=lambda *_a: None) is None  # Quitter
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_start_asks_through_the_dialog_unless_the_keyring_has_the_key(
    qtbot, tmp_path, monkeypatch
) -> None:
    database = encrypted_database(tmp_path)
    shown: list[PassphraseDialog] = []

    def fake_exec(dialog):
        shown.append(dialog)
        dialog.field.setText(KEY)
        dialog.remember.setChecked(True)
        return PassphraseDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", fake_exec)
    monkeypatch.delenv("COMPANION_KEYRING")
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        store = startup.open_data_folder(database.parent)
        assert store is not None and store.count_actors() == 1
        store.close()
        assert len(shown) == 1
        assert shown[0].field.echoMode() == QLineEdit.EchoMode.Password
        assert shown[0].remember.isVisibleTo(shown[0])
        assert memory.secrets[(encryption.KEYRING_SERVICE, str(database.resolve()))] == KEY

        encryption.forget_key(database)  # a new session: the keyring's key opens it
        store = startup.open_data_folder(database.parent)
        assert store is not None and len(shown) == 1
        store.close()
    finally:
        keyring.set_keyring(previous)


def test_the_new_key_dialog_wants_the_same_passphrase_twice(qtbot) -> None:
    dialog = NewKeyDialog("Chiffrer la base")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.first.setText("court")
    assert "Trop courte" in dialog.hint.text()
    dialog.first.setText("une phrase de passe solide")
    dialog.second.setText("une phrase différente")
    assert not ok.isEnabled() and "diffèrent" in dialog.hint.text()
    dialog.second.setText("une phrase de passe solide")
    assert ok.isEnabled()
    assert dialog.choice() == KeyChoice("une phrase de passe solide")
