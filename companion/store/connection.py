"""Opening the SQLite file safely: readable, really a database, checked, WAL, foreign keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from companion import filemodes
from companion.i18n import _
from companion.store import cipher, schema_check
from companion.store.database import SQLITE_HEADER, DatabaseCorrupt, StoreError, errors


def _looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    return header == SQLITE_HEADER or header == b""


def open_database(path: Path, key: str | None = None) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` in WAL mode with foreign keys on.

    A plain sqlite3 connection: reading needs nothing more, and the app starts
    faster without importing sqlite-utils (the store wraps it for writes). An
    encrypted file (or any file when ``key`` is given) opens through SQLCipher
    (``store/cipher.py``) with ``key``, else the key known for its folder.

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
    path = Path(path)
    _private_file(path)
    encrypted = False
    if path.exists():
        if not path.is_file():
            raise StoreError(_("« {path} » n'est pas un fichier de données.").format(path=path))
        try:
            if not _looks_like_sqlite(path):
                if not cipher.is_encrypted(path):
                    raise DatabaseCorrupt(path)
                encrypted = True
        except PermissionError as error:
            raise StoreError(
                _("Impossible de lire « {path} » : accès refusé.").format(path=path)
            ) from error
    if encrypted or key is not None:
        if key is None:
            key = cipher.key_for(path)
            if key is None:
                raise cipher.KeyRequired(path)
        # A wrong key (or a damaged file) fails here, before anything is written.
        conn = cipher.connect(path, key, create=not path.exists(), isolation_level=None)
        cipher.remember_key(path, key)
        failures = errors()
    else:
        schema_check.check_database_file(path)
        # Autocommit at the driver level: every write goes through db.atomic().
        conn = sqlite3.connect(str(path), isolation_level=None)
        failures = (sqlite3.DatabaseError,)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if encrypted:
            schema_check.check_schema(conn, path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
    except failures as error:
        conn.close()
        raise DatabaseCorrupt(path, str(error)) from error
    except BaseException:
        conn.close()
        raise
    return conn


def _private_file(path: Path) -> None:
    """The database file 0600 (``filemodes.py``), created so before SQLite creates it: its
    -wal, -shm and -journal take its mode. An existing one, and its sides, are tightened."""
    if path.is_file():
        for suffix in ("", "-wal", "-shm", "-journal"):
            filemodes.tighten(f"{path}{suffix}")
    elif not path.exists() and path.parent.is_dir():
        filemodes.private_file(path)
