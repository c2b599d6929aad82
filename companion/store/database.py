"""Opening the SQLite file safely: readable, really a database, WAL, foreign keys."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"


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


def _looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    return header == SQLITE_HEADER or header == b""


def open_database(path: Path, key: str | None = None) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` in WAL mode with foreign keys on.

    A plain sqlite3 connection: reading needs nothing more, and the app starts
    faster without importing sqlite-utils (the store wraps it for writes). An
    encrypted file (or any file when ``key`` is given) opens through SQLCipher
    (``store/encryption.py``) with ``key``, else the key known for its folder.

    An existing file is first checked against the schema of its migration level
    (``store/schema_check.py``), before anything is written: read-only (``mode=ro``),
    or for an encrypted file on its SQLCipher connection before the first write (a
    second connection would derive a passphrase's key twice).

    Raises ``StoreError`` for an unusable path, ``DatabaseCorrupt`` for a file
    that is not a readable SQLite database, ``UnexpectedSchema`` for one holding
    objects of its own (``SchemaTooNew``: from a newer Companion),
    ``KeyRequired``/``WrongKey`` for an encrypted one without its key; the file is
    never modified then.
    """
    from companion.store import schema_check

    path = Path(path)
    _private_file(path)
    encrypted = False
    if path.exists():
        if not path.is_file():
            raise StoreError(_("« {path} » n'est pas un fichier de données.").format(path=path))
        try:
            if not _looks_like_sqlite(path):
                from companion.store.encryption import is_encrypted

                if not is_encrypted(path):
                    raise DatabaseCorrupt(path)
                encrypted = True
        except PermissionError as error:
            raise StoreError(
                _("Impossible de lire « {path} » : accès refusé.").format(path=path)
            ) from error
    if encrypted or key is not None:
        from companion.store import encryption

        if key is None:
            key = encryption.key_for(path)
            if key is None:
                raise encryption.KeyRequired(path)
        # A wrong key (or a damaged file) fails here, before anything is written.
        conn = encryption.connect(path, key, create=not path.exists(), isolation_level=None)
        encryption.remember_key(path, key)
        errors = encryption.errors()
    else:
        schema_check.check_database_file(path)
        # Autocommit at the driver level: every write goes through db.atomic().
        conn = sqlite3.connect(str(path), isolation_level=None)
        errors = (sqlite3.DatabaseError,)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if encrypted:
            schema_check.check_schema(conn, path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
    except errors as error:
        conn.close()
        raise DatabaseCorrupt(path, str(error)) from error
    except BaseException:
        conn.close()
        raise
    return conn


def _private_file(path: Path) -> None:
    """The database file 0600 (``filemodes.py``), created so before SQLite creates it: its
    -wal, -shm and -journal take its mode. An existing one, and its sides, are tightened."""
    from companion import filemodes

    if path.is_file():
        for suffix in ("", "-wal", "-shm", "-journal"):
            filemodes.tighten(f"{path}{suffix}")
    elif not path.exists() and path.parent.is_dir():
        filemodes.private_file(path)


def table_names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Raise ``DatabaseCorrupt`` unless SQLite's quick check passes."""
    from companion.store.encryption import errors

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
