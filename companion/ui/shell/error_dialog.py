"""The dialog of an unexpected error (see ui/shell/error_reporter.py): what happened in
French, the technical details folded away and a « Copier les détails » button."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion import __version__
from companion.i18n import _


def details_text(
    error_type: type[BaseException], error: BaseException, trace: TracebackType | None
) -> str:
    lines = traceback.format_exception(error_type, error, trace)
    return f"Companion {__version__}, Python {sys.version.split()[0]}\n\n" + "".join(lines)


class ErrorDialog(QDialog):
    """What went wrong, in French; the technical details on demand, ready to copy."""

    def __init__(
        self, summary: str, details: str, log_file: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Erreur inattendue"))
        self.setModal(True)
        self.details = details + (f"\n{_('Journal')} : {log_file}\n" if log_file else "")
        heading = QLabel(_("Une erreur inattendue s'est produite."))
        heading.setStyleSheet("font-weight: bold")
        explanation = QLabel(
            _(
                "Ce qui était déjà enregistré n'est pas perdu ; l'action en cours a pu être "
                "interrompue. Vous pouvez continuer à travailler. Si l'erreur revient, copiez "
                "les détails et envoyez-les à l'équipe du réseau."
            )
        )
        explanation.setWordWrap(True)
        self.summary = QLabel(summary)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # outside text, never HTML
        self.summary.setWordWrap(True)
        self.text = QPlainTextEdit(self.details)
        self.text.setReadOnly(True)
        self.text.setVisible(False)
        self.text.setMinimumHeight(180)
        self.toggle = QPushButton(_("Afficher les détails"))
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._show_details)
        self.copy_button = QPushButton(_("Copier les détails"))
        self.copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.toggle, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, explanation, self.summary, self.text):
            layout.addWidget(widget)
        layout.addWidget(buttons)

    @Slot(bool)
    def _show_details(self, shown: bool) -> None:
        self.text.setVisible(shown)
        self.toggle.setText(_("Masquer les détails") if shown else _("Afficher les détails"))
        self.adjustSize()

    @Slot()
    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText(_("Détails copiés"))
