"""« Adresses » (Fichier › Adresses…, and Préférences): the départements whose street
addresses are indexed (count, date), and the ways to add one: a BAN file the user has,
a download from the BAN when the user allowed it, or the network's hub.

The work is Qt-free (``geo/addresses.py``, ``geo/address_files.py``,
``geo/ban_download.py``, ``sync/address_sync.py``) and runs in one background job at a
time under the dialog's progress bar, which « Annuler » stops: a cancelled or failed
import leaves the index as it was.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.errors import CompanionError
from companion.geo.address_files import (
    IndexedDepartement,
    check_departement,
    indexed_departements,
    remove_departement,
)
from companion.geo.ban_download import (
    BASE_URL_SETTING,
    DEFAULT_BASE_URL,
    ONLINE_SETTING,
    download_departement,
)
from companion.i18n import _, ngettext
from companion.ui.common.formatting import format_number
from companion.ui.common.job_panel import JobPanel

if TYPE_CHECKING:
    from companion.store import Store
    from companion.ui.common.jobs import Report


class AddressesDialog(QDialog):
    """The index's départements, and « Importer », « Télécharger », « Supprimer »."""

    changed = Signal()  # the index gained or lost a département

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = Path(store.path).parent
        self.setWindowTitle(_("Adresses"))
        self.setMinimumWidth(620)
        intro = QLabel(
            _(
                "Avec les adresses de vos départements (Base Adresse Nationale), les acteurs "
                "importés ou saisis sont placés à leur porte, hors ligne. Sans elles, ils "
                "restent au centre de leur commune."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("Département"), _("Adresses"), _("Importé le")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel(_("Aucun département importé pour l'instant."))
        self.import_button = QPushButton(_("Importer un fichier BAN…"))
        self.download_button = QPushButton(_("Télécharger le département…"))
        self.remove_button = QPushButton(_("Supprimer"))
        self.import_button.clicked.connect(self.choose_file)
        self.download_button.clicked.connect(self.ask_departement)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        row = QHBoxLayout()
        for button in (self.import_button, self.download_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        self.offline_note = QLabel(
            _(
                "Pour télécharger un département depuis adresse.data.gouv.fr, cochez « Autoriser "
                "le téléchargement des adresses » dans les Préférences."
            )
        )
        self.offline_note.setWordWrap(True)
        self.offline_note.setEnabled(False)  # drawn greyed: a hint, not a warning
        self.jobs = JobPanel()
        self.jobs.succeeded.connect(self._done)
        self.jobs.failed.connect(self._failed)
        self.jobs.cancelled.connect(self._cancelled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        layout.addWidget(self.offline_note)
        layout.addWidget(self.jobs)
        layout.addWidget(buttons)
        self.refresh()

    # -- what is there ----------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self.store.setting(ONLINE_SETTING, "0") == "1"

    def refresh(self) -> None:
        """List the index's départements again; show what the settings allow."""
        self.departements = indexed_departements(self.data_dir)
        self.table.setRowCount(len(self.departements))
        for number, departement in enumerate(self.departements):
            cells = (
                departement.code,
                format_number(departement.addresses),
                _date(departement),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(departement.source)
                self.table.setItem(number, column, item)
        self.table.setVisible(bool(self.departements))
        self.empty.setVisible(not self.departements)
        self.download_button.setVisible(self.online)
        self.offline_note.setVisible(not self.online)
        self._update_buttons()

    def selected(self) -> IndexedDepartement | None:
        rows = self.table.selectionModel().selectedRows()
        return self.departements[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        busy = self.jobs.running
        self.remove_button.setEnabled(self.selected() is not None and not busy)
        self.import_button.setEnabled(not busy)
        self.download_button.setEnabled(not busy)

    # -- adding ---------------------------------------------------------------------

    def choose_file(self) -> None:
        name, _chosen = QFileDialog.getOpenFileName(
            self,
            _("Importer un fichier BAN"),
            str(Path.home()),
            _("Adresses de la BAN (*.csv.gz *.csv)"),
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Index ``path`` in the background."""
        from companion.geo.address_files import check_file
        from companion.geo.addresses import build_index

        data_dir = self.data_dir

        def work(report: Report, cancel: threading.Event) -> tuple[str, int]:
            report(0, 0, _("Vérification de « {name} »…").format(name=path.name))
            check_file(path)
            return build_index(path, data_dir, report, cancel)

        self._start(work, _("Import de « {name} »…").format(name=path.name))

    def ask_departement(self) -> None:
        code, ok = QInputDialog.getText(
            self, _("Télécharger le département"), _("Numéro du département (par exemple 94) :")
        )
        if ok and code.strip():
            try:
                self.download(check_departement(code))
            except CompanionError as error:
                QMessageBox.warning(self, _("Télécharger le département"), str(error))

    def download(self, code: str) -> None:
        """Download and index département ``code`` in the background (resuming its part)."""
        data_dir, online = self.data_dir, self.online
        base_url = self.store.setting(BASE_URL_SETTING, DEFAULT_BASE_URL) or DEFAULT_BASE_URL

        def work(report: Report, cancel: threading.Event) -> tuple[str, int]:
            return download_departement(
                code, data_dir, online=online, base_url=base_url, progress=report, cancel=cancel
            )

        self._start(work, _("Téléchargement du département {code}…").format(code=code))

    def _start(self, work, message: str) -> None:
        self.jobs.start(work, message)
        self._update_buttons()

    def _done(self, result: tuple[str, int]) -> None:
        code, count = result
        self.jobs.show_result(
            ngettext(
                "Département {code} : {n} adresse importée.",
                "Département {code} : {n} adresses importées.",
                count,
            ).format(code=code, n=format_number(count))
        )
        self.refresh()
        self.changed.emit()

    def _failed(self, error: object) -> None:
        text = str(error) if isinstance(error, CompanionError) else repr(error)
        self.jobs.show_result(_("Échec : {message}").format(message=text))
        self.refresh()

    def _cancelled(self) -> None:
        self.jobs.show_result(_("Annulé : les adresses n'ont pas changé."))
        self.refresh()

    # -- removing -------------------------------------------------------------------

    def remove_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        answer = QMessageBox.question(
            self,
            _("Supprimer"),
            _(
                "Retirer les {n} adresses du département {code} ? Les acteurs déjà placés "
                "gardent leur emplacement."
            ).format(n=format_number(chosen.addresses), code=chosen.code),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        remove_departement(self.data_dir, chosen.code)
        self.jobs.show_result(_("Département {code} retiré.").format(code=chosen.code))
        self.refresh()
        self.changed.emit()

    def reject(self) -> None:
        self.jobs.cancel()  # a job left running stops; its part stays, to resume
        super().reject()


def _date(departement: IndexedDepartement) -> str:
    if not departement.imported_at:
        return "—"
    moment = datetime.fromisoformat(departement.imported_at).astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")
