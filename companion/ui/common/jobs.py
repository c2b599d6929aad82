"""One helper for all background work: run a function off the UI thread.

The function receives ``report(done, total, message)`` and a cancel flag. Its
progress, result or error arrive as signals on the main thread, so slots may
touch widgets; the function itself never must.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

Report = Callable[[int, int, str], None]
JobFunction = Callable[[Report, threading.Event], Any]


class JobCancelled(Exception):
    """Raised by ``report`` once the job was cancelled, to unwind the function."""


class Job(QObject):
    """A function running in the thread pool; its signals are emitted on the main thread."""

    progress = Signal(int, int, str)  # done, total, message
    succeeded = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised
    cancelled = Signal()
    finished = Signal()  # always last, whatever the outcome

    # Emitted from the worker thread; queued to this object's (main) thread.
    _worker_progress = Signal(int, int, str)
    _worker_done = Signal(str, object)

    def __init__(self, function: JobFunction, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._function = function
        self._cancel = threading.Event()
        self._running = False
        self.outcome: str = ""  # "succeeded", "failed" or "cancelled" once finished
        self._worker_progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self._worker_done.connect(self._deliver_outcome, Qt.ConnectionType.QueuedConnection)

    def start(self, pool: QThreadPool | None = None) -> Job:
        if self._running or self.outcome:
            raise RuntimeError("a job runs only once")
        self._running = True
        _RUNNING.add(self)  # keep the Python object alive until it has finished
        (pool or QThreadPool.globalInstance()).start(_Runner(self))
        return self

    def cancel(self) -> None:
        """Ask the function to stop; it sees the flag and ``report`` raises JobCancelled."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_running(self) -> bool:
        return self._running

    # -- worker side --------------------------------------------------------

    def _report(self, done: int, total: int, message: str = "") -> None:
        if self._cancel.is_set():
            raise JobCancelled()
        try:
            self._worker_progress.emit(int(done), int(total), str(message))
        except RuntimeError:  # the job's owner (a closed dialog) deleted it: stop
            self._cancel.set()
            raise JobCancelled() from None

    def _run_in_worker(self) -> None:
        try:
            result = self._function(self._report, self._cancel)
        except JobCancelled:
            outcome, value = "cancelled", None
        except BaseException as error:  # noqa: BLE001 - every error goes to the main thread
            outcome, value = "failed", error
        else:
            outcome = "cancelled" if self._cancel.is_set() else "succeeded"
            value = result
        try:
            self._worker_done.emit(outcome, value)
        except RuntimeError:  # deleted with its owner meanwhile: nobody is listening
            _RUNNING.discard(self)

    # -- main-thread side ---------------------------------------------------

    @Slot(int, int, str)
    def _deliver_progress(self, done: int, total: int, message: str) -> None:
        if self._running:
            self.progress.emit(done, total, message)

    @Slot(str, object)
    def _deliver_outcome(self, outcome: str, value: object) -> None:
        self._running = False
        self.outcome = outcome
        if outcome == "succeeded":
            self.succeeded.emit(value)
        elif outcome == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()
        _RUNNING.discard(self)


class _Runner(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job

    def run(self) -> None:
        self._job._run_in_worker()


_RUNNING: set[Job] = set()


def run_in_background(function: JobFunction, parent: QObject | None = None) -> Job:
    """Start ``function(report, cancel_flag)`` in the thread pool and return its Job.

    Connect to the Job's signals right after this call: delivery is queued to
    the main thread, so nothing is missed.
    """
    return Job(function, parent).start()
