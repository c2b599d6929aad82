"""Bringing the shipped toolbox into the catalogue at start-up, in the background.

``install_bundled`` costs one digest of the bundle when nothing changed; after
an update it writes through sqlite-utils (about 120 ms to import). Either way
it runs in the thread pool on its own connection (a Store is not shared
between threads), after the main window has appeared.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject

from companion.ui.common.jobs import Job, Report, run_in_background


def install_in_background(database: Path, parent: QObject | None = None) -> Job:
    """Start installing the bundle into the store at ``database``; the Job's result is
    the ``InstallReport``."""

    def install(_report: Report, _cancel: threading.Event):
        from companion.store import Store
        from companion.toolbox.catalogue import install_bundled

        store = Store.open(database)
        try:
            return install_bundled(store)
        finally:
            store.close()

    return run_in_background(install, parent)
