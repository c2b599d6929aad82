"""The import wizard's mapping page: which field each column of a table fills."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from companion.errors import CompanionError
from companion.i18n import _
from companion.io.actor_fields import FIELDS, FIELDS_BY_KEY
from companion.io.cells import import_text
from companion.io.layouts import proposed_mapping, remember_layout
from companion.io.sources import read_head
from companion.io.textfile import Record
from companion.ui.data.import_state import ImportState
from companion.ui.data.preview_table import fit_columns

PREVIEW_ROWS = 20
IGNORE = ""  # the combo boxes' data for "ignorer"


class MappingPage(QWizardPage):
    """One combo box per column (proposed from a remembered layout or the column names),
    and the first rows as they will be imported."""

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(_("Correspondance des colonnes"))
        self.setSubTitle(
            _(
                "Choisissez le champ que remplit chaque colonne. La correspondance est "
                "mémorisée et reproposée pour les fichiers qui ont les mêmes colonnes."
            )
        )
        self.headers: list[str] = []
        self.rows: list[Record] = []
        self.combos: list[QComboBox] = []
        self.name_edit = QLineEdit()
        self.origin = QLabel()
        self.origin.setTextFormat(Qt.TextFormat.PlainText)
        self.origin.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.columns = _table([_("Colonne du fichier"), _("Champ"), _("Exemple")])
        for column in (0, 1):  # the file's column and the field's whole name in its box
            self.columns.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.preview = _table([])
        form = QFormLayout()
        form.addRow(_("Nom de la correspondance"), self.name_edit)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.columns)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)  # a file has more columns than the preview has rows
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.origin)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.warning)

    def initializePage(self) -> None:
        assert self.state.path is not None
        try:
            head = read_head(self.state.path, self.state.text_format, PREVIEW_ROWS)
        except CompanionError as error:
            self.headers, self.rows = [], []
            self.origin.setText(str(error))
            self._build({})
            return
        same_columns = self.headers == head.headers
        self.headers, self.rows = head.headers, head.rows
        self.state.headers = head.headers
        mapping, layout = proposed_mapping(self.state.store, self.headers)
        if self.state.mapping is not None and same_columns:
            mapping = self.state.mapping  # back from the check page: keep the user's choice
        if layout is not None:
            self.name_edit.setText(layout.name)
            self.origin.setText(
                _(
                    "Correspondance mémorisée « {name} » reprise : ce fichier a les mêmes colonnes."
                ).format(name=layout.name)
            )
        else:
            self.name_edit.setText(self.state.path.stem)
            self.origin.setText(
                _("Correspondance proposée d'après les noms des colonnes : vérifiez-la.")
            )
        self._build(mapping)

    def _build(self, mapping: dict[int, str]) -> None:
        self.columns.setRowCount(len(self.headers))
        self.combos = []
        for index, header in enumerate(self.headers):
            self.columns.setItem(index, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem(_("ignorer"), IGNORE)
            for field in FIELDS:
                combo.addItem(_(field.label), field.key)
            combo.setCurrentIndex(max(combo.findData(mapping.get(index, IGNORE)), 0))
            combo.currentIndexChanged.connect(self._on_combo_changed)
            self.columns.setCellWidget(index, 1, combo)
            self.combos.append(combo)
            sample = next((_cell(row, index) for row in self.rows if _cell(row, index)), "")
            self.columns.setItem(index, 2, QTableWidgetItem(sample))
        self._refresh()

    def mapping(self) -> dict[int, str]:
        return {
            index: combo.currentData()
            for index, combo in enumerate(self.combos)
            if combo.currentData() != IGNORE
        }

    def set_field(self, column: int, key: str) -> None:
        """Map a column to a field (``""``: ignore it), as a choice in its combo box would."""
        self.combos[column].setCurrentIndex(self.combos[column].findData(key))

    def _on_combo_changed(self) -> None:
        changed = self.sender()
        key = changed.currentData() if isinstance(changed, QComboBox) else IGNORE
        if key != IGNORE:
            # One column per field: the column that had it lets it go.
            for combo in self.combos:
                if combo is not changed and combo.currentData() == key:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        self._refresh()

    def _refresh(self) -> None:
        mapping = self.mapping()
        keys = [field.key for field in FIELDS if field.key in mapping.values()]
        column_of = {key: index for index, key in mapping.items()}
        self.preview.clear()
        self.preview.setColumnCount(len(keys))
        self.preview.setHorizontalHeaderLabels([_(FIELDS_BY_KEY[key].label) for key in keys])
        self.preview.setRowCount(len(self.rows))
        self.preview.setVerticalHeaderLabels([str(row.line) for row in self.rows])
        for row_index, row in enumerate(self.rows):
            for column, key in enumerate(keys):
                self.preview.setItem(
                    row_index, column, QTableWidgetItem(_cell(row, column_of[key]))
                )
        fit_columns(self.preview)
        self.warning.setText(
            ""
            if "name" in mapping.values()
            else _("Choisissez la colonne qui donne le nom des acteurs.")
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return "name" in self.mapping().values()

    def validatePage(self) -> bool:
        mapping = self.mapping()
        layout = remember_layout(self.state.store, self.headers, mapping, self.name_edit.text())
        self.state.mapping = mapping
        self.state.layout_name = layout.name
        return True


def _cell(row: Record, index: int) -> str:
    """A cell as the import will read it (trimmed, a formula's quote removed)."""
    return import_text(row.cells[index]) if index < len(row.cells) else ""


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table
