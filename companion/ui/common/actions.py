"""Menu actions that work with or without their menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def add_action(
    menu: QMenu,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | str | None = None,
) -> QAction:
    owner = menu.parentWidget()
    while isinstance(owner, QMenu):  # a submenu: its menu's window is the menu itself
        owner = owner.parentWidget()
    window = owner.window()
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    # Also on the window: shortcuts keep working when the menu bar is hidden
    # (presentation mode).
    window.addAction(action)
    return action
