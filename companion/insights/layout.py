"""Positions for the network view: the same picture for the same graph and seed.

A force-directed layout (Fruchterman-Reingold, as networkx's ``spring_layout``)
costs n² per step: fine for a group of a few hundred actors, not for 5,000 (and
networkx needs scipy, not a dependency, past 500 nodes). So:

- each group of linked actors is drawn on its own, largest first
  (``layout_blocks``, once); ``arrange`` packs the drawings in rows as wide as
  makes the whole the shape of the view (again when the view changes shape),
  the isolated actors in a grid after them only when they are asked for;
- a group larger than ``DIRECT_LIMIT`` is drawn as clusters: its Louvain
  communities (split again while too large) are each laid out in a disc sized by
  their members, and the discs placed by the same layout run on the graph of
  communities, so linked communities sit side by side;
- all the small layouts run together, as one vectorised numpy computation
  (hundreds of separate ``spring_layout`` calls spend their time in overhead).

5,000 actors and 10,000 relations are placed in well under a second.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

DIRECT_LIMIT = 150
ITERATIONS = 50
MAX_STRETCH = 1.6

Positions = dict[Hashable, "np.ndarray"]


def layout(
    graph: nx.Graph,
    seed: int = 0,
    communities: list[list[str]] | None = None,
    aspect: float = 1.0,
) -> dict[Hashable, tuple[float, float]]:
    """(x, y) of every node, both within [0, 1]; y grows downwards, as on a screen.

    ``communities`` (from ``ecosystem_metrics``) saves computing them again;
    ``aspect`` is the width / height of the drawing wanted (that of the view).
    """
    blocks, isolated = layout_blocks(graph, seed, communities)
    return _normalise(arrange(blocks, isolated, aspect))


def layout_blocks(
    graph: nx.Graph, seed: int = 0, communities: list[list[str]] | None = None
) -> tuple[list[dict[Hashable, tuple[float, float]]], list[Hashable]]:
    """Each group of linked actors drawn on its own (largest first), and the isolated
    actors: the costly part, done once; ``arrange`` packs them for a view's shape."""
    import networkx as nx

    if len(graph) == 0:
        return [], []
    rank = {node: i for i, node in enumerate(graph)}
    groups = sorted(
        (sorted(c, key=rank.__getitem__) for c in nx.connected_components(graph) if len(c) > 1),
        key=lambda c: (-len(c), rank[c[0]]),
    )
    small = forces(graph, [g for g in groups if len(g) <= DIRECT_LIMIT], seed)
    blocks = [
        {node: small[node] for node in group}
        if len(group) <= DIRECT_LIMIT
        else _clustered(graph, group, seed, communities)
        for group in groups
    ]
    plain = [{node: (float(xy[0]), float(xy[1])) for node, xy in block.items()} for block in blocks]
    return plain, [node for node in graph if graph.degree(node) == 0]


def arrange(
    blocks: list[dict[Hashable, tuple[float, float]]],
    isolated: list[Hashable],
    aspect: float = 1.0,
) -> dict[Hashable, tuple[float, float]]:
    """The blocks (and the isolated actors in a grid, if any are given) packed in rows
    into a drawing about ``aspect`` times as wide as high, in units of the spacing
    between neighbours; (0, 0) is its top left corner."""
    import numpy as np

    parts = [{n: np.array(xy, dtype=float) for n, xy in block.items()} for block in blocks]
    if isolated:
        parts.append(_grid(isolated))
    if not parts:
        return {}
    positions = _pack(parts, aspect)
    points = np.array(list(positions.values()), dtype=float)
    low = points.min(axis=0)
    width, height = np.maximum(points.max(axis=0) - low, 1.0)
    # Fill the view: stretch the narrow side (a lone round group in a wide view), within
    # reason, so that groups stay recognisable.
    stretch_x = min(MAX_STRETCH, max(1.0, aspect * height / width))
    stretch_y = min(MAX_STRETCH, max(1.0, width / (aspect * height)))
    return {
        node: (
            round(float((xy[0] - low[0]) * stretch_x), 4),
            round(float((xy[1] - low[1]) * stretch_y), 4),
        )
        for node, xy in positions.items()
    }


def _clustered(
    graph: nx.Graph, nodes: list[Hashable], seed: int, communities: list[list[str]] | None
) -> Positions:
    """A large group as discs of communities placed by the layout of their links."""
    import networkx as nx

    parts = _parts(graph, nodes, seed, communities)
    local = forces(graph, parts, seed)
    owner = {node: i for i, part in enumerate(parts) for node in part}
    quotient = nx.Graph()
    quotient.add_nodes_from(range(len(parts)))
    for u, v in graph.subgraph(nodes).edges():
        a, b = owner[u], owner[v]
        if a != b:
            weight = quotient.edges[a, b]["weight"] + 1 if quotient.has_edge(a, b) else 1
            quotient.add_edge(a, b, weight=weight)
    if len(quotient) <= DIRECT_LIMIT:
        centres = forces(quotient, [list(quotient)], seed)
    else:
        centres = _clustered(quotient, list(quotient), seed, None)
    unit = math.sqrt(0.5 / len(nodes))  # the discs fill about half the drawing
    positions = {}
    for i, part in enumerate(parts):
        radius = unit * math.sqrt(len(part))
        for node in part:
            positions[node] = centres[i] + local[node] * radius
    return positions


def _parts(
    graph: nx.Graph, nodes: list[Hashable], seed: int, communities: list[list[str]] | None
) -> list[list[Hashable]]:
    """Communities covering ``nodes``, each of at most ``DIRECT_LIMIT`` nodes, in node order."""
    import networkx as nx

    inside = set(nodes)
    given = [c for c in communities or [] if c and c[0] in inside]  # never across groups
    if not given:
        given = nx.community.louvain_communities(graph.subgraph(nodes), seed=seed)
    rank = {node: i for i, node in enumerate(nodes)}
    parts = [sorted(c, key=rank.__getitem__) for c in given]
    covered = {node for part in parts for node in part}
    parts += [[node] for node in nodes if node not in covered]
    final: list[list[Hashable]] = []
    for part in parts:
        if len(part) <= DIRECT_LIMIT:
            final.append(part)
        elif len(part) < len(nodes):
            final += _parts(graph, part, seed, None)
        else:  # no structure left to split on: slices in breadth-first order
            order = [n for n in nx.bfs_tree(graph.subgraph(part), part[0]) if n in inside]
            order += [n for n in part if n not in set(order)]
            final += [order[i : i + DIRECT_LIMIT] for i in range(0, len(order), DIRECT_LIMIT)]
    return final


def forces(graph: nx.Graph, parts: Iterable[list[Hashable]], seed: int) -> Positions:
    """Fruchterman-Reingold on each part (nodes repel within their part; edges inside a
    part attract), all parts at once; each part comes out centred, within [-1, 1]².

    The same steps as networkx's dense ``_fruchterman_reingold`` (optimal distance
    1/√n, a temperature cooling linearly from a tenth of the drawing).
    """
    import numpy as np

    parts = [part for part in parts if part]
    if not parts:
        return {}
    nodes = [node for part in parts for node in part]
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    part_of = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    sizes = np.array([len(p) for p in parts], dtype=float)
    optimal = np.sqrt(1.0 / sizes)[part_of]  # k, per node
    pairs_i, pairs_j = _pairs([len(p) for p in parts])
    links = [(index[u], index[v]) for u, v in graph.subgraph(nodes).edges()]
    links = [(i, j) for i, j in links if part_of[i] == part_of[j]]
    ei = np.array([i for i, _j in links], dtype=np.int64)
    ej = np.array([j for _i, j in links], dtype=np.int64)
    pos = np.random.RandomState(seed).rand(n, 2)
    temperature = 0.1
    step = temperature / (ITERATIONS + 1)
    for _ in range(ITERATIONS):
        move = np.zeros((n, 2))
        delta = pos[pairs_i] - pos[pairs_j]
        distance = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
        k = optimal[pairs_i]
        push = delta * (k * k / distance**2)[:, None]
        for axis in (0, 1):
            move[:, axis] += np.bincount(pairs_i, push[:, axis], n)
            move[:, axis] -= np.bincount(pairs_j, push[:, axis], n)
        if len(ei):
            delta = pos[ei] - pos[ej]
            distance = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
            pull = delta * (distance / optimal[ei])[:, None]
            for axis in (0, 1):
                move[:, axis] -= np.bincount(ei, pull[:, axis], n)
                move[:, axis] += np.bincount(ej, pull[:, axis], n)
        length = np.hypot(move[:, 0], move[:, 1])
        length = np.where(length < 0.01, 0.1, length)
        pos += move * (temperature / length)[:, None]
        temperature -= step
    positions = {}
    for p, part in enumerate(parts):
        block = pos[part_of == p]
        block = block - (block.max(axis=0) + block.min(axis=0)) / 2
        span = float(np.abs(block).max()) or 1.0
        for node, xy in zip(part, block / span, strict=True):
            positions[node] = xy
    return positions


def _pairs(sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair of nodes within each part, as two index arrays."""
    import numpy as np

    firsts, seconds = [], []
    offset = 0
    for size in sizes:
        if size > 1:
            i, j = np.triu_indices(size, k=1)
            firsts.append(i + offset)
            seconds.append(j + offset)
        offset += size
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _grid(nodes: list[Hashable]) -> Positions:
    """Nodes in rows, as wide as high."""
    import numpy as np

    columns = max(1, math.ceil(math.sqrt(len(nodes))))
    step = 2 / (columns - 1) if columns > 1 else 0.0
    return {
        node: np.array([-1 + (i % columns) * step, -1 + (i // columns) * step])
        for i, node in enumerate(nodes)
    }


def _pack(blocks: list[Positions], aspect: float = 1.0) -> Positions:
    """Blocks side by side in rows, each scaled to an area proportional to its nodes; the
    rows as wide as makes the whole closest to ``aspect`` (width / height)."""
    import numpy as np

    scaled_blocks = []
    for block in blocks:
        points = np.array(list(block.values()), dtype=float)
        low = points.min(axis=0)
        span = float((points.max(axis=0) - low).max()) or 1.0
        side = math.sqrt(len(block)) * 1.2 if len(block) > 1 else 1.0
        scaled = (points - low) / span * side
        scaled_blocks.append((block, scaled, scaled.max(axis=0) + 1.0))  # a spacing's margin
    widest = max(extent[0] for _b, _s, extent in scaled_blocks)
    total = sum(extent[0] for _b, _s, extent in scaled_blocks)

    def shelves(width: float) -> tuple[list[tuple[float, float]], float, float]:
        places, x, y, row_height, right = [], 0.0, 0.0, 0.0, 0.0
        for _block, _scaled, extent in scaled_blocks:
            if x > 0 and x + extent[0] > width:
                x, y, row_height = 0.0, y + row_height, 0.0
            places.append((x, y))
            x += extent[0]
            right = max(right, x)
            row_height = max(row_height, extent[1])
        return places, right, y + row_height

    best = None
    steps = 24
    for step in range(steps + 1):  # row widths from the widest block to one single row
        width = widest * (total / widest) ** (step / steps)
        places, right, bottom = shelves(width)
        fill = min(aspect / right, 1.0 / bottom)  # the scale at which it fits the view
        if best is None or fill > best[0] + 1e-9:
            best = (fill, places)
    assert best is not None
    positions: Positions = {}
    for (block, scaled, _extent), (x, y) in zip(scaled_blocks, best[1], strict=True):
        for node, xy in zip(block, scaled, strict=True):
            positions[node] = xy + (x, y)
    return positions


def _normalise(positions: Positions) -> dict[Hashable, tuple[float, float]]:
    import numpy as np

    nodes = list(positions)
    points = np.array([positions[node] for node in nodes], dtype=float)
    low = points.min(axis=0)
    span = float((points.max(axis=0) - low).max()) or 1.0
    # The same scale on both axes (a circle stays round), centred on the shorter one.
    points = (points - low) / span
    points += (1.0 - points.max(axis=0)) / 2
    return {
        node: (round(float(x), 5), round(float(y), 5))
        for node, (x, y) in zip(nodes, points, strict=True)
    }
