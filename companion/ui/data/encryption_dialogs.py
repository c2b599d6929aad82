"""Encryption at rest in the window: the passphrase asked at start, and Fichier › Chiffrement
(« Chiffrer la base… », « Changer la phrase de passe… », « Ne plus chiffrer… »).

The work is Qt-free (``store/encryption.py``). An operation closes the window's store,
runs in a background job behind a progress dialog and opens the folder again
(``ui/data/reopen.py``), as a restore does. Loaded only when a database is encrypted or a
menu action is chosen: start-up never imports it for a plain database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.store import Store, encryption

if TYPE_CHECKING:
    from companion.ui.common.window import Window
    from companion.ui.data.reopen import Reopening


@dataclass(frozen=True)
class PassphraseAnswer:
    passphrase: str
    remember: bool = False


Ask = Callable[[Path, bool, "QWidget | None"], "PassphraseAnswer | None"]


# -- at start -----------------------------------------------------------------------------


class PassphraseDialog(QDialog):
    """The passphrase of an encrypted database: masked field, « Se souvenir… », Quitter."""

    def __init__(self, database: Path, wrong: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Base chiffrée"))
        layout = QVBoxLayout(self)
        text = QLabel(
            _("La base « {path} » est chiffrée. Donnez sa phrase de passe pour l'ouvrir.").format(
                path=database
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.error = QLabel(_("Cette base est chiffrée : la phrase de passe est incorrecte."))
        self.error.setStyleSheet("color: #b00020")
        self.error.setVisible(wrong)
        layout.addWidget(self.error)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(_("Phrase de passe"))
        layout.addWidget(self.field)
        self.remember = QCheckBox(_("Se souvenir dans le trousseau du système"))
        self.remember.setVisible(encryption.keyring_available())
        layout.addWidget(self.remember)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(_("Ouvrir"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton(_("Quitter"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.field.setFocus()

    def answer(self) -> PassphraseAnswer:
        remember = not self.remember.isHidden() and self.remember.isChecked()
        return PassphraseAnswer(self.field.text(), remember)


def ask_passphrase(
    database: Path, wrong: bool, parent: QWidget | None = None
) -> PassphraseAnswer | None:
    dialog = PassphraseDialog(database, wrong, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    answer = dialog.answer()
    dialog.deleteLater()
    return answer if accepted else None


def open_encrypted(
    database: Path, parent: QWidget | None = None, ask: Ask | None = None
) -> Store | None:
    """The encrypted database's store: with the key known or in the keyring, else asked
    until right; None when the user quits. A wrong key never writes to the file."""
    ask = ask or ask_passphrase
    try:
        return Store.open(database)
    except encryption.WrongKey:  # the keyring's key no longer opens it
        wrong = True
    except encryption.KeyRequired:
        wrong = False
    while True:
        answer = ask(database, wrong, parent)
        if answer is None:
            return None
        try:
            store = Store.open(database, answer.passphrase)
        except encryption.WrongKey:
            wrong = True
            continue
        if answer.remember:
            try:
                encryption.save_keyring_key(database, answer.passphrase)
            except encryption.EncryptionError:
                pass  # the base is open; it will be asked again next time
        return store


# -- choosing a key ------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyChoice:
    passphrase: str | None  # None: a random key kept in the keyring


class NewKeyDialog(QDialog):
    """A new passphrase, typed twice (with a strength hint), or a key kept in the keyring."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Sans sa phrase de passe (ou la clé du trousseau), la base chiffrée ne peut plus "
                "être lue par personne : notez-la en lieu sûr."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Phrase de passe :"), self.first)
        form.addRow(_("La même, encore :"), self.second)
        layout.addLayout(form)
        self.hint = QLabel()
        layout.addWidget(self.hint)
        self.keyring = QCheckBox(_("Garder une clé dans le trousseau du système"))
        self.keyring.setVisible(encryption.keyring_available())
        layout.addWidget(self.keyring)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for signal in (self.first.textChanged, self.second.textChanged, self.keyring.toggled):
            signal.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        use_keyring = self.keyring.isChecked()
        self.first.setEnabled(not use_keyring)
        self.second.setEnabled(not use_keyring)
        first, second = self.first.text(), self.second.text()
        if use_keyring:
            self.hint.setText(_("Une clé aléatoire sera gardée dans le trousseau du système."))
        elif first and second and first != second:
            self.hint.setText(_("Les deux phrases de passe diffèrent."))
        else:
            self.hint.setText(encryption.strength_hint(first) if first else "")
        valid = use_keyring or (len(first) >= encryption.MIN_PASSPHRASE and first == second)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(valid)

    def choice(self) -> KeyChoice:
        return KeyChoice(None if self.keyring.isChecked() else self.first.text())


def _ask_new_key(title: str, parent: QWidget) -> KeyChoice | None:
    dialog = NewKeyDialog(title, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    choice = dialog.choice()
    dialog.deleteLater()
    return choice if accepted else None


# -- Fichier › Chiffrement ------------------------------------------------------------------


def _unavailable(window: Window, title: str) -> bool:
    if encryption.available():
        return False
    QMessageBox.information(window, title, encryption.unavailable_reason())
    return True


def encrypt_base(
    window: Window, ask: Callable[..., KeyChoice | None] = _ask_new_key
) -> Reopening | None:
    """« Chiffrer la base… »: a passphrase or a keyring key, then the conversion in a job."""
    from companion.ui.data.reopen import replace_database

    title = _("Chiffrer la base")
    database = Path(window.store.path)
    if _unavailable(window, title):
        return None
    if encryption.is_encrypted(database):
        QMessageBox.information(window, title, _("La base est déjà chiffrée."))
        return None
    choice = ask(title, window)
    if choice is None:
        return None

    def work(report):  # noqa: ANN001, ANN202
        key = choice.passphrase
        if key is None:
            key = encryption.new_raw_key()
            encryption.save_keyring_key(database, key)
        try:
            return encryption.encrypt_database(database, key, progress=report)
        except BaseException:
            if choice.passphrase is None:
                encryption.delete_keyring_key(database)
            raise

    return replace_database(window, title, work, _said(_("La base est maintenant chiffrée.")))


def change_passphrase(
    window: Window, ask: Callable[..., KeyChoice | None] = _ask_new_key
) -> Reopening | None:
    """« Changer la phrase de passe… » (``PRAGMA rekey``), or move the key to the keyring."""
    from companion.ui.data.reopen import replace_database

    title = _("Changer la phrase de passe")
    database = Path(window.store.path)
    if not encryption.is_encrypted(database):
        QMessageBox.information(window, title, _("La base n'est pas chiffrée."))
        return None
    old = encryption.key_for(database)
    choice = ask(title, window)
    if choice is None or old is None:
        return None

    def work(_report):  # noqa: ANN001, ANN202
        new = choice.passphrase
        if new is None:
            new = encryption.new_raw_key()
            encryption.save_keyring_key(database, new)
        try:
            encryption.change_key(database, old, new)
        except BaseException:
            if choice.passphrase is None:
                encryption.save_keyring_key(database, old)
            raise
        if choice.passphrase is not None:
            encryption.delete_keyring_key(database)
        return database

    return replace_database(window, title, work, _said(_("La phrase de passe a été changée.")))


def decrypt_base(window: Window, confirm: Callable[[], bool] | None = None) -> Reopening | None:
    """« Ne plus chiffrer… », after a confirmation: the database, and its backups under
    the same key, become plain SQLite again."""
    from companion.ui.data.reopen import replace_database

    title = _("Ne plus chiffrer la base")
    database = Path(window.store.path)
    if not encryption.is_encrypted(database):
        QMessageBox.information(window, title, _("La base n'est pas chiffrée."))
        return None

    def ask() -> bool:
        answer = QMessageBox.question(
            window,
            title,
            _(
                "La base sera de nouveau lisible par quiconque accède à ce fichier, tout comme "
                "ses sauvegardes chiffrées avec la même clé (celles chiffrées avec une autre "
                "clé restent telles quelles). Continuer ?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    key = encryption.key_for(database)
    if key is None or not (confirm or ask)():
        return None

    def work(report):  # noqa: ANN001, ANN202
        encryption.decrypt_database(database, key, progress=report)
        encryption.delete_keyring_key(database)
        return database

    return replace_database(window, title, work, _said(_("La base n'est plus chiffrée.")))


def _said(text: str) -> Callable[[Window, object], None]:
    def done(window: Window, _result: object) -> None:
        window.show_message(text)

    return done
