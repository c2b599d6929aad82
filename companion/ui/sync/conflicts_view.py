"""The Conflicts view: local values a later edit from elsewhere replaced, and refusals.

Nothing a sync overwrites is lost: each row shows the record, the field, the
value that lost (this laptop's, or another laptop's this one overwrote unseen) and
the one kept. "Restaurer la valeur écartée" writes it
back as a new edit (one undo step, sent at the next sync); "Ignorer" keeps the
winner. Below, the changes the hub refused, and why.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.errors import CompanionError
from companion.i18n import _, ngettext
from companion.store import Store
from companion.sync.conflicts import (
    Conflict,
    conflicts,
    dismiss_conflict,
    rejected,
    restore_conflict,
)
from companion.sync.labels import field_label, record_name, rejection_reason, value_text
from companion.ui.common.form_parts import plain
from companion.ui.common.labels import plain_label
from companion.ui.sync.status import parse_time

MAX_REJECTED = 200


def when_text(iso: str) -> str:
    moment = parse_time(iso)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M") if moment else iso


def conflict_cells(store: Store, conflict: Conflict) -> list[str]:
    """Record, field, your value (lost), the value kept, when."""
    conn = store.conn
    return [
        record_name(conn, conflict.table, conflict.record_id),
        field_label(conflict.field),
        value_text(conn, conflict.table, conflict.field, conflict.local_value),
        value_text(conn, conflict.table, conflict.field, conflict.remote_value),
        when_text(conflict.detected_at),
    ]


class ConflictsView(QWidget):
    """The unresolved conflicts of a store, and the changes its hub refused."""

    changed = Signal()  # a value was restored: the directory and the map follow
    status_message = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.shown: list[Conflict] = []
        self.heading = plain_label(bold=True, point_delta=2)
        explanation = plain(
            _("La modification la plus récente l'emporte ; la valeur écartée est gardée ici.")
        )
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [_("Fiche"), _("Champ"), _("Valeur écartée"), _("Valeur gardée"), _("Quand")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.restore_button = QPushButton(_("Restaurer la valeur écartée"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.dismiss_button = QPushButton(_("Ignorer"))
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.buttons = QWidget()  # with the table: shown while there is a conflict
        buttons = QHBoxLayout(self.buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.restore_button)
        self.rejected_heading = plain_label(_("Modifications refusées"), bold=True, point_delta=2)
        self.rejected_list = QListWidget()
        self.rejected_list.setMaximumHeight(140)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(explanation)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        layout.addWidget(self.rejected_heading)
        layout.addWidget(self.rejected_list)
        layout.addStretch(0)  # takes the room while there is no table
        self.refresh()

    def refresh(self) -> None:
        self.shown = conflicts(self.store)
        count = len(self.shown)
        self.heading.setText(
            _("Conflits à revoir : {n}").format(n=count) if count else _("Conflits : aucun")
        )
        self.table.setRowCount(count)
        for row, conflict in enumerate(self.shown):
            for column, text in enumerate(conflict_cells(self.store, conflict)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.setVisible(bool(count))  # no empty grid under « Conflits : aucun »
        self.buttons.setVisible(bool(count))
        self._fill_rejected()
        self._update_buttons()

    def _fill_rejected(self) -> None:
        self.rejected_list.clear()
        refused = rejected(self.store)[:MAX_REJECTED]
        conn = self.store.conn
        for change in refused:
            if change.received:
                sentence = _("Refusé à la réception : {record}, {field} ({reason}), le {date}")
            else:
                sentence = _("Refusé par le hub : {record}, {field} ({reason}), le {date}")
            text = sentence.format(
                record=record_name(conn, change.table, change.record_id),
                field=field_label(change.field),
                reason=rejection_reason(change.reason),
                date=when_text(change.at),
            )
            if change.value is not None:
                refused_value = value_text(conn, change.table, change.field, change.value)
                text += " — " + _("valeur refusée : « {value} »").format(value=refused_value)
            item = QListWidgetItem(text)
            item.setToolTip(text)
            self.rejected_list.addItem(item)
        self.rejected_heading.setVisible(bool(refused))
        self.rejected_list.setVisible(bool(refused))

    def selected(self) -> list[Conflict]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.shown[row] for row in rows if row < len(self.shown)]

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self) -> None:
        chosen = bool(self.selected())
        self.restore_button.setEnabled(chosen)
        self.dismiss_button.setEnabled(chosen)

    def restore_selected(self) -> None:
        self._resolve(restore_conflict, restored=True)

    def dismiss_selected(self) -> None:
        self._resolve(dismiss_conflict, restored=False)

    def _resolve(self, action: object, restored: bool) -> None:
        chosen = self.selected()
        try:
            for conflict in chosen:
                action(self.store, conflict.id)  # type: ignore[operator]
        except CompanionError as error:
            self.status_message.emit(str(error))
        self.refresh()
        if restored and chosen:
            count = len(chosen)
            self.status_message.emit(
                ngettext(
                    "{n} valeur rétablie : elle partira à la prochaine synchronisation",
                    "{n} valeurs rétablies : elles partiront à la prochaine synchronisation",
                    count,
                ).format(n=count)
            )
            self.changed.emit()
