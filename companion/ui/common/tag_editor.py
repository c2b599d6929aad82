"""The tags of an actor in a form: type one (existing names are completed), add, remove."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.text import fold


class TagEditor(QWidget):
    """Holds a list of tag names; nothing is written until the form saves."""

    def __init__(self, known: list[str], tags: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._known = {fold(name): name for name in known}
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("Nouvelle étiquette"))
        completer = QCompleter(known, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(completer)
        self.add_button = QPushButton(_("Ajouter"))
        self.add_button.setAutoDefault(False)  # Enter in the field adds, not the dialog's OK
        self.list = QListWidget()
        self.list.setMaximumHeight(self.fontMetrics().height() * 5)
        self.remove_button = QPushButton(_("Retirer"))
        self.remove_button.setAutoDefault(False)

        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)

        for name in tags:
            self.add(name)
        self.add_button.clicked.connect(self._add_typed)
        self.edit.installEventFilter(self)
        self.remove_button.clicked.connect(self.remove_selected)

    def tags(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def add(self, name: str) -> bool:
        """Add a tag (an existing tag's spelling wins); False if blank or already there."""
        name = " ".join(name.split())
        if not name or fold(name) in {fold(tag) for tag in self.tags()}:
            return False
        self.list.addItem(self._known.get(fold(name), name))
        self.list.setVisible(True)
        return True

    def remove(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).text() == name:
                self.list.takeItem(row)
                return

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in the field adds the tag; it must not reach the dialog, whose
        # default button would save and close the whole form.
        if (
            watched is self.edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._add_typed()
            return True
        return super().eventFilter(watched, event)

    def _add_typed(self) -> None:
        self.add(self.edit.text())
        self.edit.clear()
