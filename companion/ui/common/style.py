"""The app's widget style: Qt's own (Fusion here), with French capitals drawn whole.

Fusion draws an unselected tab's label 2 px lower and clips it to a rectangle one line of
the font high: the accent of « É » rises above the font's ascent, so « Écosystème » read
« Ecosystème » until the tab was selected. Labels drawn by the style (tabs, buttons, menus)
are no longer clipped to that rectangle; their boxes are unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProxyStyle


class AccentSafeStyle(QProxyStyle):
    """Qt's style, but an item's text is never clipped to its line box."""

    def drawItemText(self, painter, rect, flags, palette, enabled, text, text_role=None):  # noqa: N802
        flags |= Qt.TextFlag.TextDontClip
        if text_role is None:
            super().drawItemText(painter, rect, flags, palette, enabled, text)
        else:
            super().drawItemText(painter, rect, flags, palette, enabled, text, text_role)


def install_style(app: QApplication) -> None:
    """Wrap the application's style once (a second run in the same process keeps it)."""
    if not isinstance(app.style(), AccentSafeStyle):
        app.setStyle(AccentSafeStyle(app.style().name()))
