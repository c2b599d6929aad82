"""The reader's text browser: local images only, SVG drawn sharp, links left to the reader.

QTextBrowser would follow links itself and load any URL a page names; here
every link goes to ``anchorClicked`` and ``loadResource`` answers only for
image files inside the item's folders. SVG images are drawn with QSvgRenderer
at twice their size (sharp on high-density screens and in print) rather than
left to the image plugin.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QImage,
    QPainter,
    QPalette,
    QTextDocument,
    QTextFragment,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QTextBrowser, QWidget

IMAGE_SCALE = 2.0  # device pixels per pixel for drawn SVG images
SVG_SUFFIXES = (".svg", ".svgz")


def load_image(path: Path, scale: float = IMAGE_SCALE) -> QImage | None:
    """The image at ``path`` (SVG drawn at ``scale``), or None if it cannot be read."""
    if path.suffix.lower() in SVG_SUFFIXES:
        renderer = QSvgRenderer(str(path))
        size = renderer.defaultSize()
        if not renderer.isValid() or size.isEmpty():
            return None
        image = QImage(size * scale, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.setDevicePixelRatio(scale)
        return image
    image = QImage(str(path))
    return None if image.isNull() else image


def image_fragments(document: QTextDocument) -> Iterator[QTextFragment]:
    """The fragments of ``document`` that are images, in order."""
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().isImageFormat():
                yield fragment
            fragments += 1
        block = block.next()


class ReaderBrowser(QTextBrowser):
    """Shows one page; loads nothing but image files under its roots."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # The page is paper: the reader's style sheet sets dark text, whatever the theme.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
        palette.setColor(QPalette.ColorRole.Text, QColor("#1f2328"))
        self.setPalette(palette)
        self.roots: tuple[Path, ...] = ()
        self.refused: list[str] = []  # URLs asked for and not loaded (tests, debugging)
        self._pending_scroll: int | None = None
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)

    def show_page(self, html: str, roots: Sequence[Path]) -> None:
        """Show ``html``; its images may come from ``roots`` only."""
        self.roots = tuple(root.resolve() for root in roots)
        self._pending_scroll = None
        self.document().clear()  # also forgets the images of the previous page
        self.setHtml(html)

    def is_inside_roots(self, path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved.is_relative_to(root) for root in self.roots)

    def loadResource(self, kind: Any, url: QUrl) -> Any:  # noqa: N802 (Qt's name)
        image_kind = QTextDocument.ResourceType.ImageResource
        if getattr(kind, "value", kind) != image_kind.value or not url.isLocalFile():
            self.refused.append(url.toString())
            return None
        path = Path(url.toLocalFile())
        if not self.is_inside_roots(path):
            self.refused.append(url.toString())
            return None
        return load_image(path)

    def restore_scroll(self, value: int) -> None:
        """Scroll to ``value`` now, or as soon as the page is laid out that far."""
        bar = self.verticalScrollBar()
        if bar.maximum() >= value:
            self._pending_scroll = None
            bar.setValue(value)
        else:
            self._pending_scroll = value

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._pending_scroll is not None and maximum >= self._pending_scroll:
            value, self._pending_scroll = self._pending_scroll, None
            self.verticalScrollBar().setValue(value)
