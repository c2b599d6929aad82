"""The directory's "Personnes" tab: the people table, bulk actions and the person card."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QSplitter, QToolBar, QVBoxLayout, QWidget

from companion.directory.people import all_person_ids
from companion.i18n import _, ngettext
from companion.store import Store
from companion.ui.common.formatting import format_number
from companion.ui.common.record_table import make_record_table, selected_ids, selected_rows
from companion.ui.directory.bulk_actions import BulkActions, undo_hint
from companion.ui.directory.people_table_model import PeopleTableModel
from companion.ui.directory.person_card import PersonCard
from companion.ui.directory.person_form import PersonForm
from companion.ui.directory.review_dialog import ReviewDialog


def people_count_text(count: int, searching: bool) -> str:
    """The count label on the people tab: "12 personnes", "3 résultats", "Aucune personne"."""
    if count == 0:
        return _("Aucun résultat") if searching else _("Aucune personne")
    if searching:
        template = ngettext("{count} résultat", "{count} résultats", count)
    else:
        template = ngettext("{count} personne", "{count} personnes", count)
    return template.format(count=format_number(count))


class PeoplePanel(QWidget):
    """Find people, act on a selection, and read or edit one person's card."""

    changed = Signal(str)  # after an edit, an erasure or a bulk action: the status message
    person_selected = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = PeopleTableModel(store, parent=self)
        widths = {0: 14, 3: 10, 4: 12, 5: 7}  # organisations and e-mail share what is left
        self.table = make_record_table(self.model, widths, stretch=1)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(self._open_card)
        self.card = PersonCard(store)
        self.card.changed.connect(self._after_change)
        self.bulk = BulkActions(store, self.table, "people", self.selected_ids, self)
        self.bulk.done.connect(self._after_change)
        self.form: PersonForm | None = None
        self.review: ReviewDialog | None = None

        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_action = QAction(_("Nouvelle personne…"), self)
        self.new_action.triggered.connect(self.new_person)
        toolbar.addAction(self.new_action)
        toolbar.addSeparator()
        self.bulk.add_to_toolbar(toolbar)
        toolbar.addSeparator()
        self.review_action = QAction(_("À revoir (RGPD)…"), self)
        self.review_action.triggered.connect(self.open_review)
        toolbar.addAction(self.review_action)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.card)
        self.card.hide()  # until a record is chosen: the table has the whole width
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(toolbar)
        layout.addWidget(splitter, 1)

    def selected_ids(self) -> list[str]:
        return selected_ids(
            self.table, self.model.person_id, lambda: all_person_ids(self.store, self.model.query)
        )

    def refresh(self) -> None:
        """Read the store again; the card stays on its person while that person exists."""
        shown = self.card.person_id
        self.model.refresh()
        if shown:
            self.card.show_person(shown)

    def show_person(self, person_id: str) -> None:
        """Select a person's row if it is loaded, and show their card in any case."""
        self.model.person_at(0)  # reads the first page
        row = self.model.row_of(person_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self.card.show_person(person_id)

    def new_person(self) -> PersonForm:
        self.form = PersonForm(self.store, parent=self)
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form.accepted.connect(self._person_created)
        self.form.open()
        return self.form

    def open_review(self) -> ReviewDialog:
        self.review = ReviewDialog(self.store, self)
        self.review.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.review.open_person.connect(self.show_person)
        self.review.changed.connect(self._after_change)
        self.review.open()
        return self.review

    # -- internals ----------------------------------------------------------

    def _person_created(self) -> None:
        form, self.form = self.form, None
        if form is None or form.person is None:
            return
        person = form.person
        self._after_change(undo_hint(_("{name} : fiche ajoutée").format(name=person.full_name)))
        self.show_person(person.id)

    def _after_change(self, message: str) -> None:
        self.refresh()
        self.changed.emit(message)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected_rows(self.table)
        if len(rows) != 1:
            return
        person_id = self.model.person_id(rows[0])
        if person_id:
            self.card.show_person(person_id)
            self.person_selected.emit(person_id)

    def _open_card(self, index: QModelIndex) -> None:
        person_id = self.model.person_id(index.row())
        if person_id:
            if self.card.person_id != person_id:
                self.card.show_person(person_id)
            self.card.setFocus(Qt.FocusReason.OtherFocusReason)
