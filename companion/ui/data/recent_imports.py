"""« Imports récents… »: the imports of this laptop, newest first, each shown in the directory
(where it can be undone as one step)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.io.import_batches import ImportBatch, list_batches
from companion.store import Store
from companion.ui.common.formatting import format_number, format_stamp


class RecentImportsDialog(QDialog):
    """Pick an import; « Afficher » (or Entrée, or a double click) lists its records."""

    def __init__(
        self, store: Store, on_show: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Imports récents"))
        self.on_show = on_show
        self.batches = list_batches(store.conn)
        self.table = QTableWidget(len(self.batches), 5)
        self.table.setHorizontalHeaderLabels(
            [_("Date"), _("Fichier"), _("Créées"), _("Mises à jour"), _("État")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, batch in enumerate(self.batches):
            state = _("annulé") if batch.undone_at else _("en place")
            cells = [
                format_stamp(batch.created_at), batch.source, format_number(batch.created),
                format_number(batch.updated), state,
            ]  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.activated.connect(lambda _index: self.accept())  # Entrée, double clic
        self.empty = QLabel(
            _("Aucun import sur cet ordinateur pour l'instant (Ctrl+I pour importer).")
        )
        self.empty.setVisible(not self.batches)
        self.table.setVisible(bool(self.batches))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.show_button = buttons.addButton(_("Afficher"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.show_button.setEnabled(bool(self.batches))
        self.show_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(_("Affichez un import pour voir ses fiches, ou pour l'annuler d'un coup."))
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        if self.batches:
            self.table.selectRow(0)
        self.resize(720, 360)

    def selected(self) -> ImportBatch | None:
        row = self.table.currentRow()
        return self.batches[row] if 0 <= row < len(self.batches) else None

    def accept(self) -> None:
        batch = self.selected()
        super().accept()
        if batch is not None:
            self.on_show(batch.id)
