"""Aide › Raccourcis clavier: every action of the menus with its shortcuts, by menu, then
those of the sections' pages (``section_shortcuts.py``).

The menus' are read from the menu bar itself, so the list can never disagree with the app.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from companion.i18n import _


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, action, shortcuts) for every action of the menu bar that has a shortcut."""
    rows: list[tuple[str, str, str]] = []

    def visit(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                visit(action.menu(), f"{path} › {_plain(action.text())}")
            elif not action.isSeparator() and action.shortcuts():
                keys = ", ".join(
                    key.toString(QKeySequence.SequenceFormat.NativeText)
                    for key in action.shortcuts()
                )
                rows.append((path, _plain(action.text()), keys))

    for action in window.menuBar().actions():
        if isinstance(action, QAction) and action.menu() is not None:
            visit(action.menu(), _plain(action.text()))
    return rows


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle(_("Raccourcis clavier"))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Action"), _("Raccourci")])
        self.tree.setRootIsDecorated(True)
        from companion.ui.shell.section_shortcuts import section_shortcuts

        menus: dict[str, QTreeWidgetItem] = {}
        for menu, text, keys in [*shortcut_rows(window), *section_shortcuts()]:
            parent = menus.get(menu)
            if parent is None:
                parent = menus[menu] = QTreeWidgetItem(self.tree, [menu])
                parent.setFirstColumnSpanned(True)
            QTreeWidgetItem(parent, [text, keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(560, 520)


def open_shortcuts(window: QMainWindow) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.open()
    return dialog
