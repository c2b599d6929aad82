"""Actors as GeoJSON points, compatible with uMap: import (checked like a spreadsheet) and export.

A uMap file (``.umap``: its layers, each a feature collection) imports too, each layer's
name a tag of its points; lines and polygons never refuse a file (``io/geo_features.py``).

uMap shows a feature's ``name`` and ``description``; the other properties carry
the directory's fields with the column names the spreadsheet import knows, so a
file exported here, or drawn in uMap, imports back. A point without a commune
gets one offline from the gazetteer (reverse geocoding).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from companion.domain import ACTOR_KINDS, label
from companion.geo import Gazetteer
from companion.i18n import _
from companion.io import actor_fields as fields
from companion.io.actor_import import PROGRESS_ROWS, Progress, RowChecker, check_cancel
from companion.io.import_plan import ImportPlan, Problem
from companion.io.textfile import TextFormat, UnreadableFile, check_size, unreadable_reason
from companion.store import Store


def plan_geojson(
    store: Store,
    gazetteer: Gazetteer,
    path: Path,
    default_kind: str = "autre",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    relation_type: str = "autre",
    zones: bool = True,
) -> ImportPlan:
    """Check every feature of a GeoJSON file, or of a uMap file's layers; problems are
    numbered by feature. Points are actors; lines between actors relations; other lines
    and areas zones, or set aside when ``zones`` is False (``io/geo_features.py``)."""
    from companion.io.geo_features import OtherFeature, plan_other_features

    path = Path(path)
    data = load_json(path)
    features = _features(data, path)
    layer_options = _layer_options(data)
    plan = ImportPlan(path, TextFormat("utf-8", ""), [], {})
    checker = RowChecker(store, gazetteer, default_kind=default_kind)
    others: list[OtherFeature] = []
    for number, (feature, layer) in enumerate(features, start=1):
        if _geometry_type(feature) != "Point":
            options = layer_options[number - 1] if layer_options else None
            others.append((number, feature, layer, options))
            continue
        found: list[Problem] = []
        cells = _cells(feature, number, found)
        if layer:  # a uMap layer's name is a tag of its points
            cells["tags"] = ", ".join(tag for tag in (cells.get("tags", ""), layer) if tag)
        if not found:
            planned = checker.check(number, cells, found)
            if planned is not None:
                plan.actors.append(planned)
        plan.problems.extend(replace(problem, unit="feature") for problem in found)
        report_progress(number, len(features), progress, cancel)
    plan_other_features(store, plan, others, relation_type, zones)
    return plan


def _features(data: Any, path: Path) -> list[tuple[Any, str]]:
    """Each feature with its uMap layer's name ("" in a plain GeoJSON collection)."""
    features = layered_features(data)
    if features is None:
        raise UnreadableFile(
            _("« {path} » n'est pas une collection GeoJSON (FeatureCollection).").format(path=path)
        )
    if not features:
        raise UnreadableFile(_("« {path} » ne contient aucun élément.").format(path=path))
    return features


def layered_features(data: Any) -> list[tuple[Any, str]] | None:
    """A map file's features, each with its uMap layer's name ("" in a plain GeoJSON
    collection), in the order the import numbers them; None when it is neither."""
    layers = data.get("layers") if isinstance(data, dict) and data.get("type") == "umap" else None
    if isinstance(layers, list):
        features = []
        for layer in layers:
            if isinstance(layer, dict) and isinstance(layer.get("features"), list):
                options = layer.get("_umap_options")
                name = options.get("name") if isinstance(options, dict) else None
                layer_name = name.strip() if isinstance(name, str) else ""
                features.extend((feature, layer_name) for feature in layer["features"])
        return features
    if isinstance(data, dict) and isinstance(data.get("features"), list):
        return [(feature, "") for feature in data["features"]]
    return None


def _layer_options(data: Any) -> list[Any]:
    """Each feature's uMap layer ``_umap_options`` (its style), in ``layered_features``'
    order; empty for a plain GeoJSON collection."""
    layers = data.get("layers") if isinstance(data, dict) and data.get("type") == "umap" else None
    options: list[Any] = []
    for layer in layers if isinstance(layers, list) else ():
        if isinstance(layer, dict) and isinstance(layer.get("features"), list):
            options.extend([layer.get("_umap_options")] * len(layer["features"]))
    return options


def _geometry_type(feature: Any) -> str | None:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    return kind if isinstance(kind, str) else None


def report_progress(
    number: int, total: int, progress: Progress | None, cancel: threading.Event | None
) -> None:
    """Every few hundred elements: stop if cancelled, else say how far the check is."""
    if number % PROGRESS_ROWS == 0 or number == total:
        check_cancel(cancel)
        if progress:
            progress(number, total, _("{done} / {total} éléments").format(done=number, total=total))


def load_json(path: Path) -> Any:
    """A JSON file's content; ``UnreadableFile`` (naming the file and line) if it is not JSON,
    is too large (``io/limits.py``) or nested deeper than the parser goes."""
    check_size(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise UnreadableFile(unreadable_reason(path, error)) from error
    except RecursionError as error:
        raise UnreadableFile(
            _("« {path} » est refusé : données JSON imbriquées trop profondément.").format(
                path=path
            )
        ) from error
    except (ValueError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", "?")  # the parser's own text is English: not shown
        reason = (
            _("pas du texte UTF-8")
            if isinstance(error, UnicodeDecodeError)
            else _("ce n'est pas du JSON valide")
        )
        raise UnreadableFile(
            _("« {path} », ligne {line} : fichier illisible ({reason}).").format(
                path=path, line=line, reason=reason
            )
        ) from error
    return data


def _cells(feature: Any, number: int, found: list[Problem]) -> dict[str, str]:
    properties = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
    if not isinstance(properties, dict):
        properties = {}
    keys = [str(key) for key in properties]
    mapping = fields.guess_mapping(keys)
    cells = {field: _text(properties[keys[index]]) for index, field in mapping.items()}
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind != "Point":
        found.append(
            Problem(number, "", _("géométrie « {kind} » : un point est attendu").format(kind=kind))
        )
        return cells
    coordinates = geometry.get("coordinates") or []
    if not isinstance(coordinates, list):
        found.append(Problem(number, "", _("coordonnées du point illisibles")))
    elif len(coordinates) >= 2:
        cells["longitude"], cells["latitude"] = _text(coordinates[0]), _text(coordinates[1])
    return cells


def _text(value: Any) -> str:
    """A property as text: a list's plain values joined; objects and nested lists are no
    text (and are never turned into one: deep ones would exhaust the recursion limit)."""
    if isinstance(value, list):
        return ", ".join(text for text in map(_scalar, value) if text)
    return _scalar(value)


def _scalar(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def export_geojson(store: Store, path: Path, include_private: bool = False) -> int:
    """Write the actors that have a position (network ones only, unless asked) and the
    zones; return how many actors."""
    condition = "" if include_private else " AND a.visibility = 'network'"
    rows = store.conn.execute(
        "SELECT a.id, a.name, a.kind, a.description, a.commune, a.postcode, a.insee_code, "
        "a.website, a.email, a.phone, a.latitude, a.longitude, "
        "(SELECT group_concat(t.name, ', ') FROM actor_tags at JOIN tags t ON t.id = at.tag_id "
        " WHERE at.actor_id = a.id AND t.deleted = 0) "
        "FROM actors a WHERE a.deleted = 0 AND a.latitude IS NOT NULL "
        f"AND a.longitude IS NOT NULL{condition} ORDER BY a.sort_name"
    ).fetchall()
    features = []
    for actor_id, name, kind, description, commune, postcode, insee, website, email, phone, \
            latitude, longitude, tags in rows:  # fmt: skip
        properties = {
            "id": actor_id, "name": name, "description": description,
            "type": label(ACTOR_KINDS, kind), "commune": commune, "code postal": postcode,
            "code insee": insee, "site web": website, "courriel": email, "telephone": phone,
            "etiquettes": tags,
        }  # fmt: skip
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {key: value for key, value in properties.items() if value},
            }
        )
    from companion.io.peer_exports import zone_feature
    from companion.store.zones import list_zones

    # The zones too (each in its style, its layer as « categorie »): they import back.
    for zone in list_zones(store.conn):
        feature = zone_feature(zone)
        if zone.category:
            feature["properties"]["categorie"] = zone.category
        features.append(feature)
    partial = Path(f"{path}.partiel")
    partial.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    os.replace(partial, path)
    return len(features)
