"""The "Exporter…" dialog of the Carte section: HTML, PNG or PDF, offline.

The export runs as a background job (the page is built from the store off the
UI thread), then, for PNG and PDF, is rendered offscreen on the UI thread; the
dialog shows its progress and can cancel it. Personal data stays out unless
the user ticks the box, and a warning says what that means.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.maps.export_html import Bounds, ExportOptions
from companion.maps.filters import MapFilter
from companion.maps.paper import orientation_names, paper_names
from companion.store import Store
from companion.ui.common.file_dialogs import (
    documents_folder,
    last_folder,
    remember_choice,
    remember_folder,
    remembered_choice,
)
from companion.ui.common.saved_file import offer_to_open
from companion.ui.map.export import DEFAULT_SIZE, MAX_SIDE, MIN_SIDE, MapExport, RenderSettings

SUFFIXES = {"html": ".html", "png": ".png", "pdf": ".pdf"}
SHORTCUT = "Ctrl+E"
# The map's extent as south, west, north, east (what Bounds means everywhere).
_EXTENT_JS = (
    "(function () { var b = companionMap.map().getBounds();"
    " return JSON.stringify([b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]); })()"
)


def export_action(parent: QObject) -> QAction:
    """The Carte section's "Exporter…" action (Ctrl+E); connect its ``triggered``."""
    action = QAction(_("Exporter…"), parent)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setToolTip(
        _("Exporter la carte : page web autonome, image PNG ou PDF ({key})").format(
            key=QKeySequence(SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        )
    )
    return action


def open_export_dialog(
    store: Store,
    spec: MapFilter,
    view: QWebEngineView | None = None,
    title: str = "",
    parent: QWidget | None = None,
) -> None:
    """Open the dialog (window-modal, deleted on close) with the map's current extent.

    ``view`` is the map's web view: its extent is read from the page first (when
    the page cannot say, the export is framed on the filtered actors).
    """

    def show(extent: object = "") -> None:
        # JSON text: PySide 6.12 hands a JavaScript array back as an empty string.
        bounds: Bounds | None = None
        try:
            south, west, north, east = (float(value) for value in json.loads(str(extent)))
            bounds = (south, west, north, east)
        except (TypeError, ValueError):
            bounds = None
        dialog = MapExportDialog(store, spec, bounds=bounds, title=title, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restore_choices()  # the last export's format and folder
        dialog.offer_open = True  # once written: « Ouvrir », « Afficher dans le dossier »
        dialog.open()

    if view is None:
        show()
    else:
        view.page().runJavaScript(_EXTENT_JS, 0, show)


EXPORT_PURPOSE = "map-export"  # the folder remembered (``ui/common/file_dialogs.py``)
FORMAT_KEY = "map-export-format"


def _format_names() -> dict[str, str]:
    return {
        "html": _("Page web autonome (HTML)"),
        "png": _("Image (PNG)"),
        "pdf": _("Document PDF"),
    }


def _file_filters() -> dict[str, str]:
    return {
        "html": _("Pages web (*.html)"),
        "png": _("Images PNG (*.png)"),
        "pdf": _("Documents PDF (*.pdf)"),
    }


def default_folder() -> Path:
    """Where exports go by default: the user's documents (else home)."""
    return documents_folder()


class MapExportDialog(QDialog):
    """Choose a format, a file and a title; export the map with the current filter."""

    exported = Signal(object)  # the Path written

    def __init__(
        self,
        store: Store,
        spec: MapFilter | None = None,
        bounds: Bounds | None = None,
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Exporter la carte"))
        self.store = store
        self.spec = spec or MapFilter()
        self.bounds = bounds
        self.export: MapExport | None = None
        self.result_path: Path | None = None
        self.last_error = ""
        self.offer_open = False  # after a success, offer to open the file or its folder

        self.format = QComboBox()
        for code, name in _format_names().items():
            self.format.addItem(name, code)
        self.path = QLineEdit()
        self.path.setText(str(default_folder() / self._default_name("html")))
        self.browse_button = QPushButton(_("Parcourir…"))
        self.browse_button.setAutoDefault(False)  # Enter exports; it never opens a chooser
        self.browse_button.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.setContentsMargins(0, 0, 0, 0)
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse_button)

        self.title = QLineEdit(" ".join(title.split()) or _("Carte des acteurs"))
        self.width_box = QSpinBox()
        self.height_box = QSpinBox()
        for box, value in ((self.width_box, DEFAULT_SIZE[0]), (self.height_box, DEFAULT_SIZE[1])):
            box.setRange(MIN_SIDE, MAX_SIDE)
            box.setSingleStep(100)
            box.setValue(value)
            box.setSuffix(" px")
        size_row = QHBoxLayout()
        size_row.setContentsMargins(0, 0, 0, 0)
        size_row.addWidget(self.width_box)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_box)
        size_row.addStretch(1)
        self.size_widget = QWidget()
        self.size_widget.setLayout(size_row)
        self.paper = QComboBox()
        for code, name in paper_names().items():
            self.paper.addItem(name, code)
        self.orientation = QComboBox()
        for code, name in orientation_names().items():
            self.orientation.addItem(name, code)
        paper_row = QHBoxLayout()
        paper_row.setContentsMargins(0, 0, 0, 0)
        paper_row.addWidget(self.paper)
        paper_row.addWidget(self.orientation)
        paper_row.addStretch(1)
        self.paper_widget = QWidget()
        self.paper_widget.setLayout(paper_row)
        self.paper_hint = QLabel(
            _(
                "Sur papier et en image, chaque acteur est numéroté, avec l'index des numéros, "
                "les légendes et l'échelle. Un long index continue sur d'autres pages (PDF) "
                "ou sous la carte (l'image s'allonge)."
            )
        )
        self.paper_hint.setWordWrap(True)
        self.paper_hint.setStyleSheet("color: palette(placeholder-text);")

        self.keep_extent = QCheckBox(_("Garder l'emprise affichée"))
        self.keep_extent.setToolTip(
            _("Sinon, la carte est cadrée sur les acteurs filtrés (ou sur la France entière).")
        )
        self.keep_extent.setChecked(bounds is not None)
        self.keep_extent.setVisible(bounds is not None)

        self.contacts = QCheckBox(_("Inclure les coordonnées des personnes"))
        self.contacts.setChecked(False)
        self.contacts_warning = QLabel(
            _(
                "Attention : le fichier contiendra des données personnelles (noms, e-mails, "
                "téléphones). Ne le partagez qu'avec des personnes qui ont le droit de les voir."
            )
        )
        self.contacts_warning.setWordWrap(True)
        self.contacts_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.contacts_warning.setStyleSheet("color: #a04000;")
        self.contacts_warning.setVisible(False)

        form = QFormLayout()
        form.addRow(_("Format :"), self.format)
        form.addRow(_("Fichier :"), file_row)
        form.addRow(_("Titre :"), self.title)
        form.addRow(_("Taille :"), self.size_widget)
        form.addRow(_("Papier :"), self.paper_widget)
        self.form = form

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            _("Exporter"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.paper_hint)
        layout.addWidget(self.keep_extent)
        layout.addWidget(self.contacts)
        layout.addWidget(self.contacts_warning)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.format.currentIndexChanged.connect(self._format_changed)
        self.contacts.toggled.connect(self._update)
        self._update()
        self.resize(520, self.sizeHint().height())

    # -- choices ------------------------------------------------------------------

    def current_format(self) -> str:
        return str(self.format.currentData())

    def set_format(self, code: str) -> None:
        self.format.setCurrentIndex(self.format.findData(code))

    def restore_choices(self) -> None:
        """The format and the folder of the last export made from this machine."""
        remembered = remembered_choice(FORMAT_KEY)
        if remembered in SUFFIXES:
            self.set_format(remembered)
        fmt = self.current_format()
        self.path.setText(str(last_folder(EXPORT_PURPOSE) / self._default_name(fmt)))

    def _remember_choices(self, path: Path) -> None:
        remember_folder(EXPORT_PURPOSE, path)
        remember_choice(FORMAT_KEY, self.current_format())

    def _default_name(self, fmt: str) -> str:
        return _("carte-des-acteurs-{date}").format(date=date.today().isoformat()) + SUFFIXES[fmt]

    def _format_changed(self) -> None:
        fmt = self.current_format()
        text = self.path.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in (*SUFFIXES.values(), ".htm"):
                self.path.setText(str(path.with_suffix(SUFFIXES[fmt])))
        self._update()

    def _update(self) -> None:
        fmt = self.current_format()
        self.form.setRowVisible(self.size_widget, fmt == "png")
        self.form.setRowVisible(self.paper_widget, fmt == "pdf")
        self.paper_hint.setVisible(fmt != "html")
        # Contacts only show in the cards of the interactive page.
        self.contacts.setEnabled(fmt == "html")
        self.contacts_warning.setVisible(fmt == "html" and self.contacts.isChecked())

    def _browse(self) -> None:
        fmt = self.current_format()
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Exporter la carte"), self.path.text(), _file_filters()[fmt]
        )
        if chosen:
            self.path.setText(chosen)
            self.export_button.setFocus()  # then Enter exports

    def output_path(self) -> Path | None:
        """The file to write, with the format's extension; None when no name is given."""
        text = self.path.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        suffix = SUFFIXES[self.current_format()]
        if path.suffix.lower() != suffix and not (suffix == ".html" and path.suffix == ".htm"):
            path = path.with_name(path.name + suffix)
        return path

    def options(self) -> ExportOptions:
        fmt = self.current_format()
        return ExportOptions(
            title=self.title.text(),
            filter=self.spec,
            bounds=self.bounds if self.keep_extent.isChecked() else None,
            include_contacts=fmt == "html" and self.contacts.isChecked(),
        )

    def render_settings(self) -> RenderSettings:
        return RenderSettings(
            format=self.current_format() if self.current_format() != "html" else "png",
            width=self.width_box.value(),
            height=self.height_box.value(),
            paper=str(self.paper.currentData()),
            orientation=str(self.orientation.currentData()),
        )

    # -- running --------------------------------------------------------------------

    def start_export(self) -> None:
        """Start the export in the background (the dialog stays open and shows progress)."""
        if self.export is not None:
            return
        out = self.output_path()
        if out is None:
            self._show_error(_("Indiquez un nom de fichier."))
            return
        self.path.setText(str(out))
        self.last_error = ""
        fmt = self.current_format()
        export = MapExport(self.store.path, out, fmt, self.options(), self.render_settings(), self)
        export.progress.connect(self._progress)
        export.succeeded.connect(self._succeeded)
        export.failed.connect(self._failed)
        export.cancelled.connect(self._cancelled)
        export.finished.connect(self._finished)
        self.export = export
        self._set_running(True)
        self.status.setText(_("Export en cours…"))
        export.start()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if message:
            self.status.setText(message)

    def _succeeded(self, path: object) -> None:
        self.result_path = Path(str(path))
        self.status.setText(_("Carte exportée : {path}").format(path=self.result_path))
        self._remember_choices(self.result_path)
        self.exported.emit(self.result_path)

    def _failed(self, error: object) -> None:
        self._show_error(str(error))

    def _cancelled(self) -> None:
        self._show_error(_("Export annulé."))

    def _show_error(self, message: str) -> None:
        self.last_error = message
        self.status.setText(message)

    def _finished(self) -> None:
        # Slots here are methods, not lambdas: PySide 6.12 crashes deleting a sender
        # that has a lambda connected (seen with deleteLater on the export).
        export, self.export = self.export, None
        self._set_running(False)
        if export is not None:
            export.deleteLater()
            if export.outcome == "succeeded":
                self.accept()
                if self.offer_open and self.result_path is not None:
                    offer_to_open(self.parentWidget(), _("Exporter la carte"), self.result_path)

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.format,
            self.path,
            self.title,
            self.keep_extent,
            self.size_widget,
            self.paper_widget,
            self.export_button,
        ):
            widget.setEnabled(not running)
        self.contacts.setEnabled(not running and self.current_format() == "html")
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)

    def reject(self) -> None:
        """Cancel: stops a running export first (the dialog then stays open to say so)."""
        if self.export is not None:
            self.export.cancel()
            return
        super().reject()
