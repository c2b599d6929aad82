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
    QListWidget,
    QListWidgetItem,
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
    from companion.sync.address_sync import AddressSyncResult, HubAddresses
    from companion.sync.hubapi import HubApi
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
        self.hub_button = QPushButton(_("Depuis le hub…"))
        self.remove_button = QPushButton(_("Supprimer"))
        self.hub_button.clicked.connect(self.list_hub)
        self.import_button.clicked.connect(self.choose_file)
        self.download_button.clicked.connect(self.ask_departement)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        row = QHBoxLayout()
        for button in (self.import_button, self.download_button, self.hub_button):
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
        self.jobs.succeeded.connect(self._succeeded)
        self._on_success = self._done
        self.hub_choice: HubChoice | None = None
        self._names: dict[str, str] | None = None  # département code -> name
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
                self.departement_text(departement.code),
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
        self.hub_button.setVisible(bool(self.hub_url()))
        self.offline_note.setVisible(not self.online)
        self._update_buttons()

    def departement_text(self, code: str) -> str:
        """« 94 — Val-de-Marne » (the code alone without the gazetteer)."""
        if self._names is None:
            from companion.geo.gazetteer import Gazetteer, GazetteerMissing

            try:
                with Gazetteer.open() as gazetteer:
                    self._names = {code: name for code, name, _r in gazetteer.departements()}
            except GazetteerMissing:
                self._names = {}
        name = self._names.get(code)
        return f"{code} — {name}" if name else code

    def selected(self) -> IndexedDepartement | None:
        rows = self.table.selectionModel().selectedRows()
        return self.departements[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        busy = self.jobs.running
        self.remove_button.setEnabled(self.selected() is not None and not busy)
        self.import_button.setEnabled(not busy)
        self.download_button.setEnabled(not busy)
        self.hub_button.setEnabled(not busy)

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
        self.departement_text("")  # the names, loaded
        codes = sorted(self._names or {})
        choices = [self.departement_text(code) for code in codes]
        title = _("Télécharger le département")
        if choices:
            indexed = {d.code for d in self.departements}
            first = next((n for n, code in enumerate(codes) if code not in indexed), 0)
            text, ok = QInputDialog.getItem(self, title, _("Département :"), choices, first, False)
            code = text.split(" — ")[0]
        else:
            code, ok = QInputDialog.getText(
                self, title, _("Numéro du département (par exemple 94) :")
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

    # -- from the hub ---------------------------------------------------------------

    def hub_url(self) -> str:
        from companion.sync import state

        return state.get(self.store.conn, state.HUB_URL) or ""

    def _hub_api(self, cancel: threading.Event | None) -> HubApi:
        from companion.sync.credentials import load_token
        from companion.sync.hubapi import HubApi

        url = self.hub_url()
        token = load_token(self.data_dir, url) or ""
        if not token:
            raise CompanionError(
                _("Aucun jeton pour le hub « {url} » : reconnectez-vous au hub.").format(url=url)
            )
        return HubApi(url, token, cancel=cancel)

    def list_hub(self) -> None:
        """Ask the hub which départements it offers, then let the user choose."""
        from companion.sync.address_sync import hub_addresses

        try:
            api = self._hub_api(None)
        except CompanionError as error:
            self.jobs.show_result(str(error))
            return

        def work(report: Report, cancel: threading.Event) -> list[HubAddresses]:
            api.cancel = cancel
            try:
                return hub_addresses(api)
            finally:
                api.close()

        self._start(work, _("Départements proposés par le hub…"), self._choose_from_hub)

    def _choose_from_hub(self, offered: list[HubAddresses]) -> None:
        from companion.sync.address_sync import chosen_departements

        if not offered:
            self.jobs.show_result(_("Le hub ne propose aucun fichier d'adresses."))
            return
        self.jobs.show_result("")
        self.hub_choice = HubChoice(offered, chosen_departements(self.store), self)
        self.hub_choice.accepted.connect(self._chosen_from_hub)
        self.hub_choice.open()

    def _chosen_from_hub(self) -> None:
        from companion.sync.address_sync import choose_departements

        codes = self.hub_choice.chosen()
        choose_departements(self.store, codes)  # later syncs keep them up to date
        if codes:
            self.fetch_from_hub(codes)

    def fetch_from_hub(self, codes: list[str]) -> None:
        from companion.sync.address_sync import sync_addresses

        try:
            api = self._hub_api(None)
        except CompanionError as error:
            self.jobs.show_result(str(error))
            return
        data_dir = self.data_dir

        def work(report: Report, cancel: threading.Event) -> AddressSyncResult:
            api.cancel = cancel
            try:
                return sync_addresses(data_dir, api, codes, report)
            finally:
                api.close()

        self._start(work, _("Adresses depuis le hub…"), self._fetched)

    def _fetched(self, result: AddressSyncResult) -> None:
        parts = [
            ngettext(
                "Département {code} : {n} adresse importée.",
                "Département {code} : {n} adresses importées.",
                count,
            ).format(code=code, n=format_number(count))
            for code, count in result.imported
        ]
        if result.unchanged:
            parts.append(
                ngettext(
                    "{n} département déjà à jour.", "{n} départements déjà à jour.",
                    result.unchanged,
                ).format(n=result.unchanged)
            )  # fmt: skip
        self.jobs.show_result(" ".join(parts))
        self.refresh()
        if result.imported:
            self.changed.emit()

    # -- the job --------------------------------------------------------------------

    def _start(self, work, message: str, on_success=None) -> None:
        self._on_success = on_success or self._done
        self.jobs.start(work, message)
        self._update_buttons()

    def _succeeded(self, value: object) -> None:
        self._on_success(value)

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


class HubChoice(QDialog):
    """The départements the hub offers, ticked for those to keep from it."""

    def __init__(self, offered: list[HubAddresses], chosen: list[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Adresses depuis le hub"))
        self.list = QListWidget()
        for entry in offered:
            item = QListWidgetItem(
                _("{code} — {name} ({megabytes} Mo)").format(
                    code=entry.departement, name=entry.name,
                    megabytes=f"{entry.size / 1e6:.1f}".replace(".", ","),
                )
            )  # fmt: skip
            item.setData(Qt.ItemDataRole.UserRole, entry.departement)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = entry.departement in chosen or len(offered) == 1
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        note = QLabel(
            _("Les départements cochés sont téléchargés une fois, puis tenus à jour à chaque "
              "synchronisation.")
        )  # fmt: skip
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Importer"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]


def _date(departement: IndexedDepartement) -> str:
    if not departement.imported_at:
        return "—"
    moment = datetime.fromisoformat(departement.imported_at).astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")
