"""Doublons probables: the likely duplicate pairs of actors or people, to merge or dismiss.

The scan (``directory/duplicates.py``) runs as a background job on its own
connection, with a progress bar; the pairs arrive best first. "Comparer et
fusionner…" opens the merge dialog on the selected pair; "Pas un doublon"
remembers the pair so it is never proposed again. The scan keeps every pair
down to MIN_SCORE; the "Seuil de ressemblance" box (a remembered setting) shows
those at or above it, at once, without scanning again. A merge is one undo step:
Ctrl+Z here, or in the main window, restores both records.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from companion.directory.duplicates import (
    MIN_SCORE,
    DuplicatePair,
    ScanCancelled,
    dismiss,
    find_duplicates,
    set_threshold,
    threshold,
)
from companion.directory.merge import MergeResult
from companion.i18n import _, ngettext
from companion.store import Store
from companion.ui.common.formatting import format_number
from companion.ui.common.jobs import Job, Report

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ScanResult:
    table: str
    pairs: list[DuplicatePair]


class PairsModel(QAbstractTableModel):
    """Candidate pairs, one a row: score, both names, and all the reasons (penalties too)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pairs: list[DuplicatePair] = []

    def headers(self) -> list[str]:
        return [_("Score"), _("Fiche"), _("Doublon probable"), _("Raisons")]

    def set_pairs(self, pairs: list[DuplicatePair]) -> None:
        self.beginResetModel()
        self.pairs = list(pairs)
        self.endResetModel()

    def pair_at(self, row: int) -> DuplicatePair | None:
        return self.pairs[row] if 0 <= row < len(self.pairs) else None

    def remove_involving(self, record_ids: set[str]) -> None:
        """Drop the pairs naming any of these records (merged or dismissed)."""
        kept = [p for p in self.pairs if not ({p.left_id, p.right_id} & record_ids)]
        self.set_pairs(kept)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pairs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        pair = self.pair_at(index.row())
        if pair is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (str(pair.score), pair.left_label, pair.right_label, pair.reason)
            return values[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None


class DuplicatesDialog(QDialog):
    """Find, then merge or dismiss, likely duplicates."""

    changed = Signal()  # records were merged, or a merge undone: lists should refresh
    status_message = Signal(str)  # e.g. "Fusion faite. Annuler : … (Ctrl+Z)"
    scan_finished = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Doublons probables"))
        self.store = store
        self.job: Job | None = None
        self.merge_dialog: QDialog | None = None
        self._merge_labels: list[str] = []
        self._note = ""  # what was just done, kept above the next scan's count

        self.table_choice = QComboBox()
        self.table_choice.addItem(_("Acteurs"), "actors")
        self.table_choice.addItem(_("Personnes"), "people")
        self.table_choice.currentIndexChanged.connect(self.start_scan)
        self.found: list[DuplicatePair] = []  # the scan's pairs, above and below the threshold
        self.threshold_box = QSpinBox()
        self.threshold_box.setRange(MIN_SCORE, 100)
        self.threshold_box.setValue(threshold(store))
        self.threshold_box.setToolTip(
            _(
                "Score qu'une paire doit atteindre pour être proposée. Des types différents "
                "ou une distance de plus de 100 km retirent des points, sauf même SIRET ou RNA."
            )
        )
        self.threshold_box.valueChanged.connect(self._on_threshold_changed)
        threshold_label = QLabel(_("Seuil de ressemblance"))
        threshold_label.setBuddy(self.threshold_box)
        self.rescan_button = QPushButton(_("Relancer la recherche"))
        self.rescan_button.clicked.connect(self.start_scan)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.model = PairsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.doubleClicked.connect(self.compare_selected)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.merge_button = QPushButton(_("Comparer et fusionner…"))
        self.merge_button.clicked.connect(self.compare_selected)
        self.dismiss_button = QPushButton(_("Pas un doublon"))
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.undo_button = QPushButton(_("Annuler la fusion"))
        self.undo_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_button.clicked.connect(self.undo_merge)
        close_button = QPushButton(_("Fermer"))
        close_button.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Rechercher parmi")))
        top.addWidget(self.table_choice)
        top.addSpacing(16)
        top.addWidget(threshold_label)
        top.addWidget(self.threshold_box)
        top.addStretch(1)
        top.addWidget(self.rescan_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(980, 560)
        self._update_buttons()

    @property
    def table(self) -> str:
        return str(self.table_choice.currentData())

    # -- scan -------------------------------------------------------------------

    def start_scan(self, *_args: object) -> None:
        """Look for duplicates in the background; a scan still running is dropped."""
        self._stop_job()
        self.found = []
        self.model.set_pairs([])
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(_("Recherche des doublons…"))
        table, path = self.table, self.store.path

        def scan(report: Report, cancel: threading.Event) -> ScanResult | None:
            store = Store.open(path)  # SQLite connections stay in their thread
            try:
                pairs = find_duplicates(store, table, progress=report, cancelled=cancel.is_set)
            except ScanCancelled:
                return None  # the job, seeing its flag set, reports "cancelled"
            finally:
                store.close()
            return ScanResult(table, pairs)

        self.job = Job(scan)
        self.job.progress.connect(self._on_progress)
        self.job.succeeded.connect(self._on_found)
        self.job.failed.connect(self._on_failed)
        self.job.finished.connect(self._on_finished)
        self.job.start()
        self._update_buttons()

    def _stop_job(self) -> None:
        if self.job is not None and self.job.is_running:
            for signal, slot in (
                (self.job.progress, self._on_progress),
                (self.job.succeeded, self._on_found),
                (self.job.failed, self._on_failed),
                (self.job.finished, self._on_finished),
            ):
                signal.disconnect(slot)
            self.job.cancel()
        self.job = None

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.status.setText(message)

    def _on_found(self, result: ScanResult) -> None:
        self.found = list(result.pairs)
        self._show_pairs()
        self._note = ""

    def _on_threshold_changed(self, value: int) -> None:
        set_threshold(self.store, value)
        if self.job is None or not self.job.is_running:
            self._show_pairs()

    def _show_pairs(self) -> None:
        """The scan's pairs at or above the threshold, best first, and their count."""
        minimum = self.threshold_box.value()
        shown = [p for p in self.found if p.score >= minimum]
        self.model.set_pairs(shown)
        count, hidden = len(shown), len(self.found) - len(shown)
        if count:
            template = ngettext("{n} doublon probable", "{n} doublons probables", count)
            text = template.format(n=format_number(count))
            self.view.selectRow(0)
        else:
            text = _("Aucun doublon probable.")
        if hidden:
            below = ngettext(
                "{n} autre paire sous le seuil", "{n} autres paires sous le seuil", hidden
            )
            text = f"{text} ({below.format(n=format_number(hidden))})"
        self.status.setText(f"{self._note} — {text}" if self._note else text)
        self._update_buttons()

    def _on_failed(self, error: object) -> None:
        self.status.setText(_("La recherche a échoué : {error}").format(error=error))

    def _on_finished(self) -> None:
        self.progress.hide()
        self._update_buttons()
        self.scan_finished.emit()

    # -- actions ----------------------------------------------------------------

    def selected_pair(self) -> DuplicatePair | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.pair_at(rows[0].row()) if rows else None

    def compare_selected(self, *_args: object) -> None:
        """Open the merge dialog on the selected pair (both sides, field by field)."""
        from companion.ui.directory.merge_dialog import MergeDialog

        pair = self.selected_pair()
        if pair is None:
            return
        dialog = MergeDialog(self.store, pair.table, pair.left_id, pair.right_id, self)
        dialog.merged.connect(self._on_merged)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.merge_dialog = dialog
        dialog.open()

    def _on_merged(self, result: MergeResult) -> None:
        self.model.remove_involving({result.dropped_id})
        self.found = [p for p in self.found if result.dropped_id not in (p.left_id, p.right_id)]
        self._merge_labels.append(result.label)
        message = _("Fusion faite. Annuler : {label} (Ctrl+Z)").format(label=result.label)
        self.status.setText(message)
        self._update_buttons()
        self.changed.emit()
        self.status_message.emit(message)

    def dismiss_selected(self, *_args: object) -> None:
        """Remember the selected pair as not a duplicate; it is not proposed again."""
        pair = self.selected_pair()
        if pair is None:
            return
        row = self.model.pairs.index(pair)
        dismiss(self.store, pair.left_id, pair.right_id)
        self.found = [p for p in self.found if p.key != pair.key]
        self.model.set_pairs([p for p in self.model.pairs if p.key != pair.key])
        self.status.setText(
            _("« {left} » et « {right} » ne seront plus proposés.").format(
                left=pair.left_label, right=pair.right_label
            )
        )
        if self.model.pairs:
            self.view.selectRow(min(row, len(self.model.pairs) - 1))
        self._update_buttons()

    def undo_merge(self, *_args: object) -> None:
        """Undo the last merge made here, if it is still the last action."""
        if not self._can_undo():
            return
        step = self.store.journal.undo()
        self._merge_labels.pop()
        self.changed.emit()
        if step is not None:
            message = _("Annulé : {label}").format(label=step.label)
            self.status_message.emit(message)
            self._note = message
        self.start_scan()

    def _can_undo(self) -> bool:
        step = self.store.journal.last()
        return (
            bool(self._merge_labels) and step is not None and step.label == self._merge_labels[-1]
        )

    def _update_buttons(self, *_args: object) -> None:
        has_pair = self.selected_pair() is not None
        self.merge_button.setEnabled(has_pair)
        self.dismiss_button.setEnabled(has_pair)
        self.undo_button.setEnabled(self._can_undo())

    def changeEvent(self, event: QEvent) -> None:
        # The main window's Ctrl+Z may have undone the merge meanwhile.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._update_buttons()
        super().changeEvent(event)

    def done(self, result: int) -> None:
        self._stop_job()
        super().done(result)


def open_duplicates_dialog(parent: QWidget | None, store: Store) -> DuplicatesDialog:
    """Show the duplicates dialog (not modal, so the window stays usable) and start a scan."""
    dialog = DuplicatesDialog(store, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.start_scan()
    return dialog
