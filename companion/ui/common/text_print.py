"""Printing a reader page, on paper or to PDF, with its images fitted to the page.

``QTextDocument.print_`` lays a copy of the page out on the printer with 2 cm
margins, but sizes images from the screen's pixels and ignores their
``max-width`` there: a diagram wider than the text would be cut off at the
right edge. So the copy printed gives every wide image an explicit size that
fits the text column.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtPrintSupport import QPrinter

from companion.ui.common.text_browser import image_fragments

QT_PRINT_MARGIN_CM = 2.0  # what QTextDocument.print_ adds around an unpaginated document


def _screen_dpi() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.logicalDotsPerInchX() if screen is not None else 96.0


def text_width(printer: QPrinter) -> float:
    """The width of the printed text column, in the document's (screen) pixels."""
    dpi = _screen_dpi()
    page = printer.pageLayout().paintRectPoints().width() * dpi / 72
    return page - 2 * QT_PRINT_MARGIN_CM / 2.54 * dpi


def fit_images(document: QTextDocument, source: QTextDocument, width: float) -> None:
    """Give each image of ``document`` wider than ``width`` a size that fits it.

    The images themselves are read from ``source`` (the page shown, which loaded them).
    """
    for fragment in list(image_fragments(document)):
        image_format = fragment.charFormat().toImageFormat()
        image = source.resource(QTextDocument.ResourceType.ImageResource, QUrl(image_format.name()))
        if not isinstance(image, QImage) or image.isNull():
            continue
        size = image.deviceIndependentSize()
        if size.width() <= width:
            continue
        fitted = QTextImageFormat(image_format)
        fitted.setWidth(width)
        fitted.setHeight(size.height() * width / size.width())
        cursor = QTextCursor(document)
        cursor.setPosition(fragment.position())
        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(fitted)


def print_document(document: QTextDocument, printer: QPrinter) -> None:
    """Print ``document`` on ``printer``, images fitted to the text column."""
    copy = document.clone(document)  # the copy finds its images through the page shown
    fit_images(copy, document, text_width(printer))
    copy.print_(printer)


def write_pdf(document: QTextDocument, path: Path, title: str) -> bool:
    """Print ``document`` to an A4 PDF at ``path``; False if nothing could be written."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    # No page margins of our own: QTextDocument adds its 2 cm.
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )
    printer.setDocName(title)
    printer.setCreator("Companion")
    try:
        path.unlink(missing_ok=True)  # the file dialog asked before replacing it
    except OSError:
        return False
    print_document(document, printer)
    return path.is_file() and path.stat().st_size > 0
