"""The first-connection dialog: the hub's address and this member's token.

"Tester la connexion" asks the hub who the token belongs to; "Enregistrer" keeps
the token (system keyring when there is one, else a file only its owner reads)
and the address. Both talk to the network or the keyring in a job: the dialog
never freezes, and says in French what went wrong.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.app.hub_connection import remember_hub
from companion.i18n import _
from companion.sync import state
from companion.ui.common.form_parts import error_label, plain
from companion.ui.common.jobs import Job

if TYPE_CHECKING:
    from companion.ui.common.window import Window
    from companion.ui.sync.runner import SyncRunner


def token_place_text(place: str | None) -> str:
    """Where the token is kept, in words ("keyring", "file", or a file's path)."""
    if place == "keyring":
        return _("dans le trousseau du système")
    if place:
        return _("dans un fichier protégé du dossier de données")
    return _("aucun jeton enregistré")


def _keyring_expected() -> bool:
    return (
        os.environ.get("COMPANION_KEYRING", "1") != "0"
        and importlib.util.find_spec("keyring") is not None
    )


def open_connect_dialog(
    window: Window, runner: SyncRunner, previous: SyncConnectDialog | None
) -> SyncConnectDialog:
    """Open the dialog over ``window`` (replacing an earlier one); saving starts a sync."""
    if previous is not None:
        previous.deleteLater()
    dialog = SyncConnectDialog(runner, window)
    dialog.status_message.connect(window.show_message)
    dialog.open()
    return dialog


class SyncConnectDialog(QDialog):
    """Hub address and token; once both are kept, ``saved(url, place)`` and a sync."""

    saved = Signal(str, str)
    status_message = Signal(str)

    def __init__(self, runner: SyncRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.store = store = runner.store
        self.job: Job | None = None
        self.setWindowTitle(_("Se connecter à un hub"))
        self.url = QLineEdit(state.get(store.conn, state.HUB_URL) or "")
        self.url.setPlaceholderText("https://hub.exemple.org")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(_("Le jeton donné par l'administrateur du hub"))
        self.test_button = QPushButton(_("Tester la connexion"))
        self.test_button.clicked.connect(self.test_connection)
        self.result = plain()
        self.error = error_label()
        if _keyring_expected():
            note = _("Le jeton sera gardé dans le trousseau du système.")
        else:
            note = _("Le jeton sera gardé dans un fichier protégé du dossier de données.")
        self.note = plain(note)

        form = QFormLayout()
        form.addRow(_("Adresse du hub"), self.url)
        form.addRow(_("Jeton d'accès"), self.token)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Enregistrer"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain(_("Le hub est le serveur où les ordinateurs du réseau partagent leurs fiches."))
        )
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _inputs(self) -> tuple[str, str] | None:
        url, token = self.url.text().strip(), self.token.text().strip()
        if not url:
            self._show_error(_("Indiquez l'adresse du hub."))
        elif not token:
            self._show_error(_("Indiquez le jeton d'accès au hub."))
        else:
            self.error.setVisible(False)
            return url, token
        return None

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def _busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)

    def _start(self, work: object, succeeded: object, message: str) -> None:
        self.result.setText(message)
        self._busy(True)
        self.job = Job(work, self)  # type: ignore[arg-type]
        self.job.succeeded.connect(succeeded)
        self.job.failed.connect(self._failed)
        self.job.start()

    # -- test --------------------------------------------------------------------------

    def test_connection(self) -> None:
        inputs = self._inputs()
        if inputs is None:
            return
        url, token = inputs

        def check(_report: object, _cancel: object) -> object:
            from companion.app.sync_tasks import check_connection

            return check_connection(url, token)

        self._start(check, self._tested, _("Connexion au hub…"))

    def _tested(self, member: object) -> None:
        self._busy(False)
        name = getattr(member, "name", "")
        if name:
            text = _("Connexion réussie : vous êtes « {name} ».").format(name=name)
        else:
            text = _("Connexion réussie.")
        self.result.setText(text)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.result.setText("")
        self._show_error(str(error) or type(error).__name__)

    # -- save --------------------------------------------------------------------------

    def accept(self) -> None:
        inputs = self._inputs()
        if inputs is None:
            return
        url, token = inputs
        data_dir = self.store.path.parent

        def save(_report: object, _cancel: object) -> object:
            from companion.app.hub_connection import save_connection

            return save_connection(data_dir, url, token)

        self._start(save, self._saved, _("Enregistrement…"))

    def _saved(self, result: tuple[str, str]) -> None:
        self._busy(False)
        url, place = result
        remember_hub(self.store, url, place)
        super().accept()
        self.saved.emit(url, place)
        self.status_message.emit(
            _("Hub enregistré ; jeton gardé {place}.").format(place=token_place_text(place))
        )
        self.runner.configured()
