"""A table model over the store that reads rows page by page, as the view asks for them.

Only the row count is asked up front; rows are fetched in pages when the view
paints them, and a few recent pages are kept: 100,000 records cost what the
visible rows cost. Subclasses say how to count, fetch and show a record.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from companion.store import Store

ModelIndex = QModelIndex | QPersistentModelIndex
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
Row = TypeVar("Row")


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Records of the store (all, or those matching a search), lazily paged."""

    column_keys: tuple[str, ...] = ()  # each column sorts by the store key of its position

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
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._row_count = self.count("")
        self.pages_fetched = 0  # how many pages were read from the store, for tests and tuning

    # -- what subclasses provide ----------------------------------------------

    def count(self, query: str) -> int:
        raise NotImplementedError

    def fetch(self, query: str, sort: str, descending: bool, offset: int, limit: int) -> list[Row]:
        raise NotImplementedError

    def column_titles(self) -> list[str]:
        raise NotImplementedError

    def cell_text(self, record: Row, key: str) -> str:
        raise NotImplementedError

    # -- what the pages use ---------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        """Show only the records matching ``text`` (every word as a prefix, accents ignored)."""
        text = text.strip()
        if text != self._query:
            self._query = text
            self.refresh()

    def refresh(self) -> None:
        """Forget what was read and count again (after an edit, an undo, an import or a sync)."""
        self.beginResetModel()
        self._pages.clear()
        self._row_count = self.count(self._query)
        self.endResetModel()

    def record_at(self, row: int) -> Row | None:
        if not 0 <= row < self._row_count:
            return None
        page = self._page(row // self._page_size)
        offset = row % self._page_size
        return page[offset] if offset < len(page) else None

    def record_id(self, row: int) -> str | None:
        record = self.record_at(row)
        return record.id if record is not None else None  # type: ignore[attr-defined]

    def row_of(self, record_id: str) -> int | None:
        """The row of a record among the pages already read (None if not loaded)."""
        for number, page in self._pages.items():
            for offset, record in enumerate(page):
                if record.id == record_id:  # type: ignore[attr-defined]
                    return number * self._page_size + offset
        return None

    # -- Qt model interface -----------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.column_keys)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            titles = self.column_titles()
            return titles[section] if 0 <= section < len(titles) else None
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            RECORD_ID_ROLE,
        ):
            return None
        record = self.record_at(index.row())
        if record is None:
            return None
        if role == RECORD_ID_ROLE:
            return record.id  # type: ignore[attr-defined]
        text = self.cell_text(record, self.column_keys[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole:
            # Qt guesses whether a tooltip is HTML: make it HTML, with the text escaped.
            import html  # here: html.entities costs start-up 2 ms, for no tooltip yet

            return f"<p>{html.escape(text)}</p>" if text else None
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; a negative column goes back to the default order."""
        key = self.column_keys[column] if 0 <= column < len(self.column_keys) else None
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        self._sort_key, self._descending = key, descending
        self.beginResetModel()
        self._pages.clear()
        self.endResetModel()

    # -- paging -------------------------------------------------------------------

    def _page(self, number: int) -> list[Row]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self.fetch(
            self._query,
            self._sort_key or ("rank" if self._query else "name"),
            self._descending and self._sort_key is not None,
            number * self._page_size,
            self._page_size,
        )
        self.pages_fetched += 1
        self._pages[number] = page
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return page
