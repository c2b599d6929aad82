"""The ecosystem network as a QGraphicsScene: one item per actor, the relations as lines.

Positions come from ``insights.layout`` (the same picture for the same graph),
packed to the view's shape (``arrange``, again when it changes); the isolated
actors are left out unless asked for. An actor is a disc in its kind's colour
(the map's palette), larger the more actors it is linked to; brokers get a dark
ring. Names are placed at each zoom (``ecosystem_labels``): the most connected
first, each beside its disc where it covers no other name nor disc, else not
shown at that zoom (hovering an actor shows its name). Relations are a few path
items grouped by area (thousands of line items would slow every repaint).
Choosing an actor focuses it: it and its neighbours stay, their relations drawn
darker, the rest fades.

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
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

from companion.domain import ACTOR_KINDS, label
from companion.i18n import _, ngettext
from companion.insights.layout import arrange
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
LABEL_LIMIT = 3_000  # past this many actors, only brokers' and chosen actors' names
UNIT = 36.0  # scene units per layout unit (the spacing between neighbours)
DIMMED = 0.15  # the opacity of what is not focused
TAGGED_BROKERS = 8  # the first brokers' names may cover other discs (not other names)
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
        self.label: QGraphicsPathItem | None = None  # its name on a white tag, once placed
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


def name_tag(node: NodeItem, font: QFont, metrics: QFontMetricsF) -> QGraphicsPathItem:
    """The node's name on a white tag, the same size on screen at any zoom; anchored on
    the node, moved beside it by its transform (in pixels)."""
    width = metrics.horizontalAdvance(node.name) + 8
    height = metrics.height() + 4
    outline = QPainterPath()
    outline.addRoundedRect(QRectF(0, 0, width, height), 3, 3)
    tag = QGraphicsPathItem(outline)
    tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    tag.setPen(QPen(Qt.PenStyle.NoPen))
    tag.setBrush(QBrush(TAG_BACKGROUND))
    tag.setZValue(LABEL_Z)
    tag.setPos(node.pos())
    tag.setToolTip(node.toolTip())
    tag.node = node  # what a click or the mouse over the tag means
    text = QGraphicsSimpleTextItem(node.name, tag)
    text.setFont(font)
    text.setBrush(QBrush(TEXT_COLOUR))
    text.setPos(4, 2)
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
    """The scene and its items, by actor id; which actors are chosen (focused)."""

    scene: QGraphicsScene
    nodes: dict[str, NodeItem]
    edges: list[QGraphicsPathItem]
    highlight: QGraphicsPathItem
    links: dict[str, list[str]]  # actor id -> the actors it is linked to
    blocks: list[dict[str, tuple[float, float]]]
    isolated: list[str]
    font: QFont
    metrics: QFontMetricsF
    chosen: list[str] = field(default_factory=list)
    show_isolated: bool = False
    aspect: float = 1.0
    scale: float = 1.0  # the zoom the names were last placed for
    hovered: str | None = None
    placed: dict[str, tuple[float, float]] = field(default_factory=dict)  # names shown

    def edge_count(self) -> int:
        """Relations drawn (each is a move and a line in its path)."""
        return sum(item.path().elementCount() for item in self.edges) // 2

    def node_at(self, point: QPointF) -> NodeItem | None:
        """The actor under a scene point (its disc, or its name tag)."""
        for item in self.scene.items(point):
            while item is not None:
                if isinstance(item, NodeItem):
                    return item
                if isinstance(getattr(item, "node", None), NodeItem):
                    return item.node
                item = item.parentItem()
        return None

    def visible_nodes(self) -> list[NodeItem]:
        return [node for node in self.nodes.values() if node.isVisible()]

    # -- placement ----------------------------------------------------------------

    def arrange(self, aspect: float, show_isolated: bool | None = None) -> None:
        """Pack the network for a view ``aspect`` times as wide as high; the isolated
        actors drawn or not."""
        keep_none_alive()
        if show_isolated is not None:
            self.show_isolated = show_isolated
        self.aspect = aspect
        isolated = self.isolated if self.show_isolated or not self.blocks else []
        positions = arrange(self.blocks, isolated, aspect)
        for actor_id, node in self.nodes.items():
            xy = positions.get(actor_id)
            node.setVisible(xy is not None)
            if xy is not None:
                node.setPos(xy[0] * UNIT, xy[1] * UNIT)
            if node.label is not None:
                node.label.setPos(node.pos())
        self._draw_edges()
        shown = [node.pos() for node in self.nodes.values() if node.isVisible()]
        xs, ys = [p.x() for p in shown] or [0.0], [p.y() for p in shown] or [0.0]
        margin = UNIT
        self.scene.setSceneRect(
            QRectF(
                min(xs) - margin, min(ys) - margin, max(xs) - min(xs), max(ys) - min(ys)
            ).adjusted(0, 0, 2 * margin, 2 * margin)
        )
        self.choose(self.chosen)

    def _draw_edges(self) -> None:
        for item in self.edges:
            self.scene.removeItem(item)
        self.edges = []
        positions = [node.pos() for node in self.nodes.values() if node.isVisible()]
        if not positions:
            return
        right = max(p.x() for p in positions) or 1.0
        bottom = max(p.y() for p in positions) or 1.0
        paths = [QPainterPath() for _ in range(EDGE_GRID * EDGE_GRID)]
        done = set()
        for source, targets in self.links.items():
            for target in targets:
                if (target, source) in done:
                    continue
                done.add((source, target))
                a, b = self.nodes[source].pos(), self.nodes[target].pos()
                column = min(EDGE_GRID - 1, max(0, int((a.x() + b.x()) / 2 / right * EDGE_GRID)))
                row = min(EDGE_GRID - 1, max(0, int((a.y() + b.y()) / 2 / bottom * EDGE_GRID)))
                path = paths[row * EDGE_GRID + column]
                path.moveTo(a)
                path.lineTo(b)
        pen = QPen(EDGE_COLOUR, 1.0)
        pen.setCosmetic(True)  # one pixel whatever the zoom
        for path in paths:
            if path.elementCount():
                item = self.scene.addPath(path, pen)
                item.setZValue(EDGE_Z)
                self.edges.append(item)

    # -- focus --------------------------------------------------------------------

    def focused(self) -> set[str]:
        """The chosen actors and their neighbours (empty: no focus)."""
        kept = set(self.chosen)
        for actor_id in self.chosen:
            kept.update(self.links.get(actor_id, ()))
        return kept

    def choose(self, actor_ids: list[str]) -> None:
        """Focus on these actors: ringed, their relations darker, they and their
        neighbours named, the rest faded (none: no focus)."""
        keep_none_alive()
        self.chosen = [a for a in actor_ids if a in self.nodes and self.nodes[a].isVisible()]
        kept = self.focused()
        path = QPainterPath()
        for actor_id, node in self.nodes.items():
            chosen = actor_id in self.chosen
            node.setPen(node.ring(selected=chosen))
            node.setOpacity(1.0 if not kept or actor_id in kept else DIMMED)
            node.setZValue(LABEL_Z if chosen else NODE_Z + (0.5 if node.broker_rank else 0))
        for actor_id in self.chosen:
            node = self.nodes[actor_id]
            for other in self.links.get(actor_id, ()):
                path.moveTo(node.pos())
                path.lineTo(self.nodes[other].pos())
        self.highlight.setPath(path)
        for item in self.edges:
            item.setOpacity(DIMMED if kept else 1.0)
        self.place_labels(self.scale)

    # -- names --------------------------------------------------------------------

    def place_labels(self, scale: float) -> None:
        """Place the names for a zoom of ``scale`` (scene units to pixels)."""
        from companion.ui.territory.ecosystem_labels import place

        keep_none_alive()
        self.scale = scale
        kept = self.focused()
        candidates = [
            node
            for node in self.visible_nodes()
            if (not kept or node.actor_id in kept)
            and (len(self.nodes) <= LABEL_LIMIT or node.broker_rank or node.actor_id in kept)
        ]
        candidates.sort(key=lambda node: self._priority(node, kept))
        obstacles = [node for node in self.visible_nodes() if not kept or node.actor_id in kept]
        sizes = {node.actor_id: self._tag_size(node) for node in candidates}
        edges = self.scene.sceneRect()
        placed = place(
            [
                (n.actor_id, n.pos().x() * scale, n.pos().y() * scale, n.radius * scale)
                for n in candidates
            ],
            sizes,
            [
                (n.actor_id, n.pos().x() * scale, n.pos().y() * scale, n.radius * scale)
                for n in obstacles
            ],
            (
                edges.left() * scale,
                edges.top() * scale,
                edges.right() * scale,
                edges.bottom() * scale,
            ),
            frozenset(
                node.actor_id
                for node in candidates
                if node.actor_id in self.chosen or (node.broker_rank or 99) <= TAGGED_BROKERS
            ),
        )
        self.placed = placed
        for node in self.nodes.values():
            offset = placed.get(node.actor_id)
            if offset is None:
                if node.label is not None:
                    node.label.setVisible(False)
            else:
                self._show_label(node, offset, LABEL_Z)
        if self.hovered is not None:
            self.hover(self.hovered, again=True)

    def _show_label(self, node: NodeItem, offset: tuple[float, float], z: float) -> None:
        if node.label is None:
            node.label = name_tag(node, self.font, self.metrics)
            self.scene.addItem(node.label)
        node.label.setPos(node.pos())
        node.label.setTransform(QTransform.fromTranslate(*offset))
        node.label.setZValue(z)
        node.label.setVisible(True)

    def hover(self, actor_id: str | None, again: bool = False) -> None:
        """The name of the actor under the mouse, above the others, shown even where it did
        not fit (until the mouse leaves it)."""
        if actor_id == self.hovered and not again:
            return
        previous, self.hovered = self.hovered, actor_id
        if previous is not None and previous != actor_id and previous in self.nodes:
            label = self.nodes[previous].label
            if label is not None:
                label.setZValue(LABEL_Z)
                label.setVisible(previous in self.placed)
        node = self.nodes.get(actor_id) if actor_id is not None else None
        if node is None or not node.isVisible():
            return
        offset = self.placed.get(node.actor_id)
        if offset is None:
            offset = (node.radius * self.scale + 3, -self._tag_size(node)[1] / 2)
        self._show_label(node, offset, LABEL_Z + 1)

    def shown_labels(self) -> list[QGraphicsPathItem]:
        return [
            node.label
            for node in self.nodes.values()
            if node.label is not None and node.label.isVisible()
        ]

    def _tag_size(self, node: NodeItem) -> tuple[float, float]:
        return (self.metrics.horizontalAdvance(node.name) + 8, self.metrics.height() + 4)

    def _priority(self, node: NodeItem, kept: set[str]) -> tuple:
        return (
            node.actor_id not in self.chosen,
            node.broker_rank is None,
            node.broker_rank or 0,
            -node.degree,
            node.name.casefold(),
        )


def build_scene(ecosystem: Ecosystem, aspect: float = 1.0) -> EcosystemScene:
    """Items for every actor and relation of ``ecosystem``, packed for ``aspect``."""
    keep_none_alive()
    graph = ecosystem.graph
    metrics = ecosystem.metrics
    scene = QGraphicsScene()
    ranks = {broker.actor_id: rank for rank, broker in enumerate(metrics.brokers, start=1)}
    font = label_font()
    font_metrics = QFontMetricsF(font)
    nodes: dict[str, NodeItem] = {}
    for actor_id, data in graph.nodes(data=True):
        item = NodeItem(
            actor_id,
            data.get("name", ""),
            data.get("kind", "autre"),
            metrics.degrees.get(actor_id, 0),
            ranks.get(actor_id),
        )
        scene.addItem(item)
        nodes[actor_id] = item
    links: dict[str, list[str]] = {}
    for source, target in graph.edges():
        links.setdefault(source, []).append(target)
        links.setdefault(target, []).append(source)
    highlight_pen = QPen(HIGHLIGHT_COLOUR, 2.0)
    highlight_pen.setCosmetic(True)
    highlight = scene.addPath(QPainterPath(), highlight_pen)
    highlight.setZValue(HIGHLIGHT_Z)
    drawn = EcosystemScene(
        scene, nodes, [], highlight, links, ecosystem.blocks, ecosystem.isolated, font, font_metrics
    )
    drawn.arrange(aspect)
    keep_none_alive()
    return drawn
