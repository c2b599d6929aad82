"""The view of the ecosystem's scene: zoom with the wheel or the keys, drag to pan, click
an actor to choose it.

Until the user zooms, the network stays fitted to the view (a resize, entering
full screen, fits it again). Several canvases may show the same scene.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from companion.ui.territory.ecosystem_scene import NodeItem, keep_none_alive

ZOOM_STEP = 1.25
MAX_SCALE = 6.0  # scene units to pixels: closer than this shows nothing more


class EcosystemCanvas(QGraphicsView):
    """A QGraphicsView over an ecosystem scene."""

    node_clicked = Signal(str)  # an actor's id
    zoomed = Signal(float)  # the new scale (scene units to pixels)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("white"))
        self.fitted = True  # follow the view's size until the user zooms

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

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.position().toPoint())
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                self.node_clicked.emit(item.actor_id)
                event.accept()
                return
        super().mousePressEvent(event)  # dragging the background pans

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.fitted:
            self.fit()
