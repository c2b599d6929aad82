"""The first start: what Companion is, and how to begin (demo, empty, or joining a network).

Shown when the data folder holds no database yet. The user picks one of three
beginnings and may pick another data folder; ``COMPANION_FIRST_RUN=demo|empty|join``
answers without asking (scripts, kiosks, the self-check).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _

FIRST_RUN_ENV = "COMPANION_FIRST_RUN"
CHOICES = ("demo", "empty", "join")


@dataclass(frozen=True)
class FirstRun:
    choice: str  # one of CHOICES
    folder: Path


class WelcomeDialog(QDialog):
    """Three ways to begin; the chosen one in ``choice``, the data folder in ``folder``."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Bienvenue dans Companion"))
        self.folder = Path(folder)
        self.choice: str | None = None
        title = QLabel(_("Bienvenue dans Companion"))
        title.setStyleSheet("font-size: 18pt; font-weight: bold")
        intro = QLabel(
            _(
                "Votre annuaire d'acteurs, la carte de votre écosystème et la boîte à outils du "
                "réseau, sur cet ordinateur, même sans connexion. Par où voulez-vous commencer ?"
            )
        )
        intro.setWordWrap(True)
        self.demo_button = self._choice_button(
            "demo",
            _("Explorer le réseau de démonstration"),
            _(
                "350 catalyseurs fictifs et leurs écosystèmes, dans des communes réelles, pour "
                "découvrir l'application. Rien n'est partagé."
            ),
        )
        self.empty_button = self._choice_button(
            "empty",
            _("Commencer avec un annuaire vide"),
            _("Votre propre annuaire, gardé sur cet ordinateur ; vous importerez vos fichiers."),
        )
        self.join_button = self._choice_button(
            "join",
            _("Rejoindre mon réseau"),
            _(
                "L'adresse du hub et le jeton donnés par l'équipe du réseau. Vous pourrez aussi "
                "le faire plus tard, depuis la section Synchronisation."
            ),
        )
        self.folder_label = QLabel()
        self.folder_label.setTextFormat(Qt.TextFormat.PlainText)
        self.folder_label.setWordWrap(True)
        change = QPushButton(_("Changer…"))
        change.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(change)
        quit_button = QPushButton(_("Quitter"))
        quit_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(quit_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        for button in (self.demo_button, self.empty_button, self.join_button):
            layout.addWidget(button)
        layout.addLayout(folder_row)
        layout.addLayout(bottom)
        self.demo_button.setDefault(True)
        self.demo_button.setFocus()
        self._show_folder()

    def _choice_button(self, choice: str, text: str, description: str) -> QCommandLinkButton:
        button = QCommandLinkButton(text, description)
        button.setObjectName(f"welcome-{choice}")
        button.clicked.connect(self._chosen)
        return button

    @Slot()
    def _chosen(self) -> None:
        sender = self.sender()
        self.choice = sender.objectName().removeprefix("welcome-") if sender else None
        self.accept()

    def _show_folder(self) -> None:
        self.folder_label.setText(_("Dossier de données : {folder}").format(folder=self.folder))

    @Slot()
    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, _("Dossier de données de Companion"), str(self.folder)
        )
        if chosen:
            self.folder = Path(chosen)
            self._show_folder()


def ask_first_run(folder: Path, parent: QWidget | None = None) -> FirstRun | None:
    """How to begin in ``folder`` (or another folder the user picks); None to quit."""
    preset = os.environ.get(FIRST_RUN_ENV, "")
    if preset in CHOICES:
        return FirstRun(preset, Path(folder))
    dialog = WelcomeDialog(folder, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice not in CHOICES:
        return None
    return FirstRun(dialog.choice, dialog.folder)
