"""Préférences: language, data folder, online tiles, address downloads, sync interval,
presentation, RGPD review, and the database's encryption (« Sécurité »).

This machine's choices (language, data folder) live in its preferences and apply at
the next start (« Redémarrer maintenant » restarts the app); the data folder's own
choices (tiles, sync, presentation, review) live in its settings and apply at once.
« Sécurité » says whether the database is encrypted and offers Fichier › Chiffrement's
actions themselves (the menu's QActions, triggered).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QProcess, QTimer, Slot
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from companion.directory.personal_data import REVIEW_YEARS_SETTING
from companion.geo.ban_download import ONLINE_SETTING as ADDRESSES_ONLINE
from companion.i18n import _, current_language
from companion.maps.tiles.settings import ONLINE_KEY
from companion.store import encryption
from companion.ui.common.window import Window
from companion.ui.map.presentation import FULL_SCREEN_SETTING, TITLE_SETTING
from companion.ui.shell.preferences import (
    LANGUAGES,
    preferred_language,
    remember_data_folder,
    set_preferred_language,
)
from companion.ui.sync.runner import INTERVALS

if TYPE_CHECKING:
    from companion.ui.map.page import MapPage
    from companion.ui.sync.runner import SyncRunner


class SettingsWindow(Window, Protocol):
    """The main window as its preferences see it: what they apply at once."""

    sync: SyncRunner
    map_page: MapPage | None  # built when the map was first shown


PRESENTATION_FULL_SCREEN = FULL_SCREEN_SETTING
PRESENTATION_TITLE = TITLE_SETTING
DEFAULT_REVIEW_YEARS = 3


class SettingsDialog(QDialog):
    """Every preference in one place; « Enregistrer » applies them."""

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.store = window.store
        self.setWindowTitle(_("Préférences"))
        self.restart_needed = False
        self.folder_changed = False

        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(
            max(0, self.language.findData(preferred_language() or current_language()))
        )
        self.folder = Path(self.store.path).parent
        self.folder_label = QLabel(str(self.folder))
        self.folder_label.setWordWrap(True)
        change = QPushButton(_("Changer…"))
        change.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(change)
        machine = QGroupBox(_("Cet ordinateur (au prochain démarrage)"))
        machine_form = QFormLayout(machine)
        machine_form.addRow(_("Langue :"), self.language)
        machine_form.addRow(_("Dossier de données :"), folder_row)

        self.online_tiles = QCheckBox(_("Autoriser la connexion pour les tuiles en ligne"))
        self.online_tiles.setChecked(self.store.setting(ONLINE_KEY, "0") == "1")
        self.online_addresses = QCheckBox(_("Autoriser le téléchargement des adresses (BAN)"))
        self.online_addresses.setChecked(self.store.setting(ADDRESSES_ONLINE, "0") == "1")
        self.addresses_button = QPushButton(_("Adresses…"))
        self.addresses_button.clicked.connect(self.open_addresses)
        addresses_row = QHBoxLayout()
        addresses_row.addWidget(self.online_addresses, 1)
        addresses_row.addWidget(self.addresses_button)
        self.sync_interval = QComboBox()
        for minutes in INTERVALS:
            label = (
                _("Jamais automatiquement")
                if minutes == 0
                else _("Toutes les {minutes} min").format(minutes=minutes)
            )
            self.sync_interval.addItem(label, minutes)
        self.sync_interval.setCurrentIndex(
            max(0, self.sync_interval.findData(window.sync.interval_minutes()))
        )
        self.full_screen = QCheckBox(_("Présenter en plein écran"))
        self.full_screen.setChecked(self.store.setting(PRESENTATION_FULL_SCREEN, "1") == "1")
        self.presentation_title = QLineEdit(self.store.setting(PRESENTATION_TITLE, "") or "")
        self.presentation_title.setPlaceholderText(_("Titre quand la carte n'en a pas"))
        self.review_years = QSpinBox()
        self.review_years.setRange(1, 10)
        self.review_years.setSuffix(_(" ans"))
        self.review_years.setValue(
            int(self.store.setting(REVIEW_YEARS_SETTING, str(DEFAULT_REVIEW_YEARS)) or 3)
        )
        data = QGroupBox(_("Ce dossier de données"))
        data_form = QFormLayout(data)
        data_form.addRow(_("Carte :"), self.online_tiles)
        data_form.addRow(_("Adresses :"), addresses_row)
        data_form.addRow(_("Synchronisation :"), self.sync_interval)
        data_form.addRow(_("Présentation :"), self.full_screen)
        data_form.addRow(_("Titre de présentation :"), self.presentation_title)
        data_form.addRow(_("Personnes à revoir après :"), self.review_years)
        security = self._security_group()

        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.restart_button = buttons.addButton(
            _("Enregistrer et redémarrer"), QDialogButtonBox.ButtonRole.ApplyRole
        )
        self.restart_button.clicked.connect(self.save_and_restart)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(machine)
        layout.addWidget(data)
        layout.addWidget(security)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.language.currentIndexChanged.connect(self._update_note)
        self._update_note()
        self._shown_values = self._values()

    def _security_group(self) -> QGroupBox:
        """« Sécurité »: the database's encryption in one sentence, and the buttons of
        Fichier › Chiffrement that apply to it (none where SQLCipher is unavailable)."""
        database = Path(self.store.path)
        names: tuple[str, ...] = ()
        if not encryption.available():
            state = encryption.unavailable_reason()
        elif not encryption.is_encrypted(database):
            state = _("La base n'est pas chiffrée.")
            names = ("encrypt",)
        else:
            names = ("change_key", "decrypt")
            if encryption.load_keyring_key(database) is not None:
                state = _(
                    "La base est chiffrée (SQLCipher) ; sa clé est dans le trousseau du système."
                )
            else:
                state = _(
                    "La base est chiffrée (SQLCipher) ; une phrase de passe est demandée à "
                    "l'ouverture."
                )
        self.encryption_state = QLabel(state)
        self.encryption_state.setWordWrap(True)
        self.encryption_buttons: dict[str, QPushButton] = {}
        group = QGroupBox(_("Sécurité"))
        form = QFormLayout(group)
        form.addRow(_("Chiffrement :"), self.encryption_state)
        if names:
            row = QHBoxLayout()
            for name in names:
                action = self.window_.actions_by_name[name]  # the menu's own entry
                button = QPushButton(action.text())
                button.clicked.connect(lambda _checked=False, n=name: self.run_encryption(n))
                row.addWidget(button)
                self.encryption_buttons[name] = button
            row.addStretch(1)
            form.addRow("", row)
        return group

    def _values(self) -> tuple[object, ...]:
        """What the fields say, to tell whether the user changed any."""
        return (
            self.language.currentData(),
            self.folder,
            self.online_tiles.isChecked(),
            self.online_addresses.isChecked(),
            self.sync_interval.currentData(),
            self.full_screen.isChecked(),
            self.presentation_title.text(),
            self.review_years.value(),
        )

    def run_encryption(self, name: str) -> None:
        """Run Fichier › Chiffrement's action ``name`` (its QAction), this dialog closed first.

        The action closes the window and its store, replaces the database file and opens
        the folder again in a new window (``ui/data/reopen.py``): this dialog, a child of the
        old window writing to the old store, must not outlive them, and the action's own
        dialogs must not appear under it. So it closes first. Changes made here are
        neither saved nor lost silently: with none, it closes as « Annuler » does (nothing
        to save); with some, the user chooses, as before closing a changed document —
        « Enregistrer » saves them as the Save button does, « Ne pas enregistrer » drops
        them as « Annuler » does, « Annuler » keeps the dialog open and runs nothing.
        The action starts from the event loop once the dialog is closed, not from inside
        its button's click.
        """
        if self._values() == self._shown_values:
            self.reject()
        else:
            answer = QMessageBox.question(
                self,
                _("Préférences"),
                _("Enregistrer les préférences modifiées avant de continuer ?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Save:
                self.accept()
            elif answer == QMessageBox.StandardButton.Discard:
                self.reject()
            else:
                return
        QTimer.singleShot(0, self.window_.actions_by_name[name].trigger)

    @Slot()
    def open_addresses(self) -> None:
        """Fichier › « Adresses… », over this dialog; it follows the download box as ticked
        here (saved at once: the dialog reads it from the settings)."""
        online = "1" if self.online_addresses.isChecked() else "0"
        self.store.set_setting(ADDRESSES_ONLINE, online)
        self.window_.actions_by_name["addresses"].trigger()

    def _machine_changed(self) -> bool:
        language = self.language.currentData()
        return language != (preferred_language() or current_language()) or (
            self.folder != Path(self.store.path).parent
        )

    @Slot()
    def _update_note(self) -> None:
        changed = self._machine_changed()
        self.note.setText(
            _("La langue et le dossier de données changent au prochain démarrage.")
            if changed
            else ""
        )
        self.restart_button.setEnabled(changed)

    @Slot()
    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, _("Dossier de données de Companion"), str(self.folder)
        )
        if chosen:
            self.folder = Path(chosen)
            self.folder_label.setText(str(self.folder))
            self._update_note()

    def apply(self) -> None:
        self.restart_needed = self._machine_changed()
        self.folder_changed = self.folder != Path(self.store.path).parent
        set_preferred_language(self.language.currentData())
        if self.folder_changed:
            remember_data_folder(self.folder)
        window = self.window_
        online = self.online_tiles.isChecked()
        if window.map_page is not None:  # the map's own switch applies it to its fetchers
            window.map_page.tiles.online.setChecked(online)
        else:
            self.store.set_setting(ONLINE_KEY, "1" if online else "0")
        self.store.set_setting(ADDRESSES_ONLINE, "1" if self.online_addresses.isChecked() else "0")
        if self.sync_interval.currentData() != window.sync.interval_minutes():
            window.sync.set_interval(int(self.sync_interval.currentData()))
        self.store.set_setting(
            PRESENTATION_FULL_SCREEN, "1" if self.full_screen.isChecked() else "0"
        )
        self.store.set_setting(PRESENTATION_TITLE, self.presentation_title.text().strip())
        self.store.set_setting(REVIEW_YEARS_SETTING, str(self.review_years.value()))

    def accept(self) -> None:
        self.apply()
        if self.restart_needed:
            self.window_.show_message(
                _("La langue et le dossier de données changeront au prochain démarrage.")
            )
        super().accept()

    @Slot()
    def save_and_restart(self) -> None:
        self.apply()
        super().accept()
        restart(self.window_, keep_data_option=not self.folder_changed)


def restart(window: QWidget, keep_data_option: bool = True) -> None:
    """Start Companion again (same program, same arguments), then close this one; without
    its ``--data`` option when the preferences chose another data folder."""
    arguments = list(sys.argv[1:])
    if not keep_data_option and "--data" in arguments:
        index = arguments.index("--data")
        del arguments[index : index + 2]
    if not getattr(sys, "frozen", False):  # from source: python -m companion
        arguments = ["-m", "companion", *arguments]
    QProcess.startDetached(sys.executable, arguments)
    window.close()
    QApplication.instance().quit()
