"""Icons from qtawesome's bundled fonts, drawn without importing qtawesome at startup.

``import qtawesome`` costs about 0.25 s (its qtpy layer star-imports every Qt
module), more than the rest of the startup together. The sidebar only needs a
few glyphs, so they are drawn straight from the font files in qtawesome's
package; any other name, or a missing font, goes through qtawesome itself. The
bundle keeps only Font Awesome 5 Solid and Regular (build.spec), which every icon of
the app comes from: there qtawesome cannot load its other fonts, and an unknown name
gets an empty icon and a warning in the log rather than an error.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from functools import cache
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)

log = logging.getLogger(__name__)

# qtawesome prefix -> font file stem in qtawesome/fonts (the version follows the stem).
_FONT_STEMS = {
    "fa5s": "fontawesome5-solid-webfont",
    "fa5": "fontawesome5-regular-webfont",
    "fa6s": "fontawesome6-solid-webfont",
    "fa6": "fontawesome6-regular-webfont",
}


def icon(name: str) -> QIcon:
    """The icon called ``name`` in qtawesome's notation, e.g. ``"fa5s.address-book"``."""
    prefix, _dot, glyph_name = name.partition(".")
    font = _font(prefix)
    if font is not None and glyph_name in font[1]:
        return QIcon(_GlyphEngine(font[0], chr(font[1][glyph_name])))
    try:
        import qtawesome  # the slow path, for names the fast one does not know

        return qtawesome.icon(name)
    except Exception as error:  # noqa: BLE001 - an icon missing must not stop the app
        log.warning("icon %s unavailable: %s: %s", name, type(error).__name__, error)
        return QIcon()


@cache
def _font(prefix: str) -> tuple[str, dict[str, int]] | None:
    """(font family, glyph name -> code point) for a prefix, or None if not found."""
    stem = _FONT_STEMS.get(prefix)
    spec = importlib.util.find_spec("qtawesome")
    if stem is None or spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    fonts = sorted(folder.glob(f"{stem}-[0-9]*.ttf"))
    charmaps = sorted(folder.glob(f"{stem}-charmap-*.json"))
    if not fonts or not charmaps:
        return None
    font_id = QFontDatabase.addApplicationFont(str(fonts[-1]))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    charmap = json.loads(charmaps[-1].read_text(encoding="utf-8"))
    return families[0], {glyph: int(code, 16) for glyph, code in charmap.items()}


class _GlyphEngine(QIconEngine):
    """Paints one glyph in the palette's text colour for the icon's mode."""

    def __init__(self, family: str, glyph: str) -> None:
        super().__init__()
        self._family = family
        self._glyph = glyph

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            color = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        elif mode == QIcon.Mode.Selected:
            color = palette.color(QPalette.ColorRole.HighlightedText)
        else:
            color = palette.color(QPalette.ColorRole.WindowText)
        font = QFont(self._family)
        font.setPixelSize(max(1, round(min(rect.width(), rect.height()) * 0.9)))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(font)
        painter.setPen(color)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._glyph)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _GlyphEngine(self._family, self._glyph)
