"""The automatic backup: due after the chosen interval (daily by default), checked once
the window is up and then every hour; made, like « Sauvegarder maintenant », in a
background job on a connection of its own (the window keeps working meanwhile).

Checking costs a listing of the backup folder's names and one setting: no copy is
opened at start-up.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from companion.i18n import _
from companion.store import backups
from companion.ui.common.jobs import Job, Report

if TYPE_CHECKING:
    from pathlib import Path

    from companion.store.backups import Backup
    from companion.ui.common.window import Window

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 60 * 60 * 1000


class BackupScheduler(QObject):
    """The window's backups: automatic when due, manual on demand, one at a time."""

    made = Signal(object)  # Backup
    failed = Signal(str)  # the French reason

    def __init__(self, window: Window) -> None:
        super().__init__(window)
        self.job: Job | None = None
        self.reason = ""
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_INTERVAL_MS)

    @property
    def window(self) -> Window:
        return self.parent()  # type: ignore[return-value]  # no reference cycle

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.is_running

    def interval_hours(self) -> int:
        return backups.interval_setting(self.window.store.conn)

    def check(self) -> bool:
        """Start the automatic backup if it is due; whether it started."""
        if self.window.closed:  # its store is closed (or being replaced)
            self.timer.stop()
            return False
        if self.running:
            return False
        data_dir = self.window.store.path.parent
        created = backups.created_setting(self.window.store.conn)
        if not backups.automatic_backup_due(data_dir, self.interval_hours(), created=created):
            return False
        self._start(backups.AUTOMATIC)
        return True

    def backup_now(self) -> Job | None:
        """« Sauvegarder maintenant »: None if a backup is being made already."""
        if self.running:
            self.window.show_message(_("Une sauvegarde est déjà en cours."))
            return None
        return self._start(backups.MANUAL)

    def _start(self, reason: str) -> Job:
        database: Path = self.window.store.path

        def work(report: Report, _cancel: threading.Event) -> Backup:
            return backups.make_backup(database, None, reason, progress=report)

        self.reason = reason
        job = Job(work, self)
        job.succeeded.connect(self._made)
        job.failed.connect(self._failed)
        self.job = job
        return job.start()

    def _made(self, backup: Backup) -> None:
        if not self.window.closed:
            if backup.reason == backups.AUTOMATIC:
                text = _("Sauvegarde automatique faite : {name}")
            else:
                text = _("Sauvegarde faite : {name}")
            self.window.show_message(text.format(name=backup.path.name))
        self.made.emit(backup)

    def _failed(self, error: BaseException) -> None:
        log.error("backup failed", exc_info=error)
        reason = str(error) or type(error).__name__
        self.failed.emit(reason)
        if self.window.closed:
            return
        if self.reason == backups.MANUAL:
            QMessageBox.warning(self.window, _("Sauvegarder maintenant"), reason)
        else:
            self.window.show_message(
                _("La sauvegarde automatique a échoué : {reason}").format(reason=reason)
            )
