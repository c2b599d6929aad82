"""« Rapport d'activité » (Fichier menu, Ctrl+Shift+R): a period's exchanges, actors
convened and alliances, by métier and département, previewed, then saved as PDF or
.docx, or printed.

The report (``insights.activity``) is computed in a background job on its own
connection each time the period, territory or personal-data choice settles
(debounced), so the dialog never freezes; the page shown is the page printed
(QTextDocument, A4). Names of people stay out unless the box is ticked. Not
modal; closing hides it, and it recomputes when shown again. The gazetteer's
place index is built in the background as the dialog opens.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPageSize, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _, current_language
from companion.insights.activity import ActivityReport
from companion.insights.formatting import day
from companion.insights.places import place_index
from companion.insights.report_job import STEPS, Computed, Request, compute_job, open_gazetteer
from companion.insights.report_period import (
    CUSTOM,
    PRESETS,
    Period,
    opening_period,
    period_name,
    preset_period,
)
from companion.store import Store
from companion.ui.common.file_dialogs import last_folder, remember_folder
from companion.ui.common.jobs import Job, Report
from companion.ui.common.text_print import print_document, write_pdf
from companion.ui.reports.activity_document import ReportBrowser, plain_title
from companion.ui.reports.activity_export import (
    ask_save_path,
    offer_to_open,
    suggested_path,
    write_docx_job,
)
from companion.ui.reports.activity_territory import TerritoryField

if TYPE_CHECKING:
    from companion.ui.common.window import Window

DEBOUNCE_MS = 300  # after the last change of period, territory or personal data


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def period_problem(period: Period) -> str:
    """The French message for a period that ends before it starts, else ""."""
    if period.valid:
        return ""
    return _(
        "La date de début ({start}) est postérieure à la date de fin ({end}) : corrigez la période."
    ).format(start=day(period.start.isoformat()), end=day(period.end.isoformat()))


EXPORT_PURPOSE = "report-export"  # the folder reports go to, remembered


class ActivityReportDialog(QDialog):
    """Choose a period and a territory, see the report, export or print it."""

    status_message = Signal(str)
    report_shown = Signal(object)  # the ActivityReport now in the preview
    exported = Signal(object)  # the Path written

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Rapport d'activité"))
        self.setModal(False)
        self.store = store
        self.documents_folder: Path | None = None  # None: the user's documents folder
        self.job: Job | None = None
        self.places_job: Job | None = None
        self.docx_job: Job | None = None
        self.report: ActivityReport | None = None
        self.html = ""
        self.shown: Request | None = None  # the request the preview answers
        self.pending: Request | None = None  # the request being computed
        self.gazetteer, notice = open_gazetteer()

        self.preset = QComboBox()
        for code, label in PRESETS.items():
            self.preset.addItem(_(label), code)
        self.start_edit, self.end_edit = self._date_edit(), self._date_edit()
        self.territory = TerritoryField()
        self.personal = QCheckBox(_("Inclure les données personnelles (noms des personnes)"))
        self.personal_warning = QLabel(
            _(
                "Le rapport nommera les personnes rencontrées : ne le transmettez qu'à qui "
                "doit les connaître."
            )
        )
        self.personal_warning.setStyleSheet("color: #9a6700;")
        self.personal_warning.setVisible(False)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, STEPS)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = ReportBrowser()

        self.pdf_button = self._button(_("Exporter en PDF…"), self.export_pdf)
        self.docx_button = self._button(_("Exporter en Word (.docx)…"), self.export_docx)
        self.print_button = self._button(_("Imprimer…"), self.print_report)
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        close_button = self._button(_("Fermer"), self.reject)

        self._layout(close_button)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._open_on_data()
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.start_edit.dateChanged.connect(self._on_date)
        self.end_edit.dateChanged.connect(self._on_date)
        self.territory.changed.connect(self.schedule)
        self.personal.toggled.connect(self._on_personal)
        self._warm_places(notice)
        self._update_buttons()

    # -- building ---------------------------------------------------------------

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setDisplayFormat(_("dd/MM/yyyy"))
        edit.setCalendarPopup(True)
        if current_language() == "fr":
            edit.setLocale(QLocale(QLocale.Language.French, QLocale.Country.France))
        return edit

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)  # Enter in the territory field chooses a territory
        button.clicked.connect(slot)
        return button

    def _layout(self, close_button: QPushButton) -> None:
        dates = QHBoxLayout()
        dates.addWidget(self.preset)
        dates.addWidget(QLabel(_("du")))
        dates.addWidget(self.start_edit)
        dates.addWidget(QLabel(_("au")))
        dates.addWidget(self.end_edit)
        dates.addStretch(1)
        form = QFormLayout()
        form.addRow(_("Période"), dates)
        form.addRow(_("Territoire"), self.territory)
        form.addRow("", self.personal)
        form.addRow("", self.personal_warning)
        state = QHBoxLayout()
        state.addWidget(self.status, 1)
        state.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.docx_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(state)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self.resize(860, 820)

    # -- choices ----------------------------------------------------------------

    def period(self) -> Period:
        return Period(_date(self.start_edit.date()), _date(self.end_edit.date()))

    def request(self) -> Request:
        return Request(self.period(), self.territory.territory, self.personal.isChecked())

    def set_period(self, start: date, end: date) -> None:
        """Custom dates (as if typed)."""
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end))

    def _apply_preset(self, preset: str) -> None:
        self.preset.setCurrentIndex(self.preset.findData(preset))
        if preset == CUSTOM:
            return
        period = preset_period(preset, date.today())
        for edit, value in ((self.start_edit, period.start), (self.end_edit, period.end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(value))
            edit.blockSignals(False)
        self.schedule()

    def _open_on_data(self) -> None:
        """The last quarter, or the latest one with something in it (``opening_period``)."""
        preset, period = opening_period(self.store.conn, date.today())
        if preset != CUSTOM:
            self._apply_preset(preset)
            return
        self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
        for edit, value in ((self.start_edit, period.start), (self.end_edit, period.end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(value))
            edit.blockSignals(False)
        self.schedule()

    def _on_preset(self, _index: int) -> None:
        self._apply_preset(str(self.preset.currentData()))

    def _on_date(self, _value: QDate) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
        self.preset.blockSignals(False)
        self.schedule()

    def _on_personal(self, checked: bool) -> None:
        self.personal_warning.setVisible(checked)
        self.schedule()

    # -- the report -------------------------------------------------------------

    def schedule(self) -> None:
        """Recompute once the choices settle; meanwhile nothing can be exported."""
        self._stop_job()
        problem = period_problem(self.period())
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self._update_buttons()
        self._debounce.start()

    def refresh(self) -> None:
        """Compute the report of the current choices in the background (unless shown)."""
        self._debounce.stop()
        request = self.request()
        if not request.period.valid:
            self._stop_job()
            self.preview.show_notice(_("Aucun rapport : la période n'est pas valide."))
            self._set_progress(None)
            self._update_buttons()
            return
        if self.gazetteer is None:
            self._update_buttons()
            return
        if request == self.shown and self.report is not None:
            return
        if self.job is not None and self.job.is_running and self.pending == request:
            return
        self._stop_job()
        self.pending = request
        self.job = Job(compute_job(self.store.path, self.gazetteer, request))
        self.job.progress.connect(self._on_progress)
        self.job.succeeded.connect(self._on_computed)
        self.job.failed.connect(self._on_failed)
        self._set_progress(0, _("Calcul du rapport…"))
        self.job.start()
        self._update_buttons()

    def _stop_job(self) -> None:
        if self.job is not None and self.job.is_running:
            self.job.progress.disconnect(self._on_progress)
            self.job.succeeded.disconnect(self._on_computed)
            self.job.failed.disconnect(self._on_failed)
            self.job.cancel()
            self._set_progress(None)
        self.job = None

    def _on_progress(self, done: int, _total: int, message: str) -> None:
        self._set_progress(done, message)

    def _on_computed(self, computed: Computed) -> None:
        self.job = None
        self._set_progress(None)
        if computed.request != self.request():  # changed meanwhile: its own refresh follows
            return
        self.report, self.html, self.shown = computed.report, computed.html, computed.request
        self.preview.show_report(computed.html)
        self._update_buttons()
        self.report_shown.emit(computed.report)

    def _on_failed(self, error: BaseException) -> None:
        self.job = None
        self._set_progress(None)
        self.status.setText(_("Le rapport n'a pas pu être établi : {error}").format(error=error))
        self._update_buttons()

    def _set_progress(self, done: int | None, message: str = "") -> None:
        self.progress.setVisible(done is not None)
        self.progress.setValue(done or 0)
        self.status.setText(message)

    def exportable(self) -> bool:
        """Whether the preview is the report of the choices shown (and those are valid)."""
        return (
            self.report is not None
            and self.shown == self.request()
            and self.shown.period.valid
            and (self.docx_job is None or not self.docx_job.is_running)
        )

    def _update_buttons(self) -> None:
        ready = self.exportable()
        for button in (self.pdf_button, self.docx_button, self.print_button):
            button.setEnabled(ready)

    # -- places -----------------------------------------------------------------

    def _warm_places(self, notice: str) -> None:
        """Build the place index now, so the territory search and first report are quick."""
        gazetteer = self.gazetteer
        if gazetteer is None:
            self.territory.set_ready(None, notice)
            self.preview.show_notice(notice)
            return

        def warm(_report: Report, _cancel: threading.Event) -> None:
            place_index(gazetteer)

        self.places_job = Job(warm)
        self.places_job.succeeded.connect(self._on_places_ready)
        self.places_job.failed.connect(self._on_places_failed)
        self.places_job.start()

    def _on_places_ready(self, _result: object) -> None:
        self.territory.set_ready(self.gazetteer)

    def _on_places_failed(self, error: BaseException) -> None:
        self.territory.set_ready(None, str(error))

    # -- exports ----------------------------------------------------------------

    @property
    def title(self) -> str:
        return plain_title(self.html) or _("Rapport d'activité")

    def _suggested(self, suffix: str) -> Path:
        folder = self.documents_folder or last_folder(EXPORT_PURPOSE)
        return suggested_path(folder, period_name(self.period(), date.today()), suffix)

    def export_pdf(self) -> Path | None:
        """Ask where, write the report as an A4 PDF, offer to open it."""
        if not self.exportable():
            return None
        heading = _("Exporter en PDF")
        path = ask_save_path(self, heading, self._suggested(".pdf"), _("Documents PDF (*.pdf)"))
        if path is None:
            return None
        if not write_pdf(self.preview.document(), path, self.title):
            QMessageBox.warning(
                self, heading, _("Impossible d'écrire le PDF « {path} ».").format(path=path)
            )
            return None
        self._saved(heading, path)
        return path

    def export_docx(self) -> Job | None:
        """Ask where, write the report as .docx in the background, offer to open it."""
        if not self.exportable() or self.report is None:
            return None
        heading = _("Exporter en Word (.docx)")
        path = ask_save_path(self, heading, self._suggested(".docx"), _("Documents Word (*.docx)"))
        if path is None:
            return None
        self.docx_job = write_docx_job(self.report, path)
        self.docx_job.succeeded.connect(self._on_docx_written)
        self.docx_job.failed.connect(self._on_docx_failed)
        self.status.setText(_("Écriture de « {path} »…").format(path=path))
        self.docx_job.start()
        self._update_buttons()
        return self.docx_job

    def _on_docx_written(self, path: Path) -> None:
        self.docx_job = None
        self._update_buttons()
        self._saved(_("Exporter en Word (.docx)"), path)

    def _on_docx_failed(self, error: BaseException) -> None:
        self.docx_job = None
        self.status.clear()
        self._update_buttons()
        QMessageBox.warning(
            self,
            _("Exporter en Word (.docx)"),
            _("Impossible d'écrire le document : {error}").format(error=error),
        )

    def _saved(self, heading: str, path: Path) -> None:
        message = _("Rapport enregistré : {path}").format(path=path)
        self.status.setText(message)
        self.status_message.emit(message)
        self.exported.emit(path)
        remember_folder(EXPORT_PURPOSE, path)
        offer_to_open(self, heading, path)

    def print_report(self) -> bool:
        """Ask for a printer (A4 by default), then print the report as shown."""
        if not self.exportable():
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(self.title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Imprimer le rapport d'activité"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        print_document(self.preview.document(), printer)
        self.status_message.emit(_("Rapport envoyé à l'impression"))
        return True

    # -- showing and closing -----------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        # Shown (again): the base may have changed meanwhile.
        self.shown = None
        QTimer.singleShot(0, self.refresh)
        super().showEvent(event)

    def done(self, result: int) -> None:
        self._debounce.stop()
        self._stop_job()
        super().done(result)


def open_activity_report(window: Window) -> ActivityReportDialog:
    """Show the report dialog (the same one again if it was opened before)."""
    dialog = window.findChild(ActivityReportDialog)
    if dialog is None:
        dialog = ActivityReportDialog(window.store, window)
        dialog.status_message.connect(window.show_message)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
