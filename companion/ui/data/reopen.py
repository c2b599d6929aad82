"""Replacing the open database (a restored backup, an imported archive) without a restart.

The window and its store are closed (nothing may hold the file open while it is
replaced), the replacement runs in a background job behind a progress dialog,
then the data folder is opened again in a new main window, which takes the old
one's place (``MainWindow.open_again``: ``ui/shell/app.py`` closes the last one at exit).
Whatever happened, the folder is opened again: a refused replacement changed
nothing, and its French message is shown over the new window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from companion.errors import CompanionError
from companion.i18n import _
from companion.ui.common.jobs import Job, Report

if TYPE_CHECKING:
    from companion.ui.common.window import Window

log = logging.getLogger(__name__)

Work = Callable[[Report], Any]
Done = Callable[["Window", Any], None]


class Reopening(QObject):
    """One replacement in progress; ``reopened`` carries the new window (None: the
    folder could not be opened again and the app quits)."""

    reopened = Signal(object)

    def __init__(self, window: Window, title: str, done: Done) -> None:
        app = QApplication.instance()
        super().__init__(app)
        self.app = app
        self.window = window
        self.title = title
        self.done = done
        self.quit_on_close = app.quitOnLastWindowClosed()
        self.progress = QProgressDialog(title + "…", "", 0, 0)
        self.progress.setWindowTitle("Companion")
        self.progress.setCancelButton(None)  # the replacement is atomic: it runs to its end
        self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.job: Job | None = None

    def start(self, work: Work) -> None:
        # The window counts as the last one while it closes: the app must not quit then.
        self.app.setQuitOnLastWindowClosed(False)
        self.progress.show()
        self.window.close()
        self.window.store.close()

        def run(report: Report, _cancel: object) -> Any:
            return work(report)

        self.job = Job(run, self)
        self.job.progress.connect(self._progress)
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)
        self.job.start()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setMaximum(max(total, 0))
        self.progress.setValue(min(done, total) if total > 0 else 0)
        if message:
            self.progress.setLabelText(message)

    def _succeeded(self, result: Any) -> None:
        window = self._open_again()
        if window is not None:
            self.done(window, result)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, CompanionError):
            log.error("replacing the database failed", exc_info=error)
        window = self._open_again()
        if window is not None:
            text = str(error) if isinstance(error, CompanionError) else repr(error)
            QMessageBox.warning(window, self.title, text)

    def _open_again(self) -> Window | None:
        window = self.window.open_again(self.window.size())  # explains any failure itself
        self.progress.close()
        self.progress.deleteLater()
        self.app.setQuitOnLastWindowClosed(self.quit_on_close)
        self.window = None  # type: ignore[assignment]  # done with it: no reference kept
        self.reopened.emit(window)
        if window is None:
            self.app.quit()
            return None
        self.deleteLater()
        return window


def replace_database(window: Window, title: str, work: Work, done: Done) -> Reopening | None:
    """Close ``window``, run ``work(report)`` (it replaces the database file), open the
    folder again in a new window and call ``done(new_window, result)``. None when
    refused: a sync is running on the database."""
    if window.sync.running:
        QMessageBox.information(
            window,
            title,
            _("Une synchronisation est en cours : attendez qu'elle se termine, puis recommencez."),
        )
        return None
    reopening = Reopening(window, title, done)
    reopening.start(work)
    return reopening
