"""The Fiche tab: a territory's profile as a page, to read, export as PDF or print.

The page on screen is the page printed (``territory_profile_doc``): one A4 sheet
to bring to a first meeting with elected officials. The PDF is written beside
its target and moved over it once complete; the save dialog asks before
replacing a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.insights.territory import TerritoryProfile
from companion.ui.common.file_dialogs import last_folder, remember_folder
from companion.ui.common.saved_file import offer_to_open
from companion.ui.territory.profile_doc import (
    a4_layout,
    add_images,
    paint_one_page,
    pdf_printer,
    profile_html,
    profile_images,
    profile_title,
)

_UNSAFE = str.maketrans({c: " " for c in '<>:"/\\|?*'})


EXPORT_PURPOSE = "territory-export"  # the folder profiles go to, remembered


def suggested_name(profile: TerritoryProfile) -> str:
    """ "Fiche territoire - Rhône.pdf": a file name valid on every system."""
    stem = _("Fiche territoire - {name}").format(name=profile.territory.name)
    stem = " ".join(stem.translate(_UNSAFE).split()).strip(" .")[:120]
    return f"{stem}.pdf"


def write_profile_pdf(profile: TerritoryProfile, path: Path) -> bool:
    """Write the one-page PDF at ``path`` (replacing it only once written); False on failure."""
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(suffix=".pdf", prefix=".fiche-", dir=path.parent)
        os.close(handle)
    except OSError:
        return False
    try:
        printer = pdf_printer(temporary, profile_title(profile))
        scale = paint_one_page(profile_html(profile), printer, profile_images(profile))
        del printer  # the file is complete once the printer is gone
        if scale <= 0 or os.path.getsize(temporary) == 0:
            return False
        os.replace(temporary, path)
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class TerritoryProfileView(QWidget):
    """The profile page, with "Exporter en PDF…" and "Imprimer…"."""

    status_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile: TerritoryProfile | None = None
        self.print_dialog: QPrintDialog | None = None
        self._printer: QPrinter | None = None
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        # Every table is as wide as the page; Qt's rounding made them one pixel wider
        # than the view at some widths, with a horizontal scroll bar for that pixel.
        self.browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.export_button = QPushButton(_("Exporter en PDF…"))
        self.export_button.setToolTip(_("Une page A4 à apporter à une première rencontre"))
        self.print_button = QPushButton(_("Imprimer…"))
        self.export_button.clicked.connect(self.export_pdf)
        self.print_button.clicked.connect(self.print_profile)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.browser, 1)
        self.clear()

    def clear(self, message: str = "") -> None:
        self.profile = None
        self.browser.setPlainText(message)
        self.browser.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.export_button.setEnabled(False)
        self.print_button.setEnabled(False)

    def show_profile(self, profile: TerritoryProfile) -> None:
        self.profile = profile
        add_images(self.browser.document(), profile_images(profile))
        self.browser.setHtml(profile_html(profile))
        self.export_button.setEnabled(True)
        self.print_button.setEnabled(True)

    def text(self) -> str:
        return self.browser.toPlainText()

    # -- PDF and paper --------------------------------------------------------------

    def export_pdf(self) -> Path | None:
        """Ask where (the dialog confirms a replacement), write the one-page PDF, offer to
        open it."""
        profile = self.profile
        if profile is None:
            return None
        title = _("Exporter la fiche en PDF")
        suggested = last_folder(EXPORT_PURPOSE) / suggested_name(profile)
        name, _filter = QFileDialog.getSaveFileName(
            self, title, str(suggested), _("Documents PDF (*.pdf)")
        )
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        if not write_profile_pdf(profile, path):
            QMessageBox.warning(
                self, title, _("Impossible d'écrire le PDF « {path} ».").format(path=path)
            )
            return None
        remember_folder(EXPORT_PURPOSE, path)
        self.status_message.emit(_("PDF enregistré : {path}").format(path=path))
        saved = _("La fiche est enregistrée dans « {path} ».").format(path=path)
        offer_to_open(self, title, path, saved)
        return path

    def print_profile(self) -> QPrintDialog | None:
        """Ask for a printer (window-modal); the page prints once the dialog is accepted."""
        if self.profile is None:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(a4_layout())
        printer.setDocName(profile_title(self.profile))
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Imprimer la fiche"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._print_accepted)
        self.print_dialog = dialog
        self._printer = printer
        dialog.open()
        return dialog

    def _print_accepted(self) -> None:
        self.print_dialog = None
        printer, self._printer = self._printer, None
        if printer is not None:
            self.print_on(printer)

    def print_on(self, printer: QPrinter) -> bool:
        """Print the profile on ``printer`` (one page)."""
        if self.profile is None:
            return False
        profile = self.profile
        if paint_one_page(profile_html(profile), printer, profile_images(profile)) <= 0:
            QMessageBox.warning(self, _("Imprimer la fiche"), _("L'impression a échoué."))
            return False
        self.status_message.emit(_("Envoyé à l'impression"))
        return True
