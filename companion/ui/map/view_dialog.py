"""The small dialog that names a saved map view (name and presentation title) or a story."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.store.store import InvalidRecord


class ViewNameDialog(QDialog):
    """Asks a name and a title, then calls ``save(name, title)``; its errors stay in the dialog."""

    def __init__(
        self,
        window_title: str,
        save: Callable[[str, str], object],
        name: str = "",
        title: str = "",
        parent: QWidget | None = None,
        ask_title: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(window_title)
        self._save = save
        self.result_value: object = None
        self.name = QLineEdit(name)
        self.title = QLineEdit(title)
        self.title.setPlaceholderText(_("Affiché en présentation (par défaut : le nom)"))
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b03a2e; font-weight: 600;")
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow(_("Nom"), self.name)
        if ask_title:
            form.addRow(_("Titre"), self.title)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Enregistrer"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def accept(self) -> None:
        try:
            self.result_value = self._save(self.name.text(), self.title.text())
        except InvalidRecord as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            self.name.setFocus()
            return
        super().accept()
