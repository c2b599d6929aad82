"""The address index's départements: which are there (count, date), removing one, and
checking a BAN file whole before it replaces anything.

Qt-free: the « Adresses » dialog, the download and the hub's publishing use it.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError
from companion.geo.addresses import _departement_of, _is_gzip, _rows, index_path
from companion.i18n import _

# Metropolitan départements (2A and 2B for Corsica, no 20) and the overseas ones.
DEPARTEMENT = re.compile(r"(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-6])")
CHUNK = 1 << 20


@dataclass(frozen=True)
class IndexedDepartement:
    code: str
    addresses: int
    source: str  # the file's name: « adresses-94.csv.gz »
    imported_at: str  # ISO 8601, UTC ("" for an index made before dates were kept)
    sha256: str  # the file's digest when it came from the hub ("" otherwise)


def check_departement(code: str) -> str:
    """A département code as the BAN names its files (« 94 », « 2A », « 974 »), or a French
    error; « 1 » is « 01 », « 2a » is « 2A »."""
    text = (code or "").strip().upper()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if not DEPARTEMENT.fullmatch(text):
        raise CompanionError(_("« {code} » n'est pas un numéro de département.").format(code=code))
    return text


def indexed_departements(data_dir: Path) -> list[IndexedDepartement]:
    """The départements in the data folder's index, by code (none without an index)."""
    path = index_path(data_dir)
    if not path.is_file():
        return []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        rows = connection.execute(
            "SELECT code, addresses, source FROM departement ORDER BY code"
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        connection.close()
    return [
        IndexedDepartement(
            code, count, source, meta.get(f"imported:{code}", ""), meta.get(f"sha256:{code}", "")
        )
        for code, count, source in rows
    ]


def remove_departement(data_dir: Path, code: str) -> int:
    """Take a département's addresses out of the index; the number removed."""
    path = index_path(data_dir)
    if not path.is_file():
        return 0
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        row = connection.execute(
            "SELECT addresses FROM departement WHERE code = ?", (code,)
        ).fetchone()
        connection.execute(
            "DELETE FROM address WHERE street IN (SELECT id FROM street WHERE departement = ?)",
            (code,),
        )
        connection.execute("DELETE FROM street WHERE departement = ?", (code,))
        connection.execute("DELETE FROM departement WHERE code = ?", (code,))
        connection.execute(
            "DELETE FROM meta WHERE key IN (?, ?)", (f"imported:{code}", f"sha256:{code}")
        )
        connection.execute("COMMIT")
        connection.execute("VACUUM")  # give the disk back: a département is tens of MB
    finally:
        connection.close()
    return 0 if row is None else int(row[0])


def check_file(path: Path, shown_name: str | None = None) -> str:
    """The département of a BAN file, checked whole: gzip intact to its last byte (its
    CRC), the columns present, the first address's commune giving the département. A
    French error naming the file otherwise; nothing is changed either way."""
    name = shown_name or str(path)
    try:
        rows = _rows(Path(path))
        _line, first = next(rows, (0, None))
        rows.close()
    except CompanionError as error:
        raise CompanionError(str(error).replace(str(path), name)) from error
    if first is None:
        raise CompanionError(_("« {path} » ne contient aucune adresse.").format(path=name))
    try:
        departement = check_departement(_departement_of(first["code_insee"]))
    except CompanionError as error:
        raise CompanionError(
            _("« {path} » : code commune « {insee} » inconnu.").format(
                path=name, insee=first["code_insee"]
            )
        ) from error
    if not _is_gzip(Path(path)):
        return departement  # a plain CSV: nothing more to check before reading it
    try:
        with gzip.open(path, "rb") as data:
            while data.read(CHUNK):
                pass
    except (OSError, EOFError, zlib.error) as error:
        raise CompanionError(
            _("« {path} » est incomplet ou abîmé (gzip).").format(path=name)
        ) from error
    return departement
