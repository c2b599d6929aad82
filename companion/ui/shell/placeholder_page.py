"""A page for a section still to come: it says, in plain words, what will be there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from companion.ui.common.labels import plain_label


class PlaceholderPage(QWidget):
    def __init__(self, title: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = plain_label(title, bold=True, point_delta=6)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body = plain_label(message)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setMaximumWidth(520)
        layout.addWidget(heading)
        layout.addWidget(body)
