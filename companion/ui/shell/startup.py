"""Opening the data folder at start, with a dialog for every way it can go wrong."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QWidget

from companion.app.datafolder import (
    DataFolderError,
    create_demo_database,
    has_database,
    prepare_data_folder,
)
from companion.errors import CompanionError
from companion.i18n import _
from companion.store import DatabaseCorrupt, Store, StoreError
from companion.store.database import set_aside
from companion.ui.common.jobs import Job, Report

# A store setting: the welcome's choice, acted on once the window shows (ui/shell/app.py): the
# demo network opens on its map, « Rejoindre mon réseau » on the hub connection dialog.
FIRST_RUN_SETTING = "first_run"


def open_data_folder(folder: Path, parent: QWidget | None = None) -> Store | None:
    """The folder's store, creating the demo network on first start; None if the app must stop.

    Every failure has already been explained to the user when None is returned.
    """
    try:
        database = prepare_data_folder(folder)
        if not has_database(folder):
            return _first_start(folder, parent)
        return open_store(database, parent)
    except DatabaseCorrupt as error:
        if not ask_to_set_aside(error, parent):
            return None
        return _start_afresh(folder, error.path, parent)
    except (DataFolderError, StoreError) as error:
        show_error(str(error), parent)
        return None


def open_store(database: Path, parent: QWidget | None = None) -> Store | None:
    """The database's store; an encrypted one asks for its passphrase unless its key is
    known (keyring); None when the user quits then."""
    from companion.store.encryption import is_encrypted

    if not is_encrypted(database):  # the header only: a plain start imports nothing more
        return Store.open(database)
    from companion.ui.data.encryption_dialogs import open_encrypted

    return open_encrypted(database, parent)


def _first_start(folder: Path, parent: QWidget | None) -> Store | None:
    """The welcome's choice: the demo network, an empty directory, or one that joins a hub
    (the window then opens the hub connection dialog); in the folder the user chose."""
    from companion.ui.shell.preferences import remember_data_folder
    from companion.ui.shell.welcome import ask_first_run

    first = ask_first_run(folder, parent)
    if first is None:
        return None
    if first.folder != folder:
        folder = first.folder
        database = prepare_data_folder(folder)
        remember_data_folder(folder)
        if has_database(folder):  # a folder already in use: open it as it is
            return open_store(database, parent)
    if first.choice == "demo" and not build_demo_network(folder, parent):
        return None
    store = Store.open(prepare_data_folder(folder))
    if first.choice in ("demo", "join"):
        store.set_setting(FIRST_RUN_SETTING, first.choice)
    if first.choice in ("empty", "join"):
        from datetime import datetime

        from companion.store.backups import CREATED_SETTING

        # Nothing in it yet: its first automatic backup is an interval away, not now.
        store.set_setting(CREATED_SETTING, datetime.now().isoformat(timespec="seconds"))
    return store


def _start_afresh(folder: Path, damaged: Path, parent: QWidget | None) -> Store | None:
    try:
        set_aside(damaged)
        if not build_demo_network(folder, parent):
            return None
        return Store.open(prepare_data_folder(folder))
    except (CompanionError, OSError) as error:
        show_error(str(error), parent)
        return None


# QMessageBox and QProgressDialog are imported where used: only the first start
# and the error paths need them, and loading them costs about 20 ms at every start.


def show_error(message: str, parent: QWidget | None = None) -> None:
    """A blocking error message; plain text, since it quotes paths and other outside text."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_("Companion ne peut pas démarrer"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def ask_to_set_aside(error: DatabaseCorrupt, parent: QWidget | None = None) -> bool:
    """Ask what to do with a damaged database; True to set it aside and start afresh."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Base de données endommagée"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(str(error))
    box.setInformativeText(
        _(
            "Companion peut mettre ce fichier de côté (il n'est pas effacé) et repartir "
            "d'une base neuve contenant le réseau de démonstration."
        )
    )
    set_aside_button = box.addButton(
        _("Mettre de côté et repartir d'une base neuve"), QMessageBox.ButtonRole.AcceptRole
    )
    quit_button = box.addButton(_("Quitter"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_button)
    box.setEscapeButton(quit_button)
    box.exec()
    return box.clickedButton() is set_aside_button


def build_demo_network(folder: Path, parent: QWidget | None = None) -> bool:
    """Generate the demo network in the background behind a progress dialog; True if done."""
    from PySide6.QtWidgets import QProgressDialog

    dialog = QProgressDialog(_("Création du réseau de démonstration…"), "", 0, 0, parent)
    dialog.setWindowTitle("Companion")
    dialog.setCancelButton(None)  # the generation is short and atomic: nothing to undo
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def generate(report: Report, _cancel: threading.Event) -> Path:
        return create_demo_database(folder, progress=report)

    def show_progress(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)
        if message:
            dialog.setLabelText(_("Création du réseau de démonstration…") + " " + message)

    errors: list[BaseException] = []
    job = Job(generate)
    job.progress.connect(show_progress)
    job.failed.connect(errors.append)
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    dialog.show()
    job.start()
    loop.exec()
    dialog.close()
    dialog.deleteLater()
    if job.outcome == "succeeded":
        return True
    error = errors[0] if errors else None
    detail = str(error) if isinstance(error, CompanionError) else repr(error)
    show_error(
        _("La création du réseau de démonstration a échoué : {detail}").format(detail=detail),
        parent,
    )
    return False
