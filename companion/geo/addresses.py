"""Street addresses, offline: an index built from the Base Adresse Nationale's files.

The BAN publishes one file per département (``adresses-94.csv.gz``: ``;``-separated UTF-8,
with ``numero``, ``rep``, ``nom_voie``, ``code_postal``, ``code_insee``, ``nom_commune``,
``lon``, ``lat`` among its columns). ``build_index`` reads such a file into the data
folder's ``adresses.sqlite`` (a département imported again replaces its own rows); an
``AddressIndex`` then places « 12 rue des Écoles 94130 Nogent-sur-Marne » at its door.

Streets are stored once (their commune, postcode, name and folded key), each address as
its street, number, repetition (bis, ter…) and position in millionths of a degree: about
25 bytes an address.

A lookup finds the commune with the gazetteer (postcode, else the name at the end),
then the street by its folded key (« av. » is « avenue »…), exactly or nearly
(rapidfuzz), then the number: exact (``precision`` "adresse"), else the nearest number on
the street ("numero_proche"), else the street's middle ("rue").
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from companion import filemodes
from companion.errors import CompanionError
from companion.geo.gazetteer import Gazetteer
from companion.i18n import _
from companion.text import fold

INDEX_NAME = "adresses.sqlite"
FORMAT_VERSION = "1"
COLUMNS = ("numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune", "lon", "lat")
BATCH = 20_000
STREET_SCORE = 82  # rapidfuzz ratio from which a street name typed differently is the same
SCALE = 1_000_000

Progress = Callable[[int, int, str], None]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS departement (
    code TEXT PRIMARY KEY, source TEXT NOT NULL, addresses INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS street (
    id INTEGER PRIMARY KEY, departement TEXT NOT NULL, insee TEXT NOT NULL,
    postcode TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS street_by_commune ON street (insee, key);
CREATE INDEX IF NOT EXISTS street_by_departement ON street (departement);
CREATE TABLE IF NOT EXISTS address (
    street INTEGER NOT NULL, number INTEGER NOT NULL, rep TEXT NOT NULL,
    lat INTEGER NOT NULL, lon INTEGER NOT NULL,
    PRIMARY KEY (street, number, rep)
) WITHOUT ROWID;
"""

# Words people shorten in street names, folded: the key uses the full word.
_WORDS = {
    "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard",
    "r": "rue", "pl": "place", "ch": "chemin", "che": "chemin", "chem": "chemin",
    "imp": "impasse", "all": "allee", "rte": "route", "sq": "square", "crs": "cours",
    "fg": "faubourg", "fbg": "faubourg", "pas": "passage", "qu": "quai", "res": "residence",
    "st": "saint", "ste": "sainte", "gal": "general", "gl": "general", "mal": "marechal",
    "pdt": "president", "prof": "professeur", "dr": "docteur", "lot": "lotissement",
}  # fmt: skip
# Small words left out of a street's key: « rue de la Paix » is « rue paix ».
_SMALL = {"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et", "en"}
_REPETITIONS = {"b": "bis", "bis": "bis", "t": "ter", "ter": "ter", "q": "quater",
                "quater": "quater", "c": "c", "d": "d"}  # fmt: skip
_POSTCODE = re.compile(r"\d{5}")
_NUMBER = re.compile(r"(\d{1,4})\s*(bis|ter|quater|b|t|q)?\b")


class AddressIndexMissing(CompanionError):
    """No address index yet (none imported), or one this version cannot read."""


@dataclass(frozen=True)
class AddressMatch:
    latitude: float
    longitude: float
    label: str  # « 12 Rue des Écoles, 94130 Nogent-sur-Marne »
    insee: str
    postcode: str
    precision: str  # "adresse", "numero_proche" or "rue"

    def to_json(self) -> dict:
        return {
            "label": self.label, "latitude": self.latitude, "longitude": self.longitude,
            "insee": self.insee, "postcode": self.postcode, "precision": self.precision,
        }  # fmt: skip


def street_key(name: str) -> str:
    """A street name as lookups compare it: folded, short words expanded, small ones left
    out (« Av. de la République » -> "avenue republique")."""
    words = [_WORDS.get(word, word) for word in fold(name).split()]
    kept = [word for word in words if word not in _SMALL]
    return " ".join(kept or words)


def index_path(data_dir: Path) -> Path:
    return Path(data_dir) / INDEX_NAME


# -- building ---------------------------------------------------------------------------


def build_index(
    source: Path,
    data_dir: Path,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    *,
    name: str | None = None,
    sha256: str = "",
) -> tuple[str, int]:
    """Read a BAN département file (gzip or plain CSV) into the data folder's index,
    replacing that département's addresses; one transaction (a failure or a cancel changes
    nothing). ``name``: the file's name as the index records it (default: its own);
    ``sha256``: its digest, kept so that the hub's copy is not fetched twice. Returns
    (département, addresses)."""
    source = Path(source)
    path = filemodes.private_file(index_path(data_dir))  # the data folder's files are 0600
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript(SCHEMA)
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT_VERSION,))
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("BEGIN IMMEDIATE")
        try:
            departement, count = _load(connection, source, progress, cancel, name)
            connection.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(f"imported:{departement}", datetime.now(UTC).isoformat(timespec="seconds")),
                 (f"sha256:{departement}", sha256)],
            )  # fmt: skip
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()
    return departement, count


def _load(
    connection: sqlite3.Connection,
    source: Path,
    progress: Progress | None,
    cancel: threading.Event | None,
    name: str | None = None,
) -> tuple[str, int]:
    streets: dict[tuple[str, str, str], int] = {}
    departement = ""
    next_id = (connection.execute("SELECT max(id) FROM street").fetchone()[0] or 0) + 1
    batch: list[tuple[int, int, str, int, int]] = []
    count = 0
    for line, row in _rows(source):
        insee = row["code_insee"]
        if not departement:
            departement = _departement_of(insee)
            ids = [r[0] for r in connection.execute(
                "SELECT id FROM street WHERE departement = ?", (departement,)
            )]  # fmt: skip
            connection.execute("DELETE FROM street WHERE departement = ?", (departement,))
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                connection.execute(
                    f"DELETE FROM address WHERE street IN ({','.join('?' * len(chunk))})", chunk
                )
        try:
            number = int(row["numero"])
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError as error:
            raise CompanionError(
                _("« {path} », ligne {line} : adresse illisible ({reason}).").format(
                    path=source, line=line, reason=error
                )
            ) from error
        street = (insee, row["code_postal"], row["nom_voie"])
        street_id = streets.get(street)
        if street_id is None:
            street_id = streets[street] = next_id
            next_id += 1
            connection.execute(
                "INSERT INTO street VALUES (?, ?, ?, ?, ?, ?)",
                (street_id, departement, insee, street[1], street[2], street_key(street[2])),
            )
        rep = _REPETITIONS.get(fold(row["rep"]), fold(row["rep"]))
        batch.append((street_id, number, rep, round(lat * SCALE), round(lon * SCALE)))
        count += 1
        if len(batch) >= BATCH:
            _flush(connection, batch)
            if cancel is not None and cancel.is_set():
                raise CompanionError(_("Import des adresses annulé : rien n'a changé."))
            if progress:
                progress(
                    count,
                    0,
                    _("{count} adresses lues").format(count=f"{count:,}".replace(",", "\u202f")),
                )
    _flush(connection, batch)
    if not departement:
        raise CompanionError(_("« {path} » ne contient aucune adresse.").format(path=source))
    connection.execute(
        "INSERT OR REPLACE INTO departement VALUES (?, ?, ?)",
        (departement, name or source.name, count),
    )
    return departement, count


def _flush(connection: sqlite3.Connection, batch: list) -> None:
    connection.executemany("INSERT OR REPLACE INTO address VALUES (?, ?, ?, ?, ?)", batch)
    batch.clear()


def _rows(source: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows (line, column -> text); a French error naming the file and what is
    missing when it is not a BAN file."""
    try:
        raw = gzip.open(source, "rb") if _is_gzip(source) else open(source, "rb")
    except OSError as error:  # the system's text is English: say it in French
        reason = (
            _("fichier introuvable")
            if isinstance(error, FileNotFoundError)
            else (error.strerror or str(error))
        )
        raise CompanionError(
            _("« {path} » est illisible : {reason}").format(path=source, reason=reason)
        ) from error
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text, delimiter=";")
        try:
            header = next(reader)
        except (StopIteration, OSError, UnicodeDecodeError, gzip.BadGzipFile) as error:
            raise CompanionError(
                _("« {path} » n'est pas un fichier d'adresses de la BAN.").format(path=source)
            ) from error
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise CompanionError(
                _("« {path} » n'est pas un fichier d'adresses de la BAN : colonnes {columns} "
                  "absentes.").format(path=source, columns=", ".join(missing))
            )  # fmt: skip
        positions = {column: header.index(column) for column in COLUMNS}
        try:
            for line, cells in enumerate(reader, start=2):
                if len(cells) < len(header):
                    continue
                yield line, {column: cells[index] for column, index in positions.items()}
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as error:
            raise CompanionError(
                _("« {path} » est illisible : {reason}").format(path=source, reason=error)
            ) from error


def _is_gzip(source: Path) -> bool:
    """Whether the file starts as gzip does (a download's ``.part`` has no ``.gz``)."""
    with open(source, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _departement_of(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


# -- looking up -------------------------------------------------------------------------


class AddressIndex:
    """The data folder's address index, read-only; ``lookup`` places typed addresses."""

    def __init__(self, connection: sqlite3.Connection, gazetteer: Gazetteer) -> None:
        self._db = connection
        self._gazetteer = gazetteer
        self._keys: dict[str, dict[str, int]] = {}  # insee -> street key -> street id
        self._streets: dict[int, tuple[str, str, str]] = {}  # id -> insee, postcode, name
        self._commune = functools.lru_cache(maxsize=2048)(gazetteer.by_insee)

    @classmethod
    def open(cls, data_dir: Path, gazetteer: Gazetteer) -> AddressIndex:
        path = index_path(data_dir)
        if not path.is_file():
            raise AddressIndexMissing(
                _("Aucun fichier d'adresses importé dans « {folder} ».").format(folder=data_dir)
            )
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        row = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None or row[0] != FORMAT_VERSION:
            connection.close()
            raise AddressIndexMissing(
                _("Le fichier d'adresses « {path} » est d'une autre version : importez-le à "
                  "nouveau.").format(path=path)
            )  # fmt: skip
        return cls(connection, gazetteer)

    def close(self) -> None:
        self._db.close()

    def departements(self) -> list[tuple[str, int]]:
        return self._db.execute("SELECT code, addresses FROM departement ORDER BY code").fetchall()

    def lookup(self, text: str, insee: str | None = None) -> AddressMatch | None:
        """The position of a typed address; ``insee``: the commune is already known."""
        words = fold(text).split()
        postcode = next((word for word in reversed(words) if _POSTCODE.fullmatch(word)), None)
        if postcode:
            words = words[: len(words) - 1 - words[::-1].index(postcode)]
        number, rep, words = _number(words)
        communes = self._communes(words, postcode, insee)
        if not communes or not words:
            return None
        street_id = self._street(communes, words)
        return None if street_id is None else self._place(street_id, number, rep)

    def _communes(self, words: list[str], postcode: str | None, insee: str | None) -> list[str]:
        """Candidate INSEE codes: the commune given, or the postcode's communes, narrowed by
        a name at the end (taken off ``words``); else the commune named by the last words."""
        if insee or postcode:
            commune = self._commune(insee) if insee else None
            found = [commune] if commune else [] if insee else self._gazetteer.by_postcode(postcode)
            names = {c.insee: _bare(fold(c.name)) for c in found}
            for size in range(min(5, len(words) - 1), 0, -1):
                tail = _bare(" ".join(words[-size:]))
                named = [insee for insee, name in names.items() if name == tail]
                if named:
                    del words[-size:]
                    return named
            return list(names)
        for size in range(min(5, len(words) - 1), 0, -1):
            tail = " ".join(words[-size:])
            named = self._gazetteer.by_name(tail, 3, glued=False)
            exact = [c for c in named if _bare(fold(c.name)) == _bare(tail)]
            if exact:
                del words[-size:]
                return [c.insee for c in exact]
        return []

    def _street(self, communes: list[str], words: list[str]) -> int | None:
        from rapidfuzz import fuzz, process

        key = street_key(" ".join(words))
        by_key = [self._streets_of(insee) for insee in communes]
        for streets in by_key:
            if key in streets:
                return streets[key]
        candidates = [
            (street, street_id) for streets in by_key for street, street_id in streets.items()
        ]
        choice = process.extractOne(
            key, [street for street, _id in candidates], scorer=fuzz.ratio,
            score_cutoff=STREET_SCORE,
        )  # fmt: skip
        return None if choice is None else candidates[choice[2]][1]

    def _streets_of(self, insee: str) -> dict[str, int]:
        streets = self._keys.get(insee)
        if streets is None:
            streets = self._keys[insee] = {}
            for street_id, key, postcode, name in self._db.execute(
                "SELECT id, key, postcode, name FROM street WHERE insee = ?", (insee,)
            ):
                streets.setdefault(key, street_id)
                self._streets[street_id] = (insee, postcode, name)
        return streets

    def _place(self, street_id: int, number: int | None, rep: str) -> AddressMatch | None:
        insee, postcode, name = self._streets[street_id]
        commune = self._commune(insee)
        town = f"{postcode} {commune.name if commune else ''}".strip()
        if number is not None:
            exact = self._db.execute(
                "SELECT number, rep, lat, lon FROM address WHERE street = ? AND number = ? "
                "ORDER BY rep <> ?, rep",
                (street_id, number, rep),
            ).fetchall()
            if exact:
                found, rep_found, lat, lon = exact[0]
                label = f"{found}{' ' + rep_found if rep_found else ''} {name}, {town}"
                return AddressMatch(lat / SCALE, lon / SCALE, label, insee, postcode, "adresse")
        rows = self._db.execute(
            "SELECT number, rep, lat, lon FROM address WHERE street = ?", (street_id,)
        ).fetchall()
        if not rows:
            return None
        if number is not None:
            same_side = [r for r in rows if r[0] % 2 == number % 2] or rows
            found, rep_found, lat, lon = min(same_side, key=lambda r: abs(r[0] - number))
            label = f"{found}{' ' + rep_found if rep_found else ''} {name}, {town}"
            return AddressMatch(lat / SCALE, lon / SCALE, label, insee, postcode, "numero_proche")
        lat = sum(r[2] for r in rows) / len(rows) / SCALE
        lon = sum(r[3] for r in rows) / len(rows) / SCALE
        return AddressMatch(lat, lon, f"{name}, {town}", insee, postcode, "rue")


def _bare(name: str) -> str:
    """A folded commune name without its article or spaces: « le havre » -> "havre"."""
    first, _, rest = name.partition(" ")
    return (rest if first in ("le", "la", "les", "l") and rest else name).replace(" ", "")


def _number(words: list[str]) -> tuple[int | None, str, list[str]]:
    """The house number at the start (« 12 », « 12 bis », « 12b »), and the other words."""
    if not words:
        return None, "", words
    match = _NUMBER.fullmatch(words[0])
    if match is None:
        return None, "", words
    number, rep = int(match.group(1)), _REPETITIONS.get(match.group(2) or "", "")
    rest = words[1:]
    if rest and not rep and rest[0] in ("bis", "ter", "quater"):
        rep, rest = rest[0], rest[1:]
    return number, rep, rest
