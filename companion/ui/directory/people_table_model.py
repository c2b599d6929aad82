"""The people table: people read page by page on demand, like the actor table.

``directory/people.py`` writes the SQL; phones are shown formatted.
"""

from __future__ import annotations

from companion.directory.people import PersonRow, count_people, people_page
from companion.directory.validate import format_phone  # imports phonenumbers on first call
from companion.domain import VISIBILITIES, label
from companion.i18n import _
from companion.ui.common.paged_table_model import RECORD_ID_ROLE, PagedTableModel

COLUMN_SORT_KEYS = ("name", "organisations", "email", "phone", "last_interaction", "visibility")
PERSON_ID_ROLE = RECORD_ID_ROLE


def column_titles() -> list[str]:
    return [
        _("Nom"),
        _("Organisations"),
        _("E-mail"),
        _("Téléphone"),
        _("Dernier échange"),
        _("Visibilité"),
    ]


class PeopleTableModel(PagedTableModel[PersonRow]):
    """People of the store (all, or those matching a search), lazily paged."""

    column_keys = COLUMN_SORT_KEYS

    batch: str | None = None  # only the people one import wrote (``io/import_batches.py``)

    def set_batch(self, batch_id: str | None) -> None:
        self.batch = batch_id
        self.refresh()

    def count(self, query: str) -> int:
        return count_people(self._store, query, batch=self.batch)

    def fetch(self, query: str, sort: str, descending: bool, offset: int, limit: int) -> list:
        return people_page(
            self._store,
            query,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
            batch=self.batch,
        )

    def column_titles(self) -> list[str]:
        return column_titles()

    def cell_text(self, record: PersonRow, key: str) -> str:
        if key == "name":
            return record.full_name
        if key == "organisations":
            return record.organisations
        if key == "email":
            return record.email or ""
        if key == "phone":
            return format_phone(record.phone)
        if key == "last_interaction":
            return (record.last_interaction or "")[:10]
        return label(VISIBILITIES, record.visibility)

    def person_at(self, row: int) -> PersonRow | None:
        return self.record_at(row)

    def person_id(self, row: int) -> str | None:
        return self.record_id(row)
