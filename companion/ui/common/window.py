"""What a feature may ask of the main window: the small interface the shell provides.

Features (data, reports, sync…) are handed the window as a ``Window`` and never
import ``ui/shell/``: the shell composes the features, not the reverse.
``ui/shell/main_window.py``'s ``MainWindow`` is the one implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QSize

    from companion.store import Store


class Busy(Protocol):
    """Work that must not meet a change of database (the sync runner)."""

    @property
    def running(self) -> bool: ...


class Window(Protocol):
    """The main window as the features see it (a QWidget too: dialogs are parented to it)."""

    store: Store
    sync: Busy
    closed: bool  # True once closed: its store may be closed too

    def show_message(self, text: str) -> None:
        """A short message in the status bar."""

    def backup_scheduler(self) -> Any:
        """The window's ``BackupScheduler`` (``ui/data/backup_scheduler.py``)."""

    def open_again(self, size: QSize) -> Window | None:
        """A new window on this window's data folder, shown at ``size`` (None: the
        folder could not be opened again; the user was told why)."""
