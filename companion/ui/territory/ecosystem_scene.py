"""The ecosystem network as a QGraphicsScene: one item per actor, the relations as lines.

Positions come from ``insights.layout`` (the same picture for the same graph).
An actor is a disc in its kind's colour (the map's palette), larger the more
actors it is linked to; brokers get a dark ring, and the first of them a name
tag at any zoom; every name shows once the zoom spreads the actors apart.
Relations are a few path items grouped by area (thousands of line items would
slow every repaint); the chosen actor's relations are drawn again, darker.

Only Qt's own item classes are used, never a Python ``paint()``: under PySide
6.12 on Python 3.11 every call from C++ into a Python override, and every call
of a void Qt method, drops a reference to None (``keep_none_alive``), and a
network is repainted at every scroll.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

from companion.domain import ACTOR_KINDS, label
from companion.i18n import _, ngettext
from companion.insights.territory_data import Ecosystem
from companion.maps.style import KIND_COLOURS
from companion.ui.common.formatting import format_number
from companion.ui.common.none_guard import keep_none_alive as guard

SPACING = 36.0  # scene units between neighbouring actors
MIN_SIDE = 420.0
BASE_RADIUS = 4.0
RADIUS_PER_LINK = 2.2  # times the square root of the connections
MAX_RADIUS = 18.0
LABEL_PIXELS = 12  # names are drawn this tall on screen, whatever the zoom
LABEL_SCALE = 1.6  # every name shows from this zoom on (neighbours far enough apart)
LABEL_LIMIT = 3_000  # past this many actors, only tagged names (brokers, the chosen one)
TAGGED_BROKERS = 5  # the first brokers' names show at any zoom
EDGE_GRID = 8  # relations are grouped in EDGE_GRID² path items by their middle
EDGE_COLOUR = QColor(120, 120, 130, 110)
HIGHLIGHT_COLOUR = QColor(30, 30, 40, 230)
BROKER_RING = QColor("#222222")
SELECTED_RING = QColor("#ffb300")
PLAIN_RING = QColor("white")
TEXT_COLOUR = QColor("#222222")
TAG_BACKGROUND = QColor(255, 255, 255, 225)
OTHER_COLOUR = KIND_COLOURS["autre"]
NODE_Z, LABEL_Z, HIGHLIGHT_Z, EDGE_Z = 2.0, 3.0, 1.0, 0.0
NONE_FLOOR = 1_000_000


def keep_none_alive() -> None:
    """Before large builds, zooms and selections: see companion/ui/common/none_guard.py."""
    guard(NONE_FLOOR)


def radius_for(degree: int) -> float:
    return min(MAX_RADIUS, BASE_RADIUS + RADIUS_PER_LINK * math.sqrt(degree))


def kind_colour(kind: str) -> QColor:
    return QColor(KIND_COLOURS.get(kind, OTHER_COLOUR))


def label_font() -> QFont:
    font = QFont()
    font.setPixelSize(LABEL_PIXELS)
    return font


class NodeItem(QGraphicsEllipseItem):
    """One actor: a disc in its kind's colour, a dark ring if it is a broker."""

    def __init__(self, actor_id: str, name: str, kind: str, degree: int, broker_rank: int | None):
        radius = radius_for(degree)
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.actor_id = actor_id
        self.name = name
        self.kind = kind
        self.degree = degree
        self.broker_rank = broker_rank  # 1 for the first broker; None if not one
        self.radius = radius
        self.tag: QGraphicsItem | None = None  # its name on a white tag, when shown
        self.setBrush(QBrush(kind_colour(kind)))
        self.setPen(self.ring())
        self.setZValue(NODE_Z + (0.5 if broker_rank else 0))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(node_tooltip(name, kind, degree, broker_rank))

    def ring(self, selected: bool = False) -> QPen:
        if selected:
            return QPen(SELECTED_RING, 4.0)
        if self.broker_rank is not None:
            return QPen(BROKER_RING, 2.5)
        return QPen(PLAIN_RING, 1.0)


def name_tag(node: NodeItem, font: QFont, metrics: QFontMetricsF) -> QGraphicsItem:
    """The node's name on a white tag beside it, the same size on screen at any zoom."""
    width = metrics.horizontalAdvance(node.name) + 8
    height = metrics.height() + 4
    outline = QPainterPath()
    outline.addRoundedRect(QRectF(0, -height / 2, width, height), 3, 3)
    tag = QGraphicsPathItem(outline, node)
    tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    tag.setPen(QPen(Qt.PenStyle.NoPen))
    tag.setBrush(QBrush(TAG_BACKGROUND))
    tag.setPos(node.radius + 2, 0)
    tag.setToolTip(node.toolTip())
    text = QGraphicsSimpleTextItem(node.name, tag)
    text.setFont(font)
    text.setBrush(QBrush(TEXT_COLOUR))
    text.setPos(4, -metrics.height() / 2)
    return tag


def legend_html(kinds: dict[str, int]) -> str:
    """Each kind's colour, name and count; then what a ring means (rich text, escaped)."""
    cells = []
    for kind, count in kinds.items():
        colour = KIND_COLOURS.get(kind, OTHER_COLOUR)
        name = escape(label(ACTOR_KINDS, kind))
        cells.append(
            f'<span style="color:{colour}">●</span>&nbsp;{name}&nbsp;({format_number(count)})'
        )
    ring = escape(_("cerclé de noir : intermédiaire"))
    cells.append(f'<span style="color:#555">◯&nbsp;{ring}</span>')
    return " &nbsp; ".join(cells)


def node_tooltip(name: str, kind: str, degree: int, broker_rank: int | None) -> str:
    """ "Name\nAssociation — 3 connexions\nIntermédiaire n° 2" (plain text)."""
    links = ngettext("{n} connexion", "{n} connexions", degree).format(n=format_number(degree))
    lines = [name, f"{label(ACTOR_KINDS, kind)} — {links}"]
    if broker_rank is not None:
        lines.append(_("Intermédiaire n° {rank}").format(rank=broker_rank))
    elif degree == 0:
        lines.append(_("Isolé : aucune relation dans ce réseau"))
    return "\n".join(lines)


@dataclass
class EcosystemScene:
    """The scene and its items, by actor id; which actors are chosen."""

    scene: QGraphicsScene
    nodes: dict[str, NodeItem]
    edges: list[QGraphicsPathItem]
    highlight: QGraphicsPathItem
    names: QGraphicsItem | None  # every name, shown once zoomed in (None: too many actors)
    links: dict[str, list[str]]  # actor id -> the actors it is linked to
    side: float
    font: QFont
    metrics: QFontMetricsF
    chosen: list[str] = field(default_factory=list)

    def edge_count(self) -> int:
        """Relations drawn (each is a move and a line in its path)."""
        return sum(item.path().elementCount() for item in self.edges) // 2

    def node_at(self, point: QPointF) -> NodeItem | None:
        """The actor under a scene point (its disc, or its name tag)."""
        for item in self.scene.items(point):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item
        return None

    def choose(self, actor_ids: list[str]) -> None:
        """Ring and name these actors and draw their relations darker (none: clear)."""
        keep_none_alive()
        for actor_id in self.chosen:
            node = self.nodes.get(actor_id)
            if node is not None:
                node.setPen(node.ring())
                node.setZValue(NODE_Z + (0.5 if node.broker_rank else 0))
                if node.tag is not None and not _always_tagged(node):
                    self.scene.removeItem(node.tag)
                    node.tag = None
        self.chosen = [actor_id for actor_id in actor_ids if actor_id in self.nodes]
        path = QPainterPath()
        for actor_id in self.chosen:
            node = self.nodes[actor_id]
            node.setPen(node.ring(selected=True))
            node.setZValue(LABEL_Z)
            if node.tag is None:
                node.tag = name_tag(node, self.font, self.metrics)
            for other in self.links.get(actor_id, ()):
                path.moveTo(node.pos())
                path.lineTo(self.nodes[other].pos())
        self.highlight.setPath(path)

    def show_names(self, scale: float) -> None:
        """Every name when the zoom (scene to screen) spreads the actors enough."""
        if self.names is not None:
            wanted = scale >= LABEL_SCALE
            if self.names.isVisible() != wanted:
                self.names.setVisible(wanted)


def _always_tagged(node: NodeItem) -> bool:
    return node.broker_rank is not None and node.broker_rank <= TAGGED_BROKERS


def build_scene(ecosystem: Ecosystem) -> EcosystemScene:
    """Items for every actor and relation of ``ecosystem``, placed by its layout."""
    keep_none_alive()
    graph = ecosystem.graph
    metrics = ecosystem.metrics
    count = graph.number_of_nodes()
    side = max(MIN_SIDE, SPACING * 1.3 * math.sqrt(max(count, 1)))
    scene = QGraphicsScene()
    ranks = {broker.actor_id: rank for rank, broker in enumerate(metrics.brokers, start=1)}
    font = label_font()
    font_metrics = QFontMetricsF(font)
    names: QGraphicsItem | None = None
    if count <= LABEL_LIMIT:
        names = QGraphicsRectItem()  # holds the names: one call shows or hides them all
        names.setPen(QPen(Qt.PenStyle.NoPen))
        names.setZValue(LABEL_Z)
        names.setVisible(False)
        scene.addItem(names)
    centred = QTransform.fromTranslate(0, -font_metrics.height() / 2)
    nodes: dict[str, NodeItem] = {}
    for actor_id, data in graph.nodes(data=True):
        x, y = ecosystem.positions.get(actor_id, (0.5, 0.5))
        rank = ranks.get(actor_id)
        item = NodeItem(
            actor_id,
            data.get("name", ""),
            data.get("kind", "autre"),
            metrics.degrees.get(actor_id, 0),
            rank,
        )
        item.setPos(x * side, y * side)
        scene.addItem(item)
        nodes[actor_id] = item
        if _always_tagged(item):
            item.tag = name_tag(item, font, font_metrics)
        elif names is not None:
            text = QGraphicsSimpleTextItem(item.name, names)
            text.setFont(font)
            text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            text.setTransform(centred)
            text.setPos(x * side + item.radius + 3, y * side)
    keep_none_alive()
    paths = [QPainterPath() for _ in range(EDGE_GRID * EDGE_GRID)]
    links: dict[str, list[str]] = {}
    for source, target in graph.edges():
        a, b = nodes[source].pos(), nodes[target].pos()
        column = min(EDGE_GRID - 1, max(0, int((a.x() + b.x()) / 2 / side * EDGE_GRID)))
        row = min(EDGE_GRID - 1, max(0, int((a.y() + b.y()) / 2 / side * EDGE_GRID)))
        path = paths[row * EDGE_GRID + column]
        path.moveTo(a)
        path.lineTo(b)
        links.setdefault(source, []).append(target)
        links.setdefault(target, []).append(source)
    pen = QPen(EDGE_COLOUR, 1.0)
    pen.setCosmetic(True)  # one pixel whatever the zoom
    edges = []
    for path in paths:
        if path.elementCount():
            item = scene.addPath(path, pen)
            item.setZValue(EDGE_Z)
            edges.append(item)
    highlight_pen = QPen(HIGHLIGHT_COLOUR, 2.0)
    highlight_pen.setCosmetic(True)
    highlight = scene.addPath(QPainterPath(), highlight_pen)
    highlight.setZValue(HIGHLIGHT_Z)
    margin = 2 * SPACING
    scene.setSceneRect(QRectF(0, 0, side, side).adjusted(-margin, -margin, margin, margin))
    keep_none_alive()
    return EcosystemScene(scene, nodes, edges, highlight, names, links, side, font, font_metrics)
