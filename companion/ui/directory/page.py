"""The directory ("Annuaire"): one search box over two tabs, actors and people.

Each tab is a lazily paged table (many rows can be selected for bulk actions)
beside the selected record's card. Every change made here is one undo step;
``changed`` tells the window (undo action, counts, map) and ``status_message``
carries what to show in the status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from companion.directory.bulk import all_actor_ids
from companion.i18n import _
from companion.io.import_batches import batch_actor_ids
from companion.store import Store
from companion.ui.common.empty_state import EmptyState
from companion.ui.common.formatting import count_text
from companion.ui.common.record_table import make_record_table, selected_ids, selected_rows
from companion.ui.directory.actor_card import ActorCard
from companion.ui.directory.actor_table_model import ActorTableModel
from companion.ui.directory.bulk_actions import BulkActions
from companion.ui.directory.import_banner import ImportBanner

if TYPE_CHECKING:
    from companion.ui.directory.people_panel import PeoplePanel

SEARCH_DEBOUNCE_MS = 150
ACTORS, PEOPLE = range(2)


class DirectoryPage(QWidget):
    """Find actors and people as you type; the selected one is shown in the card beside."""

    actor_selected = Signal(str)  # the selected actor's id
    changed = Signal()  # records were changed from this page
    new_actor_requested = Signal()  # the main window opens the form (Ctrl+N)
    # An empty directory's first actions (the main window does them).
    import_requested = Signal()
    join_requested = Signal()
    guide_requested = Signal()
    status_message = Signal(str)  # e.g. "3 acteurs supprimés — Ctrl+Z pour annuler"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = ActorTableModel(store, parent=self)

        self.search_box = QLineEdit()
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

        self.table = make_record_table(self.model, {1: 14, 2: 17, 3: 9, 4: 8})
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(self._open_card)
        self.card = ActorCard(store)
        self.card.changed.connect(self._after_card_edit)
        self.actor_bulk = BulkActions(store, self.table, "actors", self.selected_actor_ids, self)
        self.actor_bulk.done.connect(self._after_actor_change)

        # The people tab is built the first time it is needed: start-up pays nothing for it.
        self._people: PeoplePanel | None = None
        self._people_tab = QWidget()
        QVBoxLayout(self._people_tab).setContentsMargins(0, 0, 0, 0)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_actor_tab(), _("Acteurs"))
        self.tabs.addTab(self._people_tab, _("Personnes"))
        self.tabs.currentChanged.connect(self._on_tab_changed)

        # The directory narrowed to one import (« Afficher les fiches importées »).
        self.import_banner = ImportBanner(store, self)
        self.import_banner.closed.connect(lambda: self.show_batch(None))
        self.import_banner.undone.connect(self._after_import_undone)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.import_banner)
        layout.addWidget(self.tabs, 1)

        self.model.modelReset.connect(self._on_actors_reset)
        self._update_empty()
        self._on_tab_changed(ACTORS)

    def _build_actor_tab(self) -> QWidget:
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_actor_action = toolbar.addAction(_("Nouvel acteur"))
        self.new_actor_action.triggered.connect(self.new_actor_requested)
        toolbar.addSeparator()
        self.actor_bulk.add_to_toolbar(toolbar)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.card)
        self.card.hide()  # until a record is chosen: the table has the whole width
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 400])  # the card gets room to breathe from the start
        # No actor yet: what the directory is for, and how to fill it, instead of a blank.
        self.empty = EmptyState(
            _("Votre annuaire est vide"),
            _(
                "L'annuaire rassemble les acteurs de votre écosystème (associations, "
                "entreprises, collectivités, fondations…) et les personnes qui les font "
                "vivre. Ajoutez un premier acteur, importez un tableur ou un carnet "
                "d'adresses, ou rejoignez votre réseau pour recevoir ses fiches."
            ),
            [
                (_("Ajouter un acteur"), self.new_actor_requested.emit),
                (_("Importer un fichier…"), self.import_requested.emit),
                (_("Rejoindre mon réseau…"), self.join_requested.emit),
                (_("Lire le guide « Cartographier son écosystème »"), self.guide_requested.emit),
            ],
        )
        self.actor_stack = QStackedWidget()
        self.actor_stack.addWidget(splitter)
        self.actor_stack.addWidget(self.empty)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(toolbar)
        layout.addWidget(self.actor_stack, 1)
        return tab

    @property
    def people(self) -> PeoplePanel:
        """The "Personnes" tab's panel, built on first use."""
        if self._people is None:
            from companion.ui.directory.people_panel import PeoplePanel

            panel = PeoplePanel(self.store)
            panel.model.set_query(self.search_box.text())
            panel.changed.connect(self._after_people_change)
            panel.model.modelReset.connect(self._update_count)
            self._people_tab.layout().addWidget(panel)
            self._people = panel
        return self._people

    # -- actions ------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def apply_search(self) -> None:
        """Run the search now, on both tabs (the debounce timer calls this once typing pauses)."""
        self._search_timer.stop()
        self.model.set_query(self.search_box.text())
        if self._people is not None:
            self._people.model.set_query(self.search_box.text())

    def show_actors(self) -> None:
        self.tabs.setCurrentIndex(ACTORS)

    def show_batch(self, batch_id: str | None) -> None:
        """Only the actors and people one import wrote (None: the whole directory again)."""
        self.model.set_batch(batch_id)
        self.people.model.set_batch(batch_id)
        if batch_id is None:
            self.import_banner.hide()
            return
        if self.model.rowCount() or not self.people.model.rowCount():
            self.show_actors()
        else:
            self.show_people()
        self._show_banner()

    def _show_banner(self) -> None:
        if self.model.batch is not None:
            shown = self.model.rowCount() + self.people.model.rowCount()
            self.import_banner.show_batch(self.model.batch, shown)

    def _after_import_undone(self, message: str) -> None:
        self.refresh()
        self._show_banner()
        self._announce(message)

    def reveal_actor(self, actor_id: str) -> None:
        """An actor chosen elsewhere (its card opened on the map): selected here if the
        list shows it, its card open, the search left as the user typed it."""
        row = self.model.row_of(actor_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self.card.show_actor(actor_id)

    def show_people(self) -> None:
        self.tabs.setCurrentIndex(PEOPLE)

    def current_table(self) -> QTableView:
        return self.people.table if self.tabs.currentIndex() == PEOPLE else self.table

    def selected_actor_ids(self) -> list[str]:
        return selected_ids(self.table, self.model.actor_id, self._every_listed_actor)

    def _every_listed_actor(self) -> list[str]:
        if self.model.batch is not None:
            return batch_actor_ids(self.store.conn, self.model.batch)
        return all_actor_ids(self.store, self.model.query)

    def refresh(self) -> None:
        """Read the store again (after an edit, an undo, an import or a sync)."""
        selected = self.card.actor_id
        self.model.refresh()
        if selected:
            self.card.show_actor(selected)
        if self._people is not None:
            self._people.refresh()

    # -- internals ----------------------------------------------------------

    def _after_actor_change(self, message: str) -> None:
        self.refresh()
        self._announce(message)

    def _after_card_edit(self, _actor_id: str) -> None:
        """The card changed its actor (or deleted it): the table and the people follow."""
        self.refresh()
        self.changed.emit()

    def _after_people_change(self, message: str) -> None:
        if self.card.actor_id:  # its people may have changed
            self.card.show_actor(self.card.actor_id)
        self._announce(message)

    def _announce(self, message: str) -> None:
        self.changed.emit()
        if message:
            self.status_message.emit(message)

    def _on_tab_changed(self, index: int) -> None:
        if index == PEOPLE:
            placeholder = _("Rechercher une personne : nom, e-mail, notes…")
        else:
            placeholder = _("Rechercher un acteur, une commune, une étiquette…")
        self.search_box.setPlaceholderText(placeholder)
        self._update_count()

    def _on_actors_reset(self) -> None:
        self.card.clear()
        self._update_count()
        self._update_empty()

    def _update_empty(self) -> None:
        """The empty state only for a directory with nothing in it (not an empty search)."""
        # The model lists every live actor when neither a search nor an import narrows it.
        nothing = self.model.rowCount() == 0 and not self.model.query and self.model.batch is None
        self.actor_stack.setCurrentWidget(self.empty if nothing else self.actor_stack.widget(0))

    def _update_count(self) -> None:
        if self.tabs.currentIndex() == PEOPLE:
            from companion.ui.directory.people_panel import people_count_text

            model = self.people.model
            text = people_count_text(model.rowCount(), searching=bool(model.query))
        else:
            text = count_text(self.model.rowCount(), searching=bool(self.model.query))
        self.count_label.setText(text)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected_rows(self.table)
        if len(rows) != 1:
            return
        actor_id = self.model.actor_id(rows[0])
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
        table = self.current_table()
        if table.model().rowCount() == 0:
            return
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not table.selectionModel().hasSelection():
            table.selectRow(0)
