"""The person form's e-mails or phones: one row per value (its label, the value, « Retirer »),
the first one primary, and « Ajouter un e-mail » / « Ajouter un téléphone » below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from companion.directory.contact_details import EMAIL, LABELS, MOBILE, WORK, Contact, label_name
from companion.directory.validate import format_phone
from companion.i18n import _


class ContactRow(QWidget):
    """One e-mail or phone: a label combo, the value, and a button that removes the row."""

    def __init__(
        self, kind: str, contact: Contact | None, default_label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.label = QComboBox()
        for code in LABELS:
            self.label.addItem(label_name(code), code)
        self.label.addItem(_("Sans libellé"), "")
        code = contact.label if contact else default_label
        if self.label.findData(code) < 0:  # a label of a newer version: kept as it is
            self.label.addItem(code, code)
        self.label.setCurrentIndex(self.label.findData(code))
        self.edit = QLineEdit()
        if contact is not None:
            self.edit.setText(contact.value if kind == EMAIL else format_phone(contact.value))
        self.edit.setPlaceholderText(_("nom@domaine.fr") if kind == EMAIL else _("06 12 34 56 78"))
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setAutoRaise(True)
        self.remove.setToolTip(_("Retirer cet e-mail") if kind == EMAIL else _("Retirer ce numéro"))
        self.remove.setAccessibleName(self.remove.toolTip())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.edit, 1)
        row.addWidget(self.remove)

    def value(self) -> tuple[str, str]:
        return self.label.currentData() or "", self.edit.text()


class ContactRows(QWidget):
    """Every e-mail (or phone) of a person, primary first; always at least one row."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.rows: list[ContactRow] = []
        self._list = QVBoxLayout()
        self._list.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton(
            _("Ajouter un e-mail") if kind == EMAIL else _("Ajouter un téléphone")
        )
        self.add_button.clicked.connect(self._add_clicked)
        add_line = QHBoxLayout()
        add_line.setContentsMargins(0, 0, 0, 0)
        add_line.addWidget(self.add_button)
        add_line.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._list)
        layout.addLayout(add_line)
        self.set_contacts([])

    def set_contacts(self, contacts: list[Contact]) -> None:
        for row in list(self.rows):
            self._drop(row)
        for contact in contacts or [None]:
            self.add_row(contact)

    def add_row(self, contact: Contact | None = None) -> ContactRow:
        # A first value left unlabelled stores nothing beside it (older laptops see all
        # of it); one added is a second address at work, or a mobile number.
        default = "" if not self.rows else (WORK if self.kind == EMAIL else MOBILE)
        row = ContactRow(self.kind, contact, default, self)
        row.remove.clicked.connect(lambda _checked=False, row=row: self.remove_row(row))
        self.rows.append(row)
        self._list.addWidget(row)
        return row

    def remove_row(self, row: ContactRow) -> None:
        """Remove ``row``; the last one is emptied instead (the next becomes primary)."""
        if len(self.rows) == 1:
            row.edit.clear()
            return
        self._drop(row)

    def values(self) -> list[tuple[str, str]]:
        """(label code, text as typed) of each row, primary first."""
        return [row.value() for row in self.rows]

    def _add_clicked(self) -> None:
        row = self.add_row()
        row.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _drop(self, row: ContactRow) -> None:
        self.rows.remove(row)
        self._list.removeWidget(row)
        row.setParent(None)
        row.deleteLater()
