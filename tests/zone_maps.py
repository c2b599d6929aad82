"""A uMap file as catalysts have them: partners as points, a link between two of them, a
quartier prioritaire (polygon) and a perimeter (line), each layer in its own style."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A quartier prioritaire around the Croix-Rousse slopes (Lyon 1er), as a uMap polygon.
QUARTIER = [[4.826, 45.766], [4.842, 45.766], [4.842, 45.774], [4.826, 45.774], [4.826, 45.766]]
# The contrat de ville's perimeter, drawn as an open line.
PERIMETRE = [[4.80, 45.75], [4.87, 45.75], [4.87, 45.79], [4.82, 45.79]]
TIERS_LIEU = (4.8357, 45.7700)  # inside the quartier
GARAGE = (4.8600, 45.7600)  # outside it


def point(name: str, at: tuple[float, float], **properties: Any) -> dict[str, Any]:
    geometry = {"type": "Point", "coordinates": list(at)}
    return {"type": "Feature", "geometry": geometry, "properties": {"name": name, **properties}}


def feature(kind: str, coordinates: Any, **properties: Any) -> dict[str, Any]:
    geometry = {"type": kind, "coordinates": coordinates}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def quartier_umap() -> dict[str, Any]:
    partners = {
        "type": "FeatureCollection",
        "_umap_options": {"name": "Partenaires", "color": "DarkGreen"},
        "features": [
            point("Tiers-lieu des Pentes", TIERS_LIEU),
            point("Garage solidaire", GARAGE),
            feature("LineString", [list(TIERS_LIEU), list(GARAGE)], name="Coopération"),
        ],
    }
    areas = {
        "type": "FeatureCollection",
        "_umap_options": {"name": "Politique de la ville", "color": "#8e44ad", "weight": 3},
        "features": [
            feature(
                "Polygon",
                [QUARTIER],
                name="QPV Pentes de la Croix-Rousse",
                description="Quartier prioritaire de la politique de la ville",
                _umap_options={"color": "#d35400", "fillOpacity": 0.3, "dashArray": "6,4"},
            ),
            feature("LineString", PERIMETRE, nom="Périmètre du contrat de ville"),
        ],
    }
    data = {
        "type": "umap",
        "properties": {"name": "Acteurs des Pentes"},
        "layers": [partners, areas],
    }
    return json.loads(json.dumps(data))  # a copy of its own: a test may spoil it


def write_map(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
