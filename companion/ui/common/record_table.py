"""The directory's table views: lazily paged, rows selected (many at once), never edited."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def make_record_table(
    model: QAbstractItemModel, widths: dict[int, int], stretch: int = 0
) -> QTableView:
    """A table over a paged model; ``widths`` gives columns' width in letters; one stretches."""
    table = QTableView()
    table.setModel(model)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    # Fixed row heights and no "resize to contents": the view never reads
    # every row to size itself, so only the visible pages are fetched.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)
    letter = table.fontMetrics().horizontalAdvance("M")
    for column, letters in widths.items():
        header.resizeSection(column, letter * letters)
    header.setSortIndicatorClearable(True)  # a third click goes back to the default order
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    return table


def selected_rows(table: QTableView) -> list[int]:
    """The selected rows, in order, read from the selection's ranges (cheap for thousands)."""
    rows: set[int] = set()
    for selection_range in table.selectionModel().selection():
        rows.update(range(selection_range.top(), selection_range.bottom() + 1))
    return sorted(rows)


def selected_ids(
    table: QTableView, id_at: Callable[[int], str | None], all_ids: Callable[[], list[str]]
) -> list[str]:
    """The ids of the selected rows; every row selected asks the store once, not page by page."""
    rows = selected_rows(table)
    if rows and len(rows) == table.model().rowCount():
        return all_ids()
    return [record_id for row in rows if (record_id := id_at(row))]
