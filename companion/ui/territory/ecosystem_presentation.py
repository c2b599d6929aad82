"""The network full screen, for a projector: a title, the network on white, a legend.

A window of its own showing the same scene as the page (a second view: the
selection and the highlighted relations follow), on the screen of the main
window. Esc leaves; Ctrl+=, Ctrl+- and Ctrl+0 zoom as in the page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QGraphicsScene, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from companion.i18n import _
from companion.ui.territory.ecosystem_canvas import EcosystemCanvas
from companion.ui.territory.ecosystem_scene import legend_html

TITLE_POINTS = 22
LEGEND_POINTS = 13


class EcosystemPresentation(QWidget):
    """A frameless full-screen window; ``closed`` once it has left."""

    closed = Signal()

    def __init__(
        self,
        scene: QGraphicsScene,
        title: str,
        kinds: dict[str, int],
        parent: QWidget | None = None,
    ) -> None:
        # A window of its own, owned by the main window: it goes when the main window goes.
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.setStyleSheet("background: white; color: #222;")
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSize(TITLE_POINTS)
        font.setBold(True)
        self.title.setFont(font)
        self.canvas = EcosystemCanvas()
        self.canvas.setFrameShape(EcosystemCanvas.Shape.NoFrame)
        self.canvas.show_scene(scene)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(self._legend(kinds))
        for keys, slot in (
            (("Ctrl++", "Ctrl+="), self.canvas.zoom_in),
            (("Ctrl+-",), self.canvas.zoom_out),
            (("Ctrl+0",), self.canvas.fit),
        ):
            action = QAction(self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.triggered.connect(slot)
            self.addAction(action)

    def _legend(self, kinds: dict[str, int]) -> QHBoxLayout:
        legend = QLabel(legend_html(kinds))
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)
        font = legend.font()
        font.setPointSize(LEGEND_POINTS)
        legend.setFont(font)
        hint = QLabel(_("Échap pour quitter"))
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setStyleSheet("color: #888;")
        row = QHBoxLayout()
        row.addWidget(legend, 1)
        row.addWidget(hint, 0, Qt.AlignmentFlag.AlignBottom)
        return row

    def start(self, over: QWidget | None) -> None:
        """Full screen on the screen showing ``over`` (the main window)."""
        if over is not None and over.screen() is not None:
            self.setScreen(over.screen())
            self.move(over.screen().geometry().topLeft())
        self.showFullScreen()
        self.canvas.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.closed.emit()
        super().closeEvent(event)
