"""The activity report's territory: a commune, EPCI, département or région found by name
or code, or nothing (the whole network).

The search (``insights.places.search_territories``) needs the gazetteer's place
index, about 0.4 s to build: the field waits, disabled, until the dialog has
built it in the background (``set_ready``), then each keystroke costs a few ms.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from companion.geo import Gazetteer
from companion.i18n import _
from companion.insights.places import Territory, search_territories

MATCHES_SHOWN = 12


def territory_text(territory: Territory) -> str:
    """ "Haute-Savoie (74) — Département"."""
    return f"{territory.label} — {territory.level_label}"


class TerritoryField(QWidget):
    """``territory`` is the one chosen, or None; ``changed`` when that changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gazetteer: Gazetteer | None = None
        self.territory: Territory | None = None
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(_("Chargement des territoires…"))
        self.edit.setEnabled(False)
        self.matches = QListWidget()
        self.matches.setVisible(False)
        self.matches.setMaximumHeight(self.fontMetrics().height() * 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.matches)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._on_text)
        self.edit.returnPressed.connect(self._choose_first)
        self.matches.itemClicked.connect(self._on_match_chosen)
        self.matches.itemActivated.connect(self._on_match_chosen)

    def set_ready(self, gazetteer: Gazetteer | None, notice: str = "") -> None:
        """Searchable from now on (its place index is built); without a gazetteer, the notice."""
        self.gazetteer = gazetteer
        self.edit.setEnabled(gazetteer is not None)
        self.edit.setPlaceholderText(
            _("Tout le réseau — ou une commune, une intercommunalité, un département, une région")
            if gazetteer is not None
            else notice
        )

    def search(self, text: str) -> list[Territory]:
        if self.gazetteer is None or not text.strip():
            return []
        return search_territories(self.gazetteer, text, MATCHES_SHOWN)

    def choose(self, territory: Territory | None) -> None:
        """Take this territory (None: the whole network)."""
        self.edit.blockSignals(True)
        self.edit.setText(territory_text(territory) if territory else "")
        self.edit.blockSignals(False)
        self._list([])
        if territory != self.territory:
            self.territory = territory
            self.changed.emit()

    def candidates(self) -> list[Territory]:
        return [
            self.matches.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.matches.count())
        ]

    def _list(self, territories: list[Territory]) -> None:
        self.matches.clear()
        for territory in territories:
            item = QListWidgetItem(territory_text(territory))
            item.setData(Qt.ItemDataRole.UserRole, territory)
            self.matches.addItem(item)
        self.matches.setVisible(bool(territories))

    def _on_text(self, text: str) -> None:
        # Typing searches; the territory chosen stays until another is chosen or the
        # text is cleared (the clear button: back to the whole network).
        if not text.strip():
            self.choose(None)
            return
        self._list(self.search(text))

    def _choose_first(self) -> None:
        found = self.candidates()
        if found:
            self.choose(found[0])

    def _on_match_chosen(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole))
