"""What an empty section is for, and its first actions, in place of an empty table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from companion.ui.common.labels import plain_label


class EmptyState(QWidget):
    """A title, a sentence or two, and a button per first action."""

    def __init__(
        self,
        title: str,
        text: str,
        actions: list[tuple[str, Callable[[], object]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        heading = plain_label(title, bold=True, point_delta=4)
        heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        words = QLabel(text)
        words.setTextFormat(Qt.TextFormat.PlainText)
        words.setWordWrap(True)
        words.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        words.setFixedWidth(560)  # wraps at that width…
        words.setMinimumHeight(words.heightForWidth(560))  # …and shows every line
        self.buttons: list[QPushButton] = []
        self._actions: dict[QPushButton, Callable[[], object]] = {}
        row = QHBoxLayout()
        row.addStretch(1)
        for label, action in actions:
            button = QPushButton(label)
            # A method, not a lambda: PySide 6.12 crashes deleting a sender with a lambda.
            button.clicked.connect(self._clicked)
            self._actions[button] = action
            self.buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(words, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(2)

    def _clicked(self) -> None:
        action = self._actions.get(self.sender())  # type: ignore[arg-type]
        if action is not None:
            action()
