"""Labels that show what they are given, literally."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "", *, bold: bool = False, point_delta: int = 0) -> QLabel:
    """A QLabel that shows its text literally, wraps, and can be selected and copied."""
    widget = QLabel()
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold or point_delta:
        font = QFont(widget.font())
        font.setBold(bold)
        if point_delta:
            font.setPointSize(max(6, font.pointSize() + point_delta))
        widget.setFont(font)
    widget.setText(text)
    return widget
