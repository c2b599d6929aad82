"""The offline vector basemap: outlines (built by ``make data``), label points, territories.

The outlines and the label points (one per région and département, inside its
largest part) are built by ``make data`` and served to the page as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from companion.paths import built_data_path
from companion.text import sort_key

LEVELS = ("france", "regions", "departements")


class BasemapMissing(FileNotFoundError):
    """The outlines were not built (run ``make data``)."""


@dataclass(frozen=True)
class Territory:
    """A région or a département: the codes the map filters on."""

    code: str
    name: str
    region: str  # the région's code (its own code for a région)


def outline_path(level: str) -> Path:
    """The GeoJSON file of one level ("france", "regions", "departements")."""
    if level not in LEVELS:
        raise ValueError(f"unknown level: {level}")
    return built_data_path("boundaries", f"{level}.geojson")


@cache
def _outlines(level: str) -> dict[str, Any]:
    path = outline_path(level)
    if not path.is_file():
        raise BasemapMissing(str(path))
    with path.open(encoding="utf-8") as file:
        return json.load(file)


def regions() -> list[Territory]:
    """Every région, by name."""
    found = [
        Territory(f["properties"]["code"], f["properties"]["nom"], f["properties"]["code"])
        for f in _outlines("regions")["features"]
    ]
    return sorted(found, key=lambda t: sort_key(t.name))


def departements() -> list[Territory]:
    """Every département, by code (the order people know them in)."""
    found = [
        Territory(f["properties"]["code"], f["properties"]["nom"], f["properties"]["region"])
        for f in _outlines("departements")["features"]
    ]
    return sorted(found, key=lambda t: t.code)


def departements_of(region: str) -> list[str]:
    """The codes of a région's départements."""
    return [d.code for d in departements() if d.region == region]


@cache
def label_points() -> dict[str, Any]:
    """A FeatureCollection of points to write names at: ``level`` is "region" or "departement".

    Computed by ``make data`` (``companion.geo.boundaries.label_points``): inside each
    unit's largest part, so a name sits well inside its shape.
    """
    path = built_data_path("boundaries", "labels.geojson")
    if not path.is_file():
        raise BasemapMissing(str(path))
    with path.open(encoding="utf-8") as file:
        return json.load(file)
