"""Fichier › « Sauvegarder maintenant », « Restaurer une sauvegarde… », « Exporter toutes
mes données… », « Importer une archive… » and « Adresses… ».

The work is Qt-free (``store/backups.py``, ``app/archive.py``) and runs in background
jobs; a restore or an archive import replaces the database, so the window closes and
a new one opens on the folder (``ui/data/reopen.py``).
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from companion.errors import CompanionError
from companion.i18n import _, ngettext
from companion.ui.common.file_dialogs import last_folder, remember_folder
from companion.ui.common.saved_file import offer_to_open

if TYPE_CHECKING:  # loaded on use: the menus are built at start-up
    from companion.app.archive import ArchiveImport, ArchiveSummary
    from companion.store.backups import Backup, RestoreOutcome
    from companion.ui.common.jobs import Job, Report
    from companion.ui.common.window import Window
    from companion.ui.data.addresses_dialog import AddressesDialog
    from companion.ui.data.reopen import Reopening
    from companion.ui.data.restore_dialog import RestoreDialog


def add_data_actions(window: Window, menu: QMenu) -> dict[str, QAction]:
    """The five actions, at the end of ``menu`` (Fichier); returned by name."""
    from companion.ui.common.actions import add_action

    handler = DataActions(window)
    window.data_actions = handler  # type: ignore[attr-defined]
    return {
        "backup_now": add_action(menu, _("Sauvegarder maintenant"), handler.backup_now),
        "restore": add_action(menu, _("Restaurer une sauvegarde…"), handler.open_restore),
        "export_archive": add_action(
            menu, _("Exporter toutes mes données…"), handler.export_archive
        ),
        "import_archive": add_action(menu, _("Importer une archive…"), handler.import_archive),
        "addresses": add_action(menu, _("Adresses…"), handler.open_addresses),
    }


ARCHIVE_PURPOSE = "archive-export"  # the folder archives go to, remembered


class DataActions(QObject):
    """The window's backup and archive actions (their slots, their jobs, their dialogs)."""

    def __init__(self, window: Window) -> None:
        super().__init__(window)
        self.dialog: RestoreDialog | None = None
        self.export_job: Job | None = None
        self.reopening: Reopening | None = None
        self.addresses: AddressesDialog | None = None

    @property
    def window(self) -> Window:
        # Through Qt's parent, never a Python attribute: a reference cycle would keep
        # the window's wrapper alive after Qt deleted it.
        return self.parent()  # type: ignore[return-value]

    # -- backups ------------------------------------------------------------------------

    def backup_now(self) -> Job | None:
        job = self.window.backup_scheduler().backup_now()
        if job is not None:
            self.window.show_message(_("Sauvegarde en cours…"))
        return job

    def open_restore(self) -> RestoreDialog:
        from companion.ui.data.restore_dialog import RestoreDialog

        dialog = self.dialog
        if dialog is None:
            dialog = RestoreDialog(self.window.store, self.window)
            dialog.restore_requested.connect(self.restore)
            dialog.backup_requested.connect(self._backup_from_dialog)
            self.window.backup_scheduler().made.connect(dialog.refresh)
            self.dialog = dialog
        else:
            dialog.reload()
        dialog.open()
        return dialog

    def _backup_from_dialog(self) -> None:
        self.backup_now()

    def restore(self, backup: Backup, key: str | None = None) -> Reopening | None:
        """Put ``backup`` in place of the database, then reopen the folder (``key``: the
        copy's own passphrase, when the database's key does not open it)."""
        from companion.store.backups import restore_backup
        from companion.ui.data.reopen import replace_database

        database = Path(self.window.store.path)

        def work(report: Report) -> RestoreOutcome:
            return restore_backup(
                database.parent, backup, database_name=database.name, key=key, progress=report
            )

        self.reopening = replace_database(
            self.window, _("Restauration de la sauvegarde"), work, _restored
        )
        return self.reopening

    # -- addresses ------------------------------------------------------------------------

    def open_addresses(self) -> AddressesDialog:
        """« Adresses » (one dialog a window; closing it stops its job, whose part stays)."""
        from companion.ui.data.addresses_dialog import AddressesDialog

        if self.addresses is None:
            self.addresses = AddressesDialog(self.window.store, self.window)
        else:
            self.addresses.refresh()
        self.addresses.open()
        return self.addresses

    # -- archives -------------------------------------------------------------------------

    def export_archive(self) -> Job | None:
        """Ask where, then write the archive in the background; say what it holds."""
        if self.export_job is not None and self.export_job.is_running:
            self.window.show_message(_("Une exportation est déjà en cours."))
            return None
        from companion.store.encryption import is_encrypted

        if is_encrypted(self.window.store.path):
            from companion.app.archive import encrypted_warning

            answer = QMessageBox.warning(
                self.window,
                _("Exporter toutes mes données"),
                encrypted_warning(),
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Ok:
                return None
        suggested = last_folder(ARCHIVE_PURPOSE) / f"companion-{date.today().isoformat()}.zip"
        name, _chosen = QFileDialog.getSaveFileName(
            self.window, _("Exporter toutes mes données"), str(suggested), _("Archive zip (*.zip)")
        )
        if not name:
            return None
        out = Path(name)
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")
        from companion.ui.common.jobs import Job

        database = Path(self.window.store.path)

        def work(report: Report, _cancel: threading.Event) -> ArchiveSummary:
            from companion.app.archive import export_archive

            return export_archive(database, out, report)

        job = Job(work, self)
        job.progress.connect(self._export_progress)
        job.succeeded.connect(self._exported)
        job.failed.connect(self._export_failed)
        self.export_job = job
        self.window.show_message(_("Exportation de toutes les données…"))
        return job.start()

    def _export_progress(self, _done: int, _total: int, message: str) -> None:
        if message and not self.window.closed:
            self.window.show_message(message)

    def _exported(self, summary: ArchiveSummary) -> None:
        if self.window.closed:
            return
        text = ngettext(
            "Archive écrite : « {path} » ({n} fichier).",
            "Archive écrite : « {path} » ({n} fichiers).",
            summary.files + 1,
        )
        message = text.format(path=summary.path, n=summary.files + 1)
        self.window.show_message(message)
        remember_folder(ARCHIVE_PURPOSE, summary.path)
        offer_to_open(self.window, _("Exporter toutes mes données"), summary.path, message)

    def _export_failed(self, error: BaseException) -> None:
        if not self.window.closed:
            QMessageBox.warning(self.window, _("Exporter toutes mes données"), _message(error))

    def import_archive(self) -> Reopening | None:
        """Choose an archive; confirm what it replaces; import it and reopen the folder."""
        from companion.app.archive import ArchiveError, import_archive, read_archive
        from companion.app.datafolder import DEMO_SETTING
        from companion.store.backups import Preview, preview_connection
        from companion.ui.data.reopen import replace_database
        from companion.ui.data.restore_dialog import change_text, counts_text

        title = _("Importer une archive")
        name, _chosen = QFileDialog.getOpenFileName(
            self.window, title, str(_documents_folder()), _("Archive zip (*.zip)")
        )
        if not name:
            return None
        path = Path(name)
        try:
            summary = read_archive(path)
        except ArchiveError as error:
            QMessageBox.warning(self.window, title, str(error))
            return None
        store = self.window.store
        if store.setting(DEMO_SETTING) == "1":
            current = _("le réseau de démonstration")
        else:
            current = counts_text(preview_connection(store.conn))
        text = _(
            "Les données de ce dossier ({current}) seront remplacées par celles de l'archive "
            "du {date} ({archive}).\n\n"
            "L'archive est vérifiée d'abord (empreintes, intégrité de la base), et la base "
            "actuelle est sauvegardée (« avant import d'archive ») avant d'être remplacée."
        ).format(
            current=current,
            date=change_text(summary.created_at),
            archive=counts_text(Preview(summary.counts)),
        )
        answer = QMessageBox.question(
            self.window,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        data_dir = Path(store.path).parent

        def work(report: Report) -> ArchiveImport:
            return import_archive(path, data_dir, replace=True, progress=report)

        self.reopening = replace_database(self.window, title, work, _imported)
        return self.reopening


def _restored(window: Window, outcome: RestoreOutcome) -> None:
    text = _("Sauvegarde du {date} restaurée.").format(date=_date(outcome.restored.made_at))
    if outcome.safety is not None:
        text += " " + _("L'état précédent est gardé : {name}").format(name=outcome.safety.path.name)
    window.show_message(text)


def _imported(window: Window, done: ArchiveImport) -> None:
    from companion.ui.data.restore_dialog import counts_text

    text = _("Archive importée : {counts}.").format(counts=counts_text(done.preview))
    if done.migrated:
        text += " " + _("Base mise à jour ({n} étapes).").format(n=len(done.migrated))
    window.show_message(text)


def _date(moment) -> str:
    from companion.ui.data.restore_dialog import date_text

    return date_text(moment)


def _message(error: BaseException) -> str:
    return str(error) if isinstance(error, CompanionError) else repr(error)


def _documents_folder() -> Path:
    from companion.ui.common.file_dialogs import documents_folder

    return documents_folder()
