"""Web Mercator tile arithmetic (the "slippy map" scheme: x east, y south, 2^z tiles a side)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

MAX_LATITUDE = 85.05112878  # Web Mercator stops here: the map is a square


class BBox(NamedTuple):
    """A lon/lat rectangle in degrees (WGS 84); it must not cross the antimeridian."""

    west: float
    south: float
    east: float
    north: float


class TileRange(NamedTuple):
    """Tiles x_min..x_max by y_min..y_max (inclusive) at one zoom."""

    z: int
    x_min: int
    y_min: int
    x_max: int
    y_max: int

    @property
    def count(self) -> int:
        return (self.x_max - self.x_min + 1) * (self.y_max - self.y_min + 1)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x/y of the tile holding a point at zoom ``z`` (clamped to the map)."""
    n = 2**z
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return min(n - 1, max(0, int(x))), min(n - 1, max(0, int(y)))


def tile_range(bbox: BBox, z: int) -> TileRange:
    """The tiles covering ``bbox`` at zoom ``z`` (north is the smaller y)."""
    x_min, y_min = lonlat_to_tile(bbox.west, bbox.north, z)
    x_max, y_max = lonlat_to_tile(bbox.east, bbox.south, z)
    return TileRange(z, x_min, y_min, x_max, y_max)


def tile_ranges(bbox: BBox, zmin: int, zmax: int) -> list[TileRange]:
    """One range per zoom from ``zmin`` to ``zmax`` inclusive."""
    return [tile_range(bbox, z) for z in range(zmin, zmax + 1)]


def iter_tiles(ranges: list[TileRange]) -> Iterator[tuple[int, int, int]]:
    """Every (z, x, y) of the ranges, zoom by zoom, row by row."""
    for r in ranges:
        for y in range(r.y_min, r.y_max + 1):
            for x in range(r.x_min, r.x_max + 1):
                yield r.z, x, y


def tms_row(z: int, y: int) -> int:
    """MBTiles stores rows bottom-up (TMS): row = 2^z - 1 - y. The flip is its own inverse."""
    return (1 << z) - 1 - y


def is_valid_tile(z: int, x: int, y: int) -> bool:
    """Whether z/x/y names a tile of the map."""
    return 0 <= z <= 30 and 0 <= x < (1 << z) and 0 <= y < (1 << z)
