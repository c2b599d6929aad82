"""Choose one record (an actor, a person) by typing: matches are listed as you type."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from companion.directory.people_lookup import find_people, person_label
from companion.store import Store

# (id, text shown) of the records matching what was typed, best first.
Search = Callable[[str], list[tuple[str, str]]]
LISTED = 12


def actor_search(store: Store, excluded: str = "") -> Search:
    """Search the actors for a picker: (id, "Name (Commune)"), best match first."""

    def search(text: str) -> list[tuple[str, str]]:
        found = store.actors(text, sort="rank", limit=LISTED + 1)
        return [
            (actor.id, f"{actor.name} ({actor.commune})" if actor.commune else actor.name)
            for actor in found
            if actor.id != excluded
        ][:LISTED]

    return search


def people_search(store: Store) -> Search:
    """Search the people for a picker: (id, "Name (e-mail)"), best match first."""

    def search(text: str) -> list[tuple[str, str]]:
        return [
            (person.id, person_label(person)) for person in find_people(store.conn, text, LISTED)
        ]

    return search


class RecordPicker(QWidget):
    """A search field over a list of matches; ``chosen_id`` is the record picked, or None."""

    chosen = Signal(str)  # the id of the record just picked

    def __init__(self, search: Search, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self.chosen_id: str | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setVisible(False)
        self.matches.setMaximumHeight(self.fontMetrics().height() * 7)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.matches)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._on_typed)
        self.matches.itemClicked.connect(self._on_item)
        self.matches.itemActivated.connect(self._on_item)

    def choose(self, record_id: str | None, text: str = "") -> None:
        """Take this record (None: nothing chosen), showing ``text`` in the field."""
        self.chosen_id = record_id
        self.edit.setText(text if record_id else "")
        self._list([])
        if record_id:
            self.chosen.emit(record_id)

    def candidates(self) -> list[tuple[str, str]]:
        """The (id, text) listed under the field."""
        return [
            (self.matches.item(row).data(Qt.ItemDataRole.UserRole), self.matches.item(row).text())
            for row in range(self.matches.count())
        ]

    def resolve(self) -> str | None:
        """The chosen id; text typed with a single match counts as choosing it."""
        if self.chosen_id is None and self.edit.text().strip():
            found = self._search(self.edit.text())
            if len(found) == 1:
                self.choose(*found[0])
            else:
                self._list(found)
        return self.chosen_id

    def typed(self) -> str:
        return self.edit.text().strip()

    def _on_typed(self, text: str) -> None:
        self.chosen_id = None
        self._list(self._search(text) if text.strip() else [])

    def _list(self, found: list[tuple[str, str]]) -> None:
        self.matches.clear()
        for record_id, text in found:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            self.matches.addItem(item)
        self.matches.setVisible(bool(found))

    def _on_item(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole), item.text())
