"""The Carte section: the filter panel beside the actor map.

Importing this module loads QtWebEngineWidgets (about 0.2 s): the main window
imports it only when the Carte section is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _, ngettext
from companion.maps.filters import MapFilter, tag_names
from companion.store import Store
from companion.ui.formatting import format_number
from companion.ui.map_filter_panel import MapFilterPanel
from companion.ui.map_view import MapView


class MapPage(QWidget):
    """Filters on the left, the map on the right; the map loads as soon as the page exists."""

    actor_activated = Signal(str)  # open this actor (UUID) in the directory

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.panel = MapFilterPanel(tag_names(store.conn))
        self.view = MapView(store)
        self.count_label = QLabel(_("Chargement de la carte…"))
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setWordWrap(True)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 6, 4, 0)
        side_layout.addWidget(self.count_label)
        side_layout.addWidget(self.panel, 1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(side.sizeHint().width() + 24)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.panel.filter_changed.connect(self.apply_filter)
        self.view.applied.connect(self._show_count)
        self.view.page_error.connect(self._show_error)
        self.view.actor_activated.connect(self.actor_activated)
        self.view.load_map()

    def apply_filter(self, spec: MapFilter) -> None:
        """Show what ``spec`` keeps (the page is not rebuilt)."""
        self.view.apply_filter(spec)

    def refresh(self) -> None:
        """Read the store again (after an edit, an import or a sync)."""
        self.view.reload_data()

    def _show_count(self, detail: dict) -> None:
        visible = int(detail.get("visible", 0))
        relations = int(detail.get("relations", 0))
        actors = ngettext("{n} acteur sur la carte", "{n} acteurs sur la carte", visible).format(
            n=format_number(visible)
        )
        lines = ngettext("{n} relation", "{n} relations", relations).format(
            n=format_number(relations)
        )
        self.count_label.setText(f"{actors}, {lines}")

    def _show_error(self, message: str) -> None:
        self.count_label.setText(
            _("La carte n'a pas pu s'afficher : {message}").format(message=message)
        )

    def current_filter(self) -> MapFilter:
        return self.view.filter
