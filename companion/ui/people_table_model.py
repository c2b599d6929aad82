"""The people table: people read page by page on demand, like the actor table.

Only the row count is asked up front; rows are fetched in pages as the view
asks for them (``directory/people.py`` writes the SQL), and a few pages are kept.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from companion.directory.people import PersonRow, count_people, people_page
from companion.directory.validate import format_phone  # imports phonenumbers on first call
from companion.domain import VISIBILITIES, label
from companion.i18n import _
from companion.store import Store

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMN_SORT_KEYS = ("name", "organisations", "email", "phone", "last_interaction", "visibility")
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def column_titles() -> list[str]:
    return [
        _("Nom"),
        _("Organisations"),
        _("E-mail"),
        _("Téléphone"),
        _("Dernier échange"),
        _("Visibilité"),
    ]


class PeopleTableModel(QAbstractTableModel):
    """People of the store (all, or those matching a search), lazily paged."""

    def __init__(
        self, store: Store, page_size: int = 200, max_pages: int = 12, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._page_size = page_size
        self._max_pages = max_pages
        self._query = ""
        self._sort_key: str | None = None  # None: by name, or best match when searching
        self._descending = False
        self._pages: OrderedDict[int, list[PersonRow]] = OrderedDict()
        self._row_count = count_people(store)
        self.pages_fetched = 0

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        text = text.strip()
        if text != self._query:
            self._query = text
            self.refresh()

    def refresh(self) -> None:
        """Forget what was read and count again (after an edit, an undo or a sync)."""
        self.beginResetModel()
        self._pages.clear()
        self._row_count = count_people(self._store, self._query)
        self.endResetModel()

    def person_at(self, row: int) -> PersonRow | None:
        if not 0 <= row < self._row_count:
            return None
        page = self._page(row // self._page_size)
        offset = row % self._page_size
        return page[offset] if offset < len(page) else None

    def person_id(self, row: int) -> str | None:
        person = self.person_at(row)
        return person.id if person else None

    def row_of(self, person_id: str) -> int | None:
        """The row of a person among the pages already read (None if not loaded)."""
        for number, page in self._pages.items():
            for offset, person in enumerate(page):
                if person.id == person_id:
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
            PERSON_ID_ROLE,
        ):
            return None
        person = self.person_at(index.row())
        if person is None:
            return None
        if role == PERSON_ID_ROLE:
            return person.id
        text = _cell_text(person, COLUMN_SORT_KEYS[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"<p>{html.escape(text)}</p>" if text else None
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMN_SORT_KEYS[column] if 0 <= column < len(COLUMN_SORT_KEYS) else None
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort_key, self._descending):
            return
        self._sort_key, self._descending = key, descending
        self.beginResetModel()
        self._pages.clear()
        self.endResetModel()

    def _page(self, number: int) -> list[PersonRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        sort = self._sort_key or ("rank" if self._query else "name")
        page = people_page(
            self._store,
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


def _cell_text(person: PersonRow, key: str) -> str:
    if key == "name":
        return person.full_name
    if key == "organisations":
        return person.organisations
    if key == "email":
        return person.email or ""
    if key == "phone":
        return format_phone(person.phone)
    if key == "last_interaction":
        return (person.last_interaction or "")[:10]
    return label(VISIBILITIES, person.visibility)
