"""The directory's table model: actors read from the store page by page, on demand."""

from __future__ import annotations

from companion.domain import ACTOR_KINDS, VISIBILITIES, label
from companion.i18n import _
from companion.store import Actor
from companion.ui.common.paged_table_model import RECORD_ID_ROLE, PagedTableModel

# Column order; each column sorts by the store key next to it.
COLUMN_SORT_KEYS = ("name", "kind", "commune", "departement", "visibility")
ACTOR_ID_ROLE = RECORD_ID_ROLE


def column_titles() -> list[str]:
    return [_("Nom"), _("Type"), _("Commune"), _("Département"), _("Visibilité")]


class ActorTableModel(PagedTableModel[Actor]):
    """Actors of the store (all, or those matching a search), lazily paged."""

    column_keys = COLUMN_SORT_KEYS
    batch: str | None = None  # only the actors one import wrote (``io/import_batches.py``)

    def set_batch(self, batch_id: str | None) -> None:
        self.batch = batch_id
        self.refresh()

    def count(self, query: str) -> int:
        return self._store.count_actors(query, batch=self.batch)

    def fetch(self, query: str, sort: str, descending: bool, offset: int, limit: int) -> list:
        return self._store.actors(
            query, sort=sort, descending=descending, offset=offset, limit=limit, batch=self.batch
        )

    def column_titles(self) -> list[str]:
        return column_titles()

    def cell_text(self, record: Actor, key: str) -> str:
        if key == "name":
            return record.name
        if key == "kind":
            return label(ACTOR_KINDS, record.kind)
        if key == "commune":
            return record.commune or ""
        if key == "departement":
            return record.departement or ""
        return label(VISIBILITIES, record.visibility)

    def actor_at(self, row: int) -> Actor | None:
        return self.record_at(row)

    def actor_id(self, row: int) -> str | None:
        return self.record_id(row)
