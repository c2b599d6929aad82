"""The Boîte à outils section: the catalogue on the left, the reader on the right.

Built the first time the section is shown (the main window imports this module
then): start-up pays neither for the reader nor for the catalogue's queries.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from companion.store import Store
from companion.ui.toolbox.catalogue import FAVOURITES, RECENT, ToolboxCatalogue
from companion.ui.toolbox.reader import ToolboxReader


class ToolboxPage(QWidget):
    """Find an item in the catalogue (Enter or a double click opens it), read it beside."""

    action_requested = Signal(str)  # an item's companion://action/… link: the window runs it
    status_message = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.catalogue = ToolboxCatalogue(store)
        self.reader = ToolboxReader(store)
        self.catalogue.item_chosen.connect(self.open_item)
        self.reader.action_requested.connect(self.action_requested)
        self.reader.status_message.connect(self.status_message)
        self.reader.favourite_changed.connect(self._favourite_changed)
        self.reader.item_opened.connect(self._item_opened)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.catalogue)
        splitter.addWidget(self.reader)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        splitter.setSizes([340, 860])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def open_item(self, item_id: str) -> bool:
        """Show an item in the reader (from the list, the global search or a link)."""
        return self.reader.open_item(item_id)

    def focus_search(self) -> None:
        """Ctrl+F in this section: the catalogue's search box."""
        self.catalogue.focus_search()

    def refresh(self) -> None:
        """The catalogue changed (bundle or hub installed new items): list and page follow."""
        self.catalogue.refresh()
        self.reader.refresh()

    def _favourite_changed(self, _item_id: str, _favourite: bool) -> None:
        if self.catalogue.views.currentIndex() == FAVOURITES:
            self.catalogue.refresh()

    def _item_opened(self, _item_id: str) -> None:
        if self.catalogue.views.currentIndex() == RECENT:
            self.catalogue.refresh()
