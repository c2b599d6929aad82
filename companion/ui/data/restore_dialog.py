"""« Restaurer une sauvegarde… »: the backups (date, reason, size), what the chosen one
holds beside the current database, the automatic backup's settings, and « Restaurer »
after a confirmation naming what will be replaced.

A copy the database's key does not open (made under an older passphrase, say) says so
and offers « Saisir sa phrase de passe… »: with it, its preview shows and it can be
restored (converted to the current database's key, or to plain SQLite)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.errors import CompanionError
from companion.i18n import N_, _, ngettext
from companion.store import backups
from companion.store.backups import Backup, BackupError, BackupKeyRequired, Preview
from companion.ui.common.formatting import format_number

# The automatic backup's choices: hours between two (0: never).
INTERVALS = (
    (1, N_("Toutes les heures")),
    (24, N_("Chaque jour")),
    (168, N_("Chaque semaine")),
    (0, N_("Jamais")),
)
ROWS = (
    ("actors", N_("Acteurs")),
    ("people", N_("Personnes")),
    ("relations", N_("Relations")),
    ("interactions", N_("Échanges")),
    ("toolbox_notes", N_("Notes (boîte à outils)")),
)


# -- words for numbers, sizes and dates ----------------------------------------------------


def counts_text(preview: Preview) -> str:
    """« 59 acteurs, 93 personnes, 77 relations, 30 échanges »."""
    counts = preview.counts
    parts = [
        ngettext("{n} acteur", "{n} acteurs", counts.get("actors", 0)),
        ngettext("{n} personne", "{n} personnes", counts.get("people", 0)),
        ngettext("{n} relation", "{n} relations", counts.get("relations", 0)),
        ngettext("{n} échange", "{n} échanges", counts.get("interactions", 0)),
    ]
    keys = ("actors", "people", "relations", "interactions")
    return ", ".join(
        part.format(n=format_number(counts.get(key, 0)))
        for part, key in zip(parts, keys, strict=True)
    )


def size_text(size: int) -> str:
    locale = QLocale()
    if size < 1024 * 1024:
        return _("{size} ko").format(size=locale.toString(max(1, round(size / 1024))))
    return _("{size} Mo").format(size=locale.toString(size / (1024 * 1024), "f", 1))


def date_text(moment: datetime) -> str:
    """A local date and time, as the language writes it."""
    value = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(value, QLocale.FormatType.ShortFormat)


def change_text(stamp: str | None) -> str:
    """The last change (an ISO stamp in UTC) in local time; « — » if none."""
    if not stamp:
        return "—"
    value = QDateTime.fromString(stamp, Qt.DateFormat.ISODateWithMs)
    if not value.isValid():
        return stamp
    return QLocale().toString(value.toLocalTime(), QLocale.FormatType.ShortFormat)


# -- the dialog -------------------------------------------------------------------------------


class RestoreDialog(QDialog):
    """The list of backups; ``restore_requested`` carries the confirmed one and, for a
    copy under another key, the passphrase that opened it (else None)."""

    restore_requested = Signal(object, object)  # Backup, str | None
    backup_requested = Signal()

    def __init__(self, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = store.path.parent
        self.setWindowTitle(_("Restaurer une sauvegarde"))
        self.resize(820, 460)
        self.current = backups.preview_connection(store.conn)
        self.backups: list[Backup] = []
        self.previews: dict[str, Preview | BackupError] = {}
        self.keys: dict[str, str] = {}  # a copy's own passphrase, once it opened it

        intro = QLabel(
            _(
                "Companion copie la base chaque jour, avant chaque import, fusion ou mise à "
                "jour, et quand vous le demandez. Dossier : {path}"
            ).format(path=backups.backup_folder(self.data_dir))
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTreeWidget()
        self.table.setHeaderLabels([_("Date"), _("Raison"), _("Taille")])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.currentItemChanged.connect(self._on_current_changed)
        self.table.itemDoubleClicked.connect(self._on_double_clicked)
        self.empty = QLabel(_("Aucune sauvegarde pour l'instant."))

        self.preview_box = QGroupBox(_("Contenu"))
        grid = QGridLayout(self.preview_box)
        grid.addWidget(QLabel(""), 0, 0)
        grid.addWidget(_bold(_("Sauvegarde")), 0, 1)
        grid.addWidget(_bold(_("Base actuelle")), 0, 2)
        self.preview_cells: dict[str, QLabel] = {}
        self.current_cells: dict[str, QLabel] = {}
        for line, (key, label) in enumerate((*ROWS, ("last_change", N_("Dernière modification")))):
            grid.addWidget(QLabel(_(label)), line + 1, 0)
            cell = QLabel("—")
            cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.preview_cells[key] = cell
            grid.addWidget(cell, line + 1, 1)
            current = QLabel()
            current.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.current_cells[key] = current
            grid.addWidget(current, line + 1, 2)
        self.preview_error = QLabel()
        self.preview_error.setWordWrap(True)
        self.preview_error.setStyleSheet("color: #b00020;")
        self.preview_error.setVisible(False)
        grid.addWidget(self.preview_error, len(ROWS) + 2, 0, 1, 3)
        self.key_button = QPushButton(_("Saisir sa phrase de passe…"))
        self.key_button.clicked.connect(self.ask_key)
        self.key_button.setVisible(False)
        grid.addWidget(self.key_button, len(ROWS) + 3, 0, 1, 3, Qt.AlignmentFlag.AlignLeft)
        grid.setRowStretch(len(ROWS) + 4, 1)

        middle = QHBoxLayout()
        listing = QVBoxLayout()
        listing.addWidget(self.table, 1)
        listing.addWidget(self.empty)
        middle.addLayout(listing, 3)
        middle.addWidget(self.preview_box, 2)

        self.interval = QComboBox()
        for hours, label in INTERVALS:
            self.interval.addItem(_(label), hours)
        self.keep = QSpinBox()
        self.keep.setRange(1, 100)
        settings = QHBoxLayout()
        settings.addWidget(QLabel(_("Sauvegarde automatique :")))
        settings.addWidget(self.interval)
        settings.addSpacing(16)
        settings.addWidget(QLabel(_("Garder les")))
        settings.addWidget(self.keep)
        settings.addWidget(QLabel(_("dernières de chaque sorte")))
        settings.addStretch(1)
        self.interval.currentIndexChanged.connect(self._save_settings)
        self.keep.valueChanged.connect(self._save_settings)

        buttons = QDialogButtonBox()
        self.backup_button = QPushButton(_("Sauvegarder maintenant"))
        self.backup_button.clicked.connect(self.backup_requested)
        buttons.addButton(self.backup_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button = buttons.addButton(
            _("Restaurer…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.clicked.connect(self.confirm_restore)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addLayout(settings)
        layout.addWidget(buttons)
        self.reload()

    # -- the list and the preview ---------------------------------------------------------

    def reload(self) -> None:
        """Read everything again: the current database, the settings, the backups."""
        self.current = backups.preview_connection(self.store.conn)
        for key, cell in self.current_cells.items():
            cell.setText(self._current_value(key))
        self._load_settings()
        self.refresh()

    def refresh(self, *_made: object) -> None:
        """List the backup folder again (after « Sauvegarder maintenant »)."""
        self.backups = backups.list_backups(self.data_dir)
        self.table.clear()
        for backup in self.backups:
            texts = [date_text(backup.made_at), backup.label, size_text(backup.size)]
            item = QTreeWidgetItem(texts)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, Qt.ItemDataRole.UserRole, str(backup.path))
            self.table.addTopLevelItem(item)
        for column in range(3):
            self.table.resizeColumnToContents(column)
        self.empty.setVisible(not self.backups)
        self.table.setVisible(bool(self.backups))
        if self.backups:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        else:
            self._show_preview(None)

    def selected(self) -> Backup | None:
        row = self.table.indexOfTopLevelItem(self.table.currentItem())
        return self.backups[row] if 0 <= row < len(self.backups) else None

    def select(self, backup: Backup) -> None:
        for row, listed in enumerate(self.backups):
            if listed.path == backup.path:
                self.table.setCurrentItem(self.table.topLevelItem(row))

    def preview(self, backup: Backup) -> Preview | BackupError:
        """The backup's contents (read once, read-only), or why they cannot be read."""
        path = str(backup.path)
        if path not in self.previews:
            try:
                self.previews[path] = backups.preview_database(backup.path, self.keys.get(path))
            except BackupError as error:
                self.previews[path] = error
        return self.previews[path]

    def ask_key(self) -> bool:
        """« Saisir sa phrase de passe… » for the selected copy: its preview once it opens
        it; a wrong one is said, and nothing changes."""
        backup = self.selected()
        if backup is None:
            return False
        title = _("Sauvegarde chiffrée")
        passphrase, accepted = QInputDialog.getText(
            self,
            title,
            _("Phrase de passe de la sauvegarde « {name} » :").format(name=backup.path.name),
            QLineEdit.EchoMode.Password,
        )
        if not accepted or not passphrase:
            return False
        try:
            found = backups.preview_database(backup.path, passphrase)
        except CompanionError as error:  # wrong, or SQLCipher missing
            QMessageBox.warning(self, title, str(error))
            return False
        path = str(backup.path)
        self.keys[path] = passphrase
        self.previews[path] = found
        self._show_preview(backup)
        return True

    def _on_current_changed(self, *_items: object) -> None:
        self._show_preview(self.selected())

    def _on_double_clicked(self, *_items: object) -> None:
        self.confirm_restore()

    def _show_preview(self, backup: Backup | None) -> None:
        found = self.preview(backup) if backup is not None else None
        readable = isinstance(found, Preview)
        for key, cell in self.preview_cells.items():
            if not readable:
                cell.setText("—")
            elif key == "last_change":
                cell.setText(change_text(found.last_change))
            else:
                cell.setText(format_number(found.counts.get(key, 0)))
        locked = isinstance(found, BackupKeyRequired)
        if locked:
            error = _(
                "Cette sauvegarde est chiffrée avec une autre clé que la base actuelle (une "
                "ancienne phrase de passe ?), à moins qu'elle ne soit endommagée : saisissez "
                "sa phrase de passe pour la lire et la restaurer."
            )
        else:
            error = str(found) if isinstance(found, BackupError) else ""
        self.preview_error.setText(error)
        self.preview_error.setVisible(bool(error))
        self.key_button.setVisible(locked)
        self.restore_button.setEnabled(readable)

    def _current_value(self, key: str) -> str:
        if key == "last_change":
            return change_text(self.current.last_change)
        return format_number(self.current.counts.get(key, 0))

    # -- restoring --------------------------------------------------------------------------

    def confirm_restore(self) -> bool:
        """Ask, naming what will be replaced; emit ``restore_requested`` if confirmed."""
        backup = self.selected()
        found = self.preview(backup) if backup is not None else None
        if backup is None or not isinstance(found, Preview):
            return False
        text = _(
            "La base actuelle ({current}, modifiée le {current_change}) sera remplacée par la "
            "sauvegarde du {date} ({reason}) : {backup}.\n\n"
            "Une sauvegarde de l'état actuel est faite d'abord (« avant restauration ») : vous "
            "pourrez y revenir. Ce qui a déjà été synchronisé avec le hub reviendra à la "
            "prochaine synchronisation."
        ).format(
            current=counts_text(self.current),
            current_change=change_text(self.current.last_change),
            date=date_text(backup.made_at),
            reason=backup.label,
            backup=counts_text(found),
        )
        answer = QMessageBox.question(
            self,
            _("Restaurer une sauvegarde"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.restore_requested.emit(backup, self.keys.get(str(backup.path)))
        self.accept()
        return True

    # -- settings ---------------------------------------------------------------------------

    def _load_settings(self) -> None:
        self.interval.blockSignals(True)
        self.keep.blockSignals(True)
        try:
            self._show_settings()
        finally:
            self.interval.blockSignals(False)
            self.keep.blockSignals(False)

    def _show_settings(self) -> None:
        hours = backups.interval_setting(self.store.conn)
        index = self.interval.findData(hours)
        if index < 0:
            self.interval.addItem(
                ngettext("Toutes les {n} heure", "Toutes les {n} heures", hours).format(n=hours),
                hours,
            )
            index = self.interval.count() - 1
        self.interval.setCurrentIndex(index)
        self.keep.setValue(backups.keep_setting(self.store.conn))

    def _save_settings(self, *_args: object) -> None:
        self.store.set_setting(backups.INTERVAL_SETTING, str(self.interval.currentData()))
        self.store.set_setting(backups.KEEP_SETTING, str(self.keep.value()))


def _bold(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label
