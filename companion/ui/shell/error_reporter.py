"""Unexpected errors: logged, then explained in a French dialog, never a raw traceback.

``ErrorReporter.install()`` replaces ``sys.excepthook`` (which PySide6 calls for an
exception escaping a slot) and ``threading.excepthook``. The traceback goes to the
log file; the user sees what happened in words (ui/shell/error_dialog.py, loaded on the
first error). Errors from other threads reach the dialog through a queued signal,
on the main thread.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from companion.ui.shell.error_dialog import ErrorDialog

log = logging.getLogger(__name__)


class ErrorReporter(QObject):
    """Logs every uncaught exception and shows it in an :class:`ErrorDialog`."""

    reported = Signal(str, str)  # summary, details

    def __init__(self, app: QApplication, log_file: Path | None = None) -> None:
        super().__init__(app)
        self.log_file = log_file
        self.dialog: ErrorDialog | None = None
        self._previous: tuple | None = None
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> ErrorReporter:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        return self

    def uninstall(self) -> None:
        """Put back the hooks found at :meth:`install` (the app's event loop has ended)."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(
        self,
        error_type: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(error_type, KeyboardInterrupt):
            sys.__excepthook__(error_type, error, trace)
            return
        from companion.ui.shell.error_dialog import details_text

        log.error("unexpected error", exc_info=(error_type, error, trace))
        summary = f"{error_type.__name__}: {error}" if str(error) else error_type.__name__
        self.reported.emit(summary, details_text(error_type, error, trace))

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        from companion.ui.shell.error_dialog import ErrorDialog

        if self.dialog is not None and self.dialog.isVisible():
            return  # one at a time: the first error is the one that explains the others
        self.dialog = ErrorDialog(summary, details, self.log_file, QApplication.activeWindow())
        self.dialog.open()
