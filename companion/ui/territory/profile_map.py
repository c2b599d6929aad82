"""The territory profile's map painted with QPainter: no web engine, no network.

``insights.territory_map`` gives the shapes, projected; this paints them into an
image that the profile page (screen, printer, PDF) shows as an ``<img>``: the
départements around in grey, the smaller areas (communes, EPCIs) in thin lines,
the territory tinted with a dark outline, its actors as dots in their kind's
colours (the map's palette, as the bars beside it).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

from companion.insights.territory_map import MapDrawing, Ring
from companion.maps.style import KIND_COLOURS

MAP_URL = "companion-map:territory"
MAP_WIDTH = 300  # on the page, in CSS pixels (the image has more for print)
MAP_MAX_HEIGHT = 280
OVERSAMPLE = 4  # image pixels per page pixel: sharp on paper too
BACKGROUND = QColor("#eef2f5")
LAND = QColor("#fbfaf7")
AREA_LINE = QColor(150, 150, 150, 110)
BORDER_LINE = QColor("#9a9a9a")
TERRITORY_FILL = QColor(255, 236, 179, 150)
TERRITORY_LINE = QColor("#333333")
OTHER = KIND_COLOURS["autre"]


def map_size(drawing: MapDrawing) -> tuple[int, int]:
    """The map's width and height on the page (CSS pixels), its shape kept."""
    ratio = drawing.height / drawing.width if drawing.width > 0 else 1.0
    width = float(MAP_WIDTH)
    height = width * ratio
    if height > MAP_MAX_HEIGHT:
        width, height = width * MAP_MAX_HEIGHT / height, float(MAP_MAX_HEIGHT)
    return round(width), round(height)


def _path(rings: list[Ring], scale: float) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)  # holes (enclaves) stay holes
    for ring in rings:
        if len(ring) >= 3:
            path.addPolygon(QPolygonF([QPointF(x * scale, y * scale) for x, y in ring]))
            path.closeSubpath()
    return path


def render_map(drawing: MapDrawing, oversample: int = OVERSAMPLE) -> QImage:
    """The map as an image ``map_size`` × ``oversample`` pixels large."""
    width, height = map_size(drawing)
    image = QImage(width * oversample, height * oversample, QImage.Format.Format_ARGB32)
    image.fill(BACKGROUND)
    scale = image.width() / drawing.width if drawing.width > 0 else 1.0
    unit = float(oversample)  # one page pixel
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(BORDER_LINE, 0.8 * unit))
        painter.setBrush(QBrush(LAND))
        for ring in drawing.borders:
            painter.drawPath(_path([ring], scale))
        own = _path(drawing.outline, scale)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(TERRITORY_FILL))
        painter.drawPath(own)
        painter.setPen(QPen(AREA_LINE, 0.5 * unit))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for ring in drawing.areas:
            painter.drawPath(_path([ring], scale))
        painter.setPen(QPen(TERRITORY_LINE, 1.4 * unit))
        painter.drawPath(own)
        radius = (2.2 if len(drawing.dots) > 400 else 3.0) * unit
        painter.setPen(QPen(QColor("white"), 0.6 * unit))
        for x, y, kind in drawing.dots:
            painter.setBrush(QBrush(QColor(KIND_COLOURS.get(kind, OTHER))))
            painter.drawEllipse(QPointF(x * scale, y * scale), radius, radius)
        painter.setPen(QPen(QColor("#bbbbbb"), unit))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(0, 0, image.width() - 1, image.height() - 1))
    finally:
        painter.end()
    return image
