"""The person form: create or edit a person, RGPD fields included.

Values are checked by ``directory/people.py``; a refused value is named in the
form (and its field focused) and nothing is saved. OK saves as one undo step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from companion.directory.contact_details import EMAIL, PHONE, contacts_of
from companion.directory.people import FieldError, save_person
from companion.domain import LEGAL_BASES, VISIBILITIES
from companion.errors import CompanionError
from companion.i18n import _
from companion.store import Person, Store
from companion.ui.directory.contact_rows import ContactRows

NO_DATE = QDate(1900, 1, 1)  # the date edit's "not given" value, shown as special text


class PersonForm(QDialog):
    """Create a person (``person_id`` None) or edit one; ``person`` is set once saved."""

    def __init__(
        self, store: Store, person_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.person_id = person_id
        self.person: Person | None = None
        self.setWindowTitle(_("Modifier la personne") if person_id else _("Nouvelle personne"))
        self.setMinimumWidth(580)  # an e-mail beside its label and its ✕ stays readable

        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.emails = ContactRows(EMAIL)
        self.phones = ContactRows(PHONE)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().height() * 5)
        self.visibility = QComboBox()
        for code, name in VISIBILITIES.items():
            self.visibility.addItem(_(name), code)
        self.legal_basis = QComboBox()
        self.legal_basis.addItem(_("Non renseignée"), None)
        for code, name in LEGAL_BASES.items():
            self.legal_basis.addItem(_(name), code)
        self.collected_on = QDateEdit()
        self.collected_on.setCalendarPopup(True)
        self.collected_on.setDisplayFormat("dd/MM/yyyy")
        self.collected_on.setDateRange(NO_DATE, QDate.currentDate())
        self.collected_on.setSpecialValueText(_("Non renseignée"))
        self.collected_on.setDate(NO_DATE)
        self.collection_source = QLineEdit()
        self.collection_source.setPlaceholderText(
            _("Salon, formulaire d'adhésion, recommandation…")
        )

        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()

        form = QFormLayout()
        form.addRow(_("Prénom"), self.first_name)
        form.addRow(_("Nom"), self.last_name)
        form.addRow(_("E-mails"), self.emails)
        form.addRow(_("Téléphones"), self.phones)
        form.addRow(_("Notes"), self.notes)
        form.addRow(_("Visibilité"), self.visibility)
        form.addRow(_("Base légale"), self.legal_basis)
        form.addRow(_("Date de collecte"), self.collected_on)
        form.addRow(_("Source de la collecte"), self.collection_source)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if person_id:
            self._load(person_id)

    @property
    def email(self) -> QLineEdit:
        """The primary e-mail's field."""
        return self.emails.rows[0].edit

    @property
    def phone(self) -> QLineEdit:
        """The primary phone's field."""
        return self.phones.rows[0].edit

    def _load(self, person_id: str) -> None:
        person = self.store.get_person(person_id)
        if person is None:
            return
        self.first_name.setText(person.first_name)
        self.last_name.setText(person.last_name)
        emails, phones = contacts_of(person.email, person.phone, person.other_contacts)
        self.emails.set_contacts(emails)
        self.phones.set_contacts(phones)
        self.notes.setPlainText(person.notes)
        self.visibility.setCurrentIndex(max(0, self.visibility.findData(person.visibility)))
        self.legal_basis.setCurrentIndex(max(0, self.legal_basis.findData(person.legal_basis)))
        if person.collected_on:
            self.collected_on.setDate(QDate.fromString(person.collected_on[:10], "yyyy-MM-dd"))
        self.collection_source.setText(person.collection_source)

    def values(self) -> dict[str, Any]:
        """What the form holds, as typed (checked when saved)."""
        day = self.collected_on.date()
        return {
            "first_name": self.first_name.text(),
            "last_name": self.last_name.text(),
            "emails": self.emails.values(),
            "phones": self.phones.values(),
            "notes": self.notes.toPlainText(),
            "visibility": self.visibility.currentData(),
            "legal_basis": self.legal_basis.currentData(),
            "collected_on": None if day == NO_DATE else day.toString("yyyy-MM-dd"),
            "collection_source": self.collection_source.text(),
        }

    def accept(self) -> None:
        try:
            self.person = save_person(self.store, self.values(), self.person_id)
        except FieldError as error:
            self.show_error(str(error), error.field)
            return
        except CompanionError as error:  # e.g. the person was deleted meanwhile
            self.show_error(str(error))
            return
        super().accept()

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        widget = self._field_widget(field) if field else None
        if isinstance(widget, QWidget):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _field_widget(self, field: str) -> object:
        """The widget of a field named by ``FieldError`` ("phones:1": the second phone)."""
        kind, _sep, index = field.partition(":")
        rows = {"emails": self.emails.rows, "phones": self.phones.rows}.get(kind)
        if rows is not None and index.isdigit() and int(index) < len(rows):
            return rows[int(index)].edit
        return getattr(self, field, None)
