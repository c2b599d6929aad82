"""A progress bar, a status line and a Cancel button over one background job at a time."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from companion.i18n import _
from companion.ui.common.jobs import Job, JobFunction


class JobPanel(QWidget):
    """Runs a function in the background and shows how far it is; Cancel asks it to stop.

    A function that stops because it was cancelled (whether it raised or returned) is
    reported as ``cancelled``, never as ``failed``.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: Job | None = None
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(_("Annuler"))
        self.cancel_button.clicked.connect(self.cancel)
        self.bar.hide()
        self.cancel_button.hide()  # both show only while a job runs
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.is_running

    def start(self, function: JobFunction, message: str) -> None:
        """Run ``function(report, cancel)``; a job still running is cancelled first."""
        self.cancel()
        self.status.setText(message)
        self.bar.setRange(0, 0)  # busy until the first report gives a total
        self.bar.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        job = Job(function)
        job.progress.connect(self._on_progress)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        self.job = job
        job.start()

    def cancel(self) -> None:
        if self.running:
            self.job.cancel()  # type: ignore[union-attr]
            self.cancel_button.setEnabled(False)

    def show_result(self, message: str) -> None:
        self._stopped()
        self.status.setText(message)

    # -- the job's signals (main thread) -----------------------------------------

    def _current(self) -> bool:
        """Whether the signal comes from the job shown (not one replaced by a restart)."""
        return self.sender() is self.job

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if not self._current():
            return
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if message:
            self.status.setText(message)

    def _on_succeeded(self, value: object) -> None:
        if self._current():
            self._stopped()
            self.succeeded.emit(value)

    def _on_failed(self, error: object) -> None:
        if self._current():
            self._stopped()
            if self.job.is_cancelled:  # type: ignore[union-attr]
                self.cancelled.emit()  # it raised because it saw the cancel flag
            else:
                self.failed.emit(error)

    def _on_cancelled(self) -> None:
        if self._current():
            self._stopped()
            self.cancelled.emit()

    def _stopped(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()
