"""The view of the ecosystem's scene: zoom with the wheel or the keys, drag to pan, click
an actor to choose it, click the background to let it go.

Until the user zooms, the network stays fitted to the view (a resize, entering
full screen, fits it again). Several canvases may show the same scene.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from companion.ui.territory.ecosystem_scene import NodeItem, keep_none_alive

ZOOM_STEP = 1.25
MAX_SCALE = 6.0  # scene units to pixels: closer than this shows nothing more


class EcosystemCanvas(QGraphicsView):
    """A QGraphicsView over an ecosystem scene."""

    node_clicked = Signal(str)  # an actor's id
    background_clicked = Signal()  # a click (not a drag) on no actor
    hovered = Signal(str)  # the actor under the mouse ("" for none)
    zoomed = Signal(float)  # the new scale (scene units to pixels)
    resized = Signal(float)  # the view's new width / height

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("white"))
        self.fitted = True  # follow the view's size until the user zooms
        self._pressed_at: QPoint | None = None  # a press on the background
        self._hovered = ""

    def show_scene(self, scene: QGraphicsScene | None) -> None:
        """Show ``scene`` fitted to the view."""
        self.setScene(scene)
        self.fit()

    # -- zoom ---------------------------------------------------------------------

    def fit(self) -> None:
        """The whole network in view (Ctrl+0)."""
        keep_none_alive()
        self.fitted = True
        scene = self.scene()
        if scene is None or scene.sceneRect().isEmpty():
            self.resetTransform()
        else:
            self.fitInView(scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed.emit(self.scale_factor())

    def zoom_in(self) -> None:
        self._zoom_about_centre(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_about_centre(1 / ZOOM_STEP)

    def _zoom_about_centre(self, factor: float) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom(factor)
        self.setTransformationAnchor(anchor)

    def zoom(self, factor: float) -> None:
        """Scale by ``factor``, never closer than ``MAX_SCALE`` nor farther than fitted / 2."""
        keep_none_alive()
        current = self.scale_factor()
        floor = self._fitted_scale() / 2
        wanted = min(MAX_SCALE, max(floor, current * factor))
        if current > 0 and wanted != current:
            self.fitted = False
            self.scale(wanted / current, wanted / current)
            self.zoomed.emit(wanted)

    def scale_factor(self) -> float:
        return self.transform().m11()

    def _fitted_scale(self) -> float:
        scene = self.scene()
        if scene is None or scene.sceneRect().isEmpty():
            return 1.0
        rect = scene.sceneRect()
        view = self.viewport().rect()
        return min(view.width() / rect.width(), view.height() / rect.height())

    def centre_on(self, item: QGraphicsItem) -> None:
        """Bring an actor to the middle, close enough to tell its neighbours apart."""
        if self.scale_factor() < 1.0:
            self.zoom(1.0 / self.scale_factor())
        self.centerOn(item)

    # -- events -------------------------------------------------------------------

    def aspect(self) -> float:
        """The viewport's width / height."""
        rect = self.viewport().rect()
        return rect.width() / rect.height() if rect.height() > 0 else 1.0

    def node_under(self, point: QPoint) -> NodeItem | None:
        """The actor whose disc or name tag is at a viewport point."""
        item = self.itemAt(point)
        while item is not None:
            if isinstance(item, NodeItem):
                return item
            node = getattr(item, "node", None)  # a name tag knows its actor
            if isinstance(node, NodeItem):
                return node
            item = item.parentItem()
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        keep_none_alive()
        self._pressed_at = None
        if event.button() == Qt.MouseButton.LeftButton:
            node = self.node_under(event.position().toPoint())
            if node is not None:
                self.node_clicked.emit(node.actor_id)
                event.accept()
                return
            self._pressed_at = event.position().toPoint()
        super().mousePressEvent(event)  # dragging the background pans

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        keep_none_alive()
        pressed, self._pressed_at = self._pressed_at, None
        super().mouseReleaseEvent(event)
        if pressed is not None and event.button() == Qt.MouseButton.LeftButton:
            if (event.position().toPoint() - pressed).manhattanLength() < 5:
                self.background_clicked.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        keep_none_alive()
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:
            node = self.node_under(event.position().toPoint())
            actor_id = node.actor_id if node is not None else ""
            if actor_id != self._hovered:
                self._hovered = actor_id
                self.hovered.emit(actor_id)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.resized.emit(self.aspect())
        if self.fitted:
            self.fit()
