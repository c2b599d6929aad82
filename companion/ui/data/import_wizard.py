"""The import wizard (Ctrl+I): file → format → mapping → check → import → report.

Nothing is written before the last page, and then in one transaction after a backup
of the database. The check and the import run in background jobs on their own
connections, so the window never freezes; cancelling either writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from companion.app.importing import ImportOutcome
from companion.i18n import _
from companion.store import Store
from companion.ui.data.import_mapping_page import MappingPage
from companion.ui.data.import_run_pages import CheckPage, ImportPage
from companion.ui.data.import_source_pages import FilePage, FormatPage
from companion.ui.data.import_state import CHECK, FILE, FORMAT, IMPORT, MAPPING, ImportState


class ImportWizard(QWizard):
    """Import actors or people from a file into the store's database."""

    imported = Signal(object)  # the ImportOutcome, once the import is written
    show_requested = Signal(list)  # « Les voir sur la carte »: the imported actors' ids
    batch_requested = Signal(str)  # « Afficher les fiches importées »: the import's batch

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ImportState(store)
        self.setWindowTitle(_("Importer"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        # The import page has its own Cancel button while it writes; closing also cancels.
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< Précédent")),
            (QWizard.WizardButton.NextButton, _("Suivant >")),
            (QWizard.WizardButton.CancelButton, _("Annuler")),
            (QWizard.WizardButton.FinishButton, _("Terminer")),
        ):
            self.setButtonText(button, text)
        self.resize(860, 640)
        self.file_page = FilePage(self.state)
        self.format_page = FormatPage(self.state)
        self.mapping_page = MappingPage(self.state)
        self.check_page = CheckPage(self.state)
        self.import_page = ImportPage(self.state, self._on_imported)
        self.setPage(FILE, self.file_page)
        self.setPage(FORMAT, self.format_page)
        self.setPage(MAPPING, self.mapping_page)
        self.setPage(CHECK, self.check_page)
        self.setPage(IMPORT, self.import_page)
        self.setStartId(FILE)
        self.import_page.show_requested.connect(self._on_show_requested)
        self.import_page.batch_requested.connect(self._on_batch_requested)

    def _on_show_requested(self, actor_ids: list[str]) -> None:
        self.show_requested.emit(actor_ids)
        self.accept()

    def _on_batch_requested(self, batch_id: str) -> None:
        self.batch_requested.emit(batch_id)
        self.accept()

    def _on_imported(self, outcome: ImportOutcome) -> None:
        self.imported.emit(outcome)

    @property
    def busy(self) -> bool:
        return self.check_page.checking or self.import_page.importing

    def reject(self) -> None:
        """Closing the wizard cancels what runs: an import under way is rolled back."""
        self.check_page.panel.cancel()
        self.import_page.panel.cancel()
        super().reject()


def open_import_wizard(
    parent: QWidget | None,
    store: Store,
    on_done: Callable[[ImportOutcome], None] | None = None,
    on_show: Callable[[list[str]], None] | None = None,
    on_show_batch: Callable[[str], None] | None = None,
) -> ImportWizard:
    """Show the wizard (window-modal, not blocking); ``on_done(outcome)`` after an import,
    ``on_show(actor_ids)`` when asked to show the imported actors on the map,
    ``on_show_batch(batch_id)`` to list them in the directory."""
    wizard = ImportWizard(store, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_done is not None:
        wizard.imported.connect(on_done)
    if on_show is not None:
        wizard.show_requested.connect(on_show)
    if on_show_batch is not None:
        wizard.batch_requested.connect(on_show_batch)
    wizard.open()
    return wizard
