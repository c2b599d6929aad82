"""The app's log: a rotating file in the user's data folder, for support and for bug reports.

``journaux/companion.log`` (at most ``MAX_BYTES``, the ``BACKUPS`` previous ones kept
beside it as ``companion.log.1``...), readable by its user only (0600 in a 0700 folder,
``filemodes.py``). Personal data stays out of it: modules log ids, counts and errors,
never names, e-mails or notes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from companion import filemodes

LOG_FOLDER = "journaux"
LOG_FILE = "companion.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_HANDLER_NAME = "companion-file"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


class RotatingFile(logging.FileHandler):
    """``logging.handlers.RotatingFileHandler``'s rotation, without that module (it brings
    sockets and pickle with it: 9 ms of every start)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.maxBytes = max_bytes
        self.backupCount = backups

    def _open(self):  # noqa: ANN202 - the stream
        # The log is the user's alone (``filemodes.py``); rotated files keep this mode.
        return filemodes.open_private(
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors
        )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
        except OSError:
            self.handleError(record)
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            size = os.path.getsize(self.baseFilename) if os.path.exists(self.baseFilename) else 0
        else:
            self.stream.seek(0, os.SEEK_END)
            size = self.stream.tell()
        return size + len(self.format(record)) + 1 > self.maxBytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        for number in range(self.backupCount - 1, 0, -1):
            older = f"{self.baseFilename}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        if os.path.exists(self.baseFilename):
            os.replace(self.baseFilename, f"{self.baseFilename}.1")


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_FOLDER / LOG_FILE


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send the app's log records (and Python warnings) to the rotating file; its path.

    Calling it again for another folder moves the log there. A folder that cannot be
    written leaves logging as it was (None): the app still runs.
    """
    path = log_path(data_dir)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    try:
        filemodes.private_folder(path.parent)
        filemodes.tighten_tree(path.parent)  # logs written by an earlier version
        handler = RotatingFile(path, MAX_BYTES, BACKUPS)
    except OSError:
        return None
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    logging.captureWarnings(True)
    return path
