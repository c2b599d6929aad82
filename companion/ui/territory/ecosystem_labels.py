"""Where the ecosystem's names go at one zoom: beside their disc, never over another
name or another disc.

Plain geometry in pixels (no Qt): names are placed greedily in the order given
(the most important first), each at the first of a few spots around its disc
that is free; a name with no free spot is not shown at this zoom. A grid of
cells finds what is near a spot, so a few thousand names are placed in a blink.
"""

from __future__ import annotations

from collections.abc import Iterable

GAP = 3.0  # pixels between a disc and its name
MARGIN = 1.0  # pixels kept free around every name
CELL = 64.0

Disc = tuple[str, float, float, float]  # id, x, y, radius (pixels)
Rect = tuple[float, float, float, float]  # left, top, right, bottom


def spots(radius: float, width: float, height: float) -> list[tuple[float, float]]:
    """Top-left offsets (from the disc's centre) of the spots a name may take, best first."""
    side = radius + GAP
    return [
        (side, -height / 2),  # right
        (-side - width, -height / 2),  # left
        (-width / 2, -side - height),  # above
        (-width / 2, side),  # below
        (side * 0.7, -side * 0.7 - height),  # above right
        (side * 0.7, side * 0.7),  # below right
        (-side * 0.7 - width, -side * 0.7 - height),  # above left
        (-side * 0.7 - width, side * 0.7),  # below left
    ]


class _Grid:
    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.items: list[tuple[Rect, Disc | None]] = []

    def _cells(self, rect: Rect) -> Iterable[tuple[int, int]]:
        left, top, right, bottom = rect
        for i in range(int(left // CELL), int(right // CELL) + 1):
            for j in range(int(top // CELL), int(bottom // CELL) + 1):
                yield i, j

    def add(self, rect: Rect, disc: Disc | None = None) -> None:
        index = len(self.items)
        self.items.append((rect, disc))
        for cell in self._cells(rect):
            self.cells.setdefault(cell, []).append(index)

    def near(self, rect: Rect) -> set[int]:
        found: set[int] = set()
        for cell in self._cells(rect):
            found.update(self.cells.get(cell, ()))
        return found


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _covers_disc(rect: Rect, disc: Disc) -> bool:
    _id, x, y, radius = disc
    nearest_x = min(max(x, rect[0]), rect[2])
    nearest_y = min(max(y, rect[1]), rect[3])
    return (x - nearest_x) ** 2 + (y - nearest_y) ** 2 < radius * radius


def place(
    names: list[Disc],
    sizes: dict[str, tuple[float, float]],
    discs: list[Disc],
    bounds: Rect | None = None,
    over_discs: frozenset[str] = frozenset(),
) -> dict[str, tuple[float, float]]:
    """The offset (top left, from its disc's centre) of each name placed; the names in
    ``names`` order of importance, ``discs`` every disc a name must not cover (but the
    names in ``over_discs``: a hub's neighbours surround it), ``bounds`` the drawing's
    edges that no name may cross."""
    grid = _Grid()
    for disc in discs:
        _id, x, y, radius = disc
        grid.add((x - radius, y - radius, x + radius, y + radius), disc)
    placed: dict[str, tuple[float, float]] = {}
    for actor_id, x, y, radius in names:
        width, height = sizes[actor_id]
        for dx, dy in spots(radius, width, height):
            rect = (
                x + dx - MARGIN,
                y + dy - MARGIN,
                x + dx + width + MARGIN,
                y + dy + height + MARGIN,
            )
            if bounds is not None and not _inside(rect, bounds):
                continue
            if not _free(grid, rect, actor_id, actor_id in over_discs):
                continue
            grid.add(rect)
            placed[actor_id] = (dx, dy)
            break
    return placed


def _inside(rect: Rect, bounds: Rect) -> bool:
    return (
        rect[0] >= bounds[0]
        and rect[1] >= bounds[1]
        and rect[2] <= bounds[2]
        and rect[3] <= bounds[3]
    )


def _free(grid: _Grid, rect: Rect, owner: str, over_discs: bool = False) -> bool:
    for index in grid.near(rect):
        other, disc = grid.items[index]
        if disc is None:
            if _overlaps(rect, other):
                return False
        elif not over_discs and disc[0] != owner and _covers_disc(rect, disc):
            return False
    return True
