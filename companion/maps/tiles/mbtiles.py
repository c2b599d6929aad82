"""One MBTiles 1.3 file: ``metadata(name, value)`` and ``tiles(zoom_level, tile_column,
tile_row, tile_data)``, rows stored bottom-up (TMS). Callers speak XYZ (y down); the flip
happens here and nowhere else.

Thread safety: connections are lent from a small pool, one per concurrent caller (a sqlite3
connection is never used by two threads at once); writes are serialized by a lock, and WAL lets
readers go on while a tile is written. Each ``put`` is one statement, hence one transaction:
a tile is in the file whole or not at all.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from companion import filemodes
from companion.maps.tiles.tilemath import tms_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS metadata_name ON metadata (name);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
"""


@dataclass(frozen=True)
class TileStats:
    """How many tiles a file holds and their total size in bytes."""

    count: int
    bytes: int

    @property
    def average(self) -> float | None:
        return self.bytes / self.count if self.count else None


class MBTiles:
    """An MBTiles file opened for reading and writing (created if missing), or read-only."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = threading.Lock()
        if not read_only:
            filemodes.private_folder(self.path.parent)
            filemodes.private_file(self.path)  # before SQLite creates it: its -wal alike
            with self._connection() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
        else:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        conn.isolation_level = None  # autocommit: each statement is its own transaction
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._pool_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
            with self._pool_lock:
                self._all.append(conn)
        try:
            yield conn
        finally:
            with self._pool_lock:
                self._idle.append(conn)

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes, or None if the file does not hold it."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT tile_data FROM tiles"
                " WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, tms_row(z, y)),
            ).fetchone()
        return bytes(row[0]) if row else None

    def has(self, z: int, x: int, y: int) -> bool:
        """Whether the file holds the tile (without reading its bytes)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, tms_row(z, y)),
            ).fetchone()
        return row is not None

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        """Store (or replace) one tile."""
        with self._write_lock, self._connection() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data)"
                " VALUES (?, ?, ?, ?)",
                (z, x, tms_row(z, y), sqlite3.Binary(data)),
            )

    def stats(self) -> TileStats:
        """Tile count and total bytes."""
        with self._connection() as conn:
            count, size = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(tile_data)), 0) FROM tiles"
            ).fetchone()
        return TileStats(count, size)

    def metadata(self) -> dict[str, str]:
        """The ``metadata`` table as a dict."""
        with self._connection() as conn:
            rows = conn.execute("SELECT name, value FROM metadata").fetchall()
        return {str(name): str(value) for name, value in rows if name is not None}

    def set_metadata(self, values: dict[str, str]) -> None:
        """Write metadata entries (replacing the ones of the same name)."""
        with self._write_lock, self._connection() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", values.items()
            )

    def clear(self) -> None:
        """Remove every tile, then give the space back to the disk when nobody is reading."""
        with self._write_lock, self._connection() as conn:
            conn.execute("DELETE FROM tiles")
            try:
                conn.execute("VACUUM")
            except sqlite3.OperationalError:
                pass  # a reader holds the file: the space is reused by later tiles anyway

    def close(self) -> None:
        """Close every connection; the object must not be used afterwards."""
        with self._pool_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._idle.clear()
