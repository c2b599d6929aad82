"""The import wizard's previews of a file: columns as wide as what they show."""

from PySide6.QtWidgets import QTableWidget

# A column no wider than this: one long description must not push the others out of view.
MAX_COLUMN_WIDTH = 360


def fit_columns(table: QTableWidget) -> None:
    """Each column sized to its header and cells, up to MAX_COLUMN_WIDTH; the last one
    stretches over what is left (the user can still resize any of them)."""
    table.resizeColumnsToContents()
    for column in range(table.columnCount()):
        table.setColumnWidth(column, min(table.columnWidth(column), MAX_COLUMN_WIDTH))
    table.horizontalHeader().setStretchLastSection(True)
