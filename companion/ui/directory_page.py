"""The directory ("Annuaire"): search box, actor table and the selected actor's card."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.store import Store
from companion.ui.actor_card import ActorCard
from companion.ui.actor_table_model import ActorTableModel
from companion.ui.formatting import count_text

SEARCH_DEBOUNCE_MS = 150


class DirectoryPage(QWidget):
    """Find actors as you type; the selected one is shown in the card beside the table."""

    actor_selected = Signal(str)  # the selected actor's id

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = ActorTableModel(store, parent=self)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(_("Rechercher un acteur, une commune, une étiquette…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.installEventFilter(self)
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)

        # Typing restarts the timer: the search runs once the user pauses.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self.apply_search)

        self.table = self._build_table()
        self.card = ActorCard(store)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 400])  # the card gets room to breathe from the start
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.model.modelReset.connect(self._update_count)
        self._update_count()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        # Fixed row heights and no "resize to contents": the view never reads
        # every row to size itself, so only the visible pages are fetched.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        width = table.fontMetrics().horizontalAdvance("M")
        for column, letters in ((1, 14), (2, 14), (3, 9), (4, 8)):
            header.resizeSection(column, width * letters)
        header.setSortIndicatorClearable(True)  # a third click goes back to the default order
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.activated.connect(self._open_card)
        return table

    # -- actions ------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def apply_search(self) -> None:
        """Run the search now (the debounce timer calls this once typing pauses)."""
        self._search_timer.stop()
        self.model.set_query(self.search_box.text())

    def refresh(self) -> None:
        """Read the store again (after an edit, an import or a sync)."""
        selected = self.card.actor_id
        self.model.refresh()
        if selected:
            self.card.show_actor(selected)

    # -- internals ----------------------------------------------------------

    def _update_count(self) -> None:
        self.count_label.setText(
            count_text(self.model.rowCount(), searching=bool(self.model.query))
        )
        self.card.clear()

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {index.row() for index in selected.indexes()}
        if len(rows) != 1:
            return
        actor_id = self.model.actor_id(rows.pop())
        if actor_id:
            self.card.show_actor(actor_id)
            self.actor_selected.emit(actor_id)

    def _open_card(self, index: QModelIndex) -> None:
        actor_id = self.model.actor_id(index.row())
        if actor_id:
            if self.card.actor_id != actor_id:
                self.card.show_actor(actor_id)
            self.card.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self._move_into_table()
            return True
        return super().eventFilter(watched, event)

    def _move_into_table(self) -> None:
        self.apply_search()  # the user may press Down before the debounce fires
        if self.model.rowCount() == 0:
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
