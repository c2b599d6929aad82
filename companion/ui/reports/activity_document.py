"""The report's printable HTML as Qt's rich text shows and prints it.

``insights.report_html`` writes a page for web engines: charts as inline SVG,
key figures in a flex row. QTextDocument knows neither, so here each ``<svg>``
becomes an image (drawn by QSvgRenderer at twice its size, sharp on screen and
on paper) that ``ReportBrowser`` hands out by name, and the figures become a
table. The browser loads nothing else: no file, no network.
"""

from __future__ import annotations

import re
from html import escape, unescape

from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QTextDocument
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QTextBrowser, QWidget

IMAGE_SCALE = 2.0  # device pixels per pixel of a chart
FIGURES_PER_ROW = 3
_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)
_SIZE = re.compile(r'\b(width|height)="(\d+(?:\.\d+)?)"')
_FIGURES = re.compile(r'<div class="figures">((?:<div class="figure">.*?</div>)*)</div>', re.DOTALL)
_FIGURE = re.compile(r'<div class="figure"><b>(.*?)</b>(.*?)</div>', re.DOTALL)
_TABLE = '<table width="100%" cellspacing="0" cellpadding="3">'
_FIGURE_CELL = (
    '<td width="{width}%" style="background-color: #f2f4f7; padding: 4px 8px;">'
    '<span style="font-size: 13pt; font-weight: bold;">{value}</span><br>{name}</td>'
)


def svg_image(svg: str, scale: float = IMAGE_SCALE) -> QImage | None:
    """The SVG drawn at ``scale`` (its device pixel ratio), or None if unreadable."""
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize()
    if not renderer.isValid() or size.isEmpty():
        return None
    image = QImage(size * scale, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter)
    painter.end()
    image.setDevicePixelRatio(scale)
    return image


def rich_text(html: str) -> tuple[str, dict[str, QImage]]:
    """(HTML QTextDocument renders, its images by URL) from the report's page."""
    images: dict[str, QImage] = {}

    def chart(match: re.Match[str]) -> str:
        svg = match.group(0)
        image = svg_image(svg)
        if image is None:
            return ""
        name = f"chart:{len(images)}"
        images[name] = image
        opening = svg[: svg.index(">")]
        size = "".join(f' {key}="{value}"' for key, value in _SIZE.findall(opening))
        return f'<p><img src="{name}"{size}></p>'  # a block of its own, not the heading's

    def figures(match: re.Match[str]) -> str:
        found = _FIGURE.findall(match.group(1))
        width = 100 // FIGURES_PER_ROW
        rows = [
            "<tr>"
            + "".join(
                _FIGURE_CELL.format(width=width, value=value, name=name)
                for value, name in found[i : i + FIGURES_PER_ROW]
            )
            + "</tr>"
            for i in range(0, len(found), FIGURES_PER_ROW)
        ]
        return f'<table width="100%" cellspacing="6" cellpadding="0">{"".join(rows)}</table>'

    text = _FIGURES.sub(figures, _SVG.sub(chart, html))
    # Qt ignores the page's CSS widths and paddings of tables: the same as attributes.
    return text.replace("<table>", _TABLE), images


class ReportBrowser(QTextBrowser):
    """Shows a report; its only resources are the charts of the page shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # The page is paper, whatever the system's theme.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
        palette.setColor(QPalette.ColorRole.Text, QColor("#222222"))
        self.setPalette(palette)
        self.images: dict[str, QImage] = {}

    def show_report(self, html: str) -> None:
        """Show the report's page (as ``insights.report_html`` writes it)."""
        text, self.images = rich_text(html)
        self.setHtml(text)  # setHtml forgets the previous page's images

    def show_notice(self, text: str) -> None:
        self.images = {}
        self.setHtml(f'<p style="color: #555555;">{escape(text)}</p>')

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 - Qt's name
        image_kind = QTextDocument.ResourceType.ImageResource
        if kind in (image_kind, image_kind.value):
            return self.images.get(name.toString())
        return None


def plain_title(html: str) -> str:
    """The page's <title>, as text."""
    found = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    return unescape(found.group(1)) if found else ""
