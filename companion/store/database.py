"""The store's errors and the SQLite helpers every other store module may use (opening a
database file is ``store/connection.py``'s)."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
_ERRORS = (
    "Error", "DatabaseError", "OperationalError", "IntegrityError", "ProgrammingError",
    "InterfaceError", "DataError", "InternalError", "NotSupportedError",
)  # fmt: skip


class StoreError(CompanionError):
    """The database cannot be used; the message says why and what to do."""


class DatabaseCorrupt(StoreError):
    def __init__(self, path: Path, detail: str = "") -> None:
        self.path = path
        message = _(
            "Le fichier de données « {path} » est endommagé ou n'est pas une base Companion."
        )
        super().__init__(message.format(path=path) + (f" ({detail})" if detail else ""))


class SchemaTooNew(StoreError):
    def __init__(self, path: Path, unknown: list[str]) -> None:
        self.path = path
        self.unknown = unknown
        message = _(
            "La base « {path} » a été créée par une version plus récente de Companion "
            "({migrations}). Mettez Companion à jour pour l'ouvrir ; elle n'a pas été modifiée."
        )
        super().__init__(message.format(path=path, migrations=", ".join(unknown)))


def table_names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Raise ``DatabaseCorrupt`` unless SQLite's quick check passes."""
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except errors() as error:
        raise DatabaseCorrupt(path, str(error)) from error
    if result != "ok":
        raise DatabaseCorrupt(path, result)


def set_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL files) aside; return its new name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.endommagee-{stamp}{path.suffix}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def errors(name: str = "DatabaseError") -> tuple[type[BaseException], ...]:
    """``sqlite3.<name>`` and, once SQLCipher is loaded, its own ``<name>`` (which does not
    derive from sqlite3's): ``except errors("OperationalError"):`` catches both."""
    found: tuple[type[BaseException], ...] = (getattr(sqlite3, name),)
    dbapi2 = sys.modules.get("sqlcipher3.dbapi2")
    if dbapi2 is not None and name in _ERRORS:
        found += (getattr(dbapi2, name),)
    return found
