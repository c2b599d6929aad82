"""A list of rows sized to its content, for the ecosystem's side column.

The side column scrolls as one: lists inside it never get scroll bars of
their own. Each row is a word-wrapped label; a row with a key (an actor's id,
a pair of ids) shows its first words as a link, and a click on the link emits
``activated`` with the key.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

LINK_COLOUR = "#1a5fa8"


class RowList(QWidget):
    """Rows of text, some with a link; as tall as its rows."""

    activated = Signal(object)  # the key of the row whose link was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._rows: list[tuple[str, object]] = []
        self._labels: list[QLabel] = []

    def clear(self) -> None:
        for widget in self._labels:
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self._rows, self._labels = [], []

    def add(self, text: str, key: object = None, link: str = "", tooltip: str = "") -> QLabel:
        """A row: ``link`` (clickable when there is a key) then ``text``, plain text both."""
        row = len(self._rows)
        shown = QLabel()
        shown.setWordWrap(True)
        shown.setTextFormat(Qt.TextFormat.RichText)
        if key is not None and link:
            shown.setText(
                f'<a href="{row}" style="color:{LINK_COLOUR}">{escape(link)}</a>{escape(text)}'
            )
            shown.linkActivated.connect(self._on_link)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        else:
            shown.setText(escape(link + text))
        if tooltip:
            shown.setToolTip(tooltip)
        self._layout.addWidget(shown)
        self._rows.append((link + text, key))
        self._labels.append(shown)
        return shown

    def note(self, text: str) -> QLabel:
        """A row that is not a choice (« … et 12 autres. »)."""
        shown = self.add(text)
        shown.setStyleSheet("color: #555555")
        return shown

    def count(self) -> int:
        return len(self._rows)

    def texts(self) -> list[str]:
        return [text for text, _key in self._rows]

    def key(self, row: int) -> object:
        return self._rows[row][1]

    def label(self, row: int) -> QLabel:
        return self._labels[row]

    def activate(self, row: int) -> None:
        """As a click on the row's link."""
        key = self._rows[row][1]
        if key is not None:
            self.activated.emit(key)

    def _on_link(self, href: str) -> None:
        self.activate(int(href))
