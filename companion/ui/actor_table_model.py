"""The directory's table model: actors read from the store page by page, on demand.

Only the row count is asked up front; rows are fetched in pages when the view
asks for them, and a few recent pages are kept. 100,000 actors cost what the
visible rows cost.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from companion.domain import ACTOR_KINDS, VISIBILITIES, label
from companion.i18n import _
from companion.store import Actor, Store

ModelIndex = QModelIndex | QPersistentModelIndex

# Column order; each column sorts by the store key next to it.
COLUMN_SORT_KEYS = ("name", "kind", "commune", "departement", "visibility")
ACTOR_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def column_titles() -> list[str]:
    return [_("Nom"), _("Type"), _("Commune"), _("Département"), _("Visibilité")]


class ActorTableModel(QAbstractTableModel):
    """Actors of the store (all, or those matching a search), lazily paged."""

    def __init__(
        self, store: Store, page_size: int = 200, max_pages: int = 12, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._page_size = page_size
        self._max_pages = max_pages
        self._query = ""
        self._sort_key: str | None = None  # None: the default order (rank when searching)
        self._descending = False
        self._pages: OrderedDict[int, list[Actor]] = OrderedDict()
        self._row_count = store.count_actors("")
        self.pages_fetched = 0  # how many pages were read from the store, for tests and tuning

    # -- what the directory page uses --------------------------------------

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        """Show only the actors matching ``text`` (every word as a prefix, accents ignored)."""
        text = text.strip()
        if text != self._query:
            self._query = text
            self.refresh()

    def refresh(self) -> None:
        """Forget what was read and count again, e.g. after an edit or a sync."""
        self.beginResetModel()
        self._pages.clear()
        self._row_count = self._store.count_actors(self._query)
        self.endResetModel()

    def actor_at(self, row: int) -> Actor | None:
        if not 0 <= row < self._row_count:
            return None
        page = self._page(row // self._page_size)
        offset = row % self._page_size
        return page[offset] if offset < len(page) else None

    def actor_id(self, row: int) -> str | None:
        actor = self.actor_at(row)
        return actor.id if actor else None

    def row_of(self, actor_id: str) -> int | None:
        """The row of an actor among the pages already read (None if not loaded)."""
        for number, page in self._pages.items():
            for offset, actor in enumerate(page):
                if actor.id == actor_id:
                    return number * self._page_size + offset
        return None

    # -- Qt model interface -------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMN_SORT_KEYS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            titles = column_titles()
            return titles[section] if 0 <= section < len(titles) else None
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            ACTOR_ID_ROLE,
        ):
            return None
        actor = self.actor_at(index.row())
        if actor is None:
            return None
        if role == ACTOR_ID_ROLE:
            return actor.id
        text = _cell_text(actor, COLUMN_SORT_KEYS[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole:
            # Qt guesses whether a tooltip is HTML: make it HTML, with the text escaped.
            return f"<p>{html.escape(text)}</p>" if text else None
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; a negative column goes back to the default order."""
        key = COLUMN_SORT_KEYS[column] if 0 <= column < len(COLUMN_SORT_KEYS) else None
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        self._sort_key, self._descending = key, descending
        self.beginResetModel()
        self._pages.clear()
        self.endResetModel()

    # -- paging -------------------------------------------------------------

    def _page(self, number: int) -> list[Actor]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        sort = self._sort_key or ("rank" if self._query else "name")
        page = self._store.actors(
            self._query,
            sort=sort,
            descending=self._descending and self._sort_key is not None,
            offset=number * self._page_size,
            limit=self._page_size,
        )
        self.pages_fetched += 1
        self._pages[number] = page
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return page


def _cell_text(actor: Actor, key: str) -> str:
    if key == "name":
        return actor.name
    if key == "kind":
        return label(ACTOR_KINDS, actor.kind)
    if key == "commune":
        return actor.commune or ""
    if key == "departement":
        return actor.departement or ""
    return label(VISIBILITIES, actor.visibility)
