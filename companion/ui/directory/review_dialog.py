"""The "À revoir (RGPD)" list: people nobody has met for years, to open, export or erase.

Keeping contacts no longer needed goes against the RGPD's storage limitation:
this list is where the user decides, person by person.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.directory.personal_data import people_to_review, review_years, set_review_years
from companion.i18n import _, ngettext
from companion.store import Store
from companion.ui.directory.person_actions import confirm_and_erase, export_person_data

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ReviewDialog(QDialog):
    """People with no exchange for N years (a setting), oldest first."""

    open_person = Signal(str)  # show this person's card in the directory
    changed = Signal(str)  # a person was erased: the status message

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("À revoir (RGPD)"))
        self.resize(640, 420)

        self.years = QSpinBox()
        self.years.setRange(1, 30)
        self.years.setValue(review_years(store))
        self.years.setSuffix(_(" ans"))
        self.years.valueChanged.connect(self._years_changed)
        explanation = QLabel(_("Personnes sans échange depuis plus de"))
        delay = QHBoxLayout()
        delay.addWidget(explanation)
        delay.addWidget(self.years)
        delay.addStretch(1)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [_("Nom"), _("Dernier échange"), _("Date de collecte")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemActivated.connect(self.open_selected)
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)

        self.open_button = QPushButton(_("Ouvrir la fiche"))
        self.open_button.clicked.connect(self.open_selected)
        self.export_button = QPushButton(_("Exporter ses données…"))
        self.export_button.clicked.connect(self.export_selected)
        self.erase_button = QPushButton(_("Effacer…"))
        self.erase_button.clicked.connect(self.erase_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Fermer"))
        buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.open_button, self.export_button, self.erase_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(delay)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(actions)
        self.reload()

    def reload(self) -> None:
        items = people_to_review(self.store, self.years.value())
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (item.name, item.last_interaction or _("jamais"), item.collected_on)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ID_ROLE, item.person_id)
                self.table.setItem(row, column, cell)
        self.count_label.setText(
            ngettext("{n} personne à revoir", "{n} personnes à revoir", len(items)).format(
                n=len(items)
            )
            if items
            else _("Aucune personne à revoir.")
        )
        self._update_buttons()

    def selected_person(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(ID_ROLE) if items else None

    def open_selected(self) -> None:
        person_id = self.selected_person()
        if person_id:
            self.open_person.emit(person_id)

    def export_selected(self) -> None:
        person_id = self.selected_person()
        if person_id:
            export_person_data(self, self.store, person_id)

    def erase_selected(self) -> None:
        person_id = self.selected_person()
        person = self.store.get_person(person_id) if person_id else None
        if person is None or confirm_and_erase(self, self.store, person.id) is None:
            return
        self.reload()
        self.changed.emit(_("{name} : fiche effacée définitivement").format(name=person.full_name))

    def _years_changed(self, years: int) -> None:
        set_review_years(self.store, years)
        self.reload()

    def _update_buttons(self) -> None:
        selected = self.selected_person() is not None
        for button in (self.open_button, self.export_button, self.erase_button):
            button.setEnabled(selected)
