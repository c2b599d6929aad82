"""PDF files shown in the app (QtPdf): an exported toolbox item, a PDF attached to an item.

Imported only when a PDF is first shown: start-up never loads QtPdf.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QImage, QKeySequence
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QLabel, QSpinBox, QToolBar, QVBoxLayout, QWidget

from companion.i18n import _
from companion.ui.common.icons import icon

ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 6.0)


class PdfViewer(QDialog):
    """A window over one PDF: pages one under the other, page navigation and zoom."""

    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.resize(900, 1000)
        self.path: Path | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.page_box = QSpinBox()
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_count_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        toolbar = QToolBar()
        self.previous_action = self._action(
            toolbar, _("Page précédente"), "fa5s.chevron-left", self.previous_page, "PgUp"
        )
        self.next_action = self._action(
            toolbar, _("Page suivante"), "fa5s.chevron-right", self.next_page, "PgDown"
        )
        toolbar.addWidget(self.page_box)
        toolbar.addWidget(self.page_count_label)
        toolbar.addSeparator()
        self._action(toolbar, _("Zoom arrière"), "fa5s.search-minus", self.zoom_out, "Ctrl+-")
        self._action(toolbar, _("Zoom avant"), "fa5s.search-plus", self.zoom_in, "Ctrl++")
        self._action(toolbar, _("Ajuster à la largeur"), "fa5s.arrows-alt-h", self.fit_width)
        toolbar.addSeparator()
        self._action(
            toolbar,
            _("Ouvrir avec une autre application"),
            "fa5s.external-link-alt",
            self.open_outside,
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(toolbar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)

        self.page_box.valueChanged.connect(self._page_typed)
        self.view.pageNavigator().currentPageChanged.connect(self._show_page)
        if path is not None:
            self.load(path)

    def _action(
        self, toolbar: QToolBar, text: str, icon_name: str, slot, shortcut: str | None = None
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text} ({action.shortcut().toString()})")
        action.triggered.connect(slot)
        toolbar.addAction(action)
        return action

    # -- document -----------------------------------------------------------

    def load(self, path: Path | str) -> bool:
        """Show the PDF at ``path``; False (and a message in the window) if it cannot be read."""
        self.path = Path(path)
        self.setWindowTitle(self.path.name)
        error = self.document.load(str(self.path))
        ok = error == QPdfDocument.Error.None_ and self.page_count() > 0
        if ok:
            self.error_label.hide()
        else:
            message = _("Impossible d'afficher « {name} » : le fichier est absent ou illisible.")
            self.error_label.setText(message.format(name=self.path.name))
            self.error_label.show()
        count = self.page_count()
        self.page_box.setMaximum(max(1, count))
        self.page_count_label.setText(" " + _("sur {count}").format(count=count) + " ")
        self._show_page(0)
        return ok

    def page_count(self) -> int:
        return self.document.pageCount()

    def render_page(self, page: int, width: int = 600) -> QImage:
        """Page ``page`` (from 0) drawn ``width`` pixels wide, for previews and tests."""
        points = self.document.pagePointSize(page)
        height = round(width * points.height() / points.width()) if points.width() else width
        return self.document.render(page, QSize(width, max(1, height)))

    # -- navigation and zoom ------------------------------------------------

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        if 0 <= page < self.page_count() and page != self.current_page():
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())

    def next_page(self) -> None:
        self.go_to(self.current_page() + 1)

    def previous_page(self) -> None:
        self.go_to(self.current_page() - 1)

    def zoom_in(self) -> None:
        self._zoom(self.view.zoomFactor() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(self.view.zoomFactor() / ZOOM_STEP)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(factor, ZOOM_RANGE[0]), ZOOM_RANGE[1]))

    def open_outside(self) -> None:
        """The system's PDF reader, for what this window does not do (forms, annotations)."""
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))

    def _page_typed(self, number: int) -> None:
        self.go_to(number - 1)

    def _show_page(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.previous_action.setEnabled(page > 0)
        self.next_action.setEnabled(page + 1 < self.page_count())


def show_pdf(path: Path, parent: QWidget | None = None) -> PdfViewer:
    """Open a non-modal viewer on ``path``, deleted when closed."""
    viewer = PdfViewer(path, parent)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    viewer.show()
    return viewer
