"""The hub's two databases behind one transaction interface: SQLite and PostgreSQL.

Queries are written once, with ``?`` placeholders and SQL that both engines
accept (``INSERT … ON CONFLICT … DO UPDATE``, ``excluded.``); the PostgreSQL
backend turns the placeholders into ``%s``. Write transactions are serialized
(SQLite: one process-wide lock and ``BEGIN IMMEDIATE``; PostgreSQL: the push
code locks the sequence counter row with ``FOR UPDATE``). ``compact`` makes the
bytes of deleted and overwritten values unreadable in the files (after an
erasure): SQLite zeroes freed space as it goes (``secure_delete``) and empties
its write-ahead log; PostgreSQL rewrites the tables (``VACUUM FULL``), as its
old row versions stay in the files otherwise.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from companion import filemodes
from companion.hub.members import HubError
from companion.i18n import _


class Tx:
    """One open transaction; every query uses ``?`` placeholders."""

    def __init__(self, cursor: Any, postgres: bool) -> None:
        self._cursor = cursor
        self.postgres = postgres
        # Appended to the SELECT that reads the sequence counter in a push.
        self.for_update = " FOR UPDATE" if postgres else ""

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._sql(sql), params)
        return list(self._cursor.fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self._cursor.execute(self._sql(sql), params)
        return self._cursor.fetchone()

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(self._sql(sql), params)

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(self._sql(sql), rows)


class SQLiteBackend:
    """One file, WAL; one connection per thread, one writer at a time."""

    postgres = False
    integer = "INTEGER"

    def __init__(self, path: Path) -> None:
        self.path = path
        filemodes.private_file(path)  # before SQLite creates it: its -wal and -shm alike
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._registry_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a batch the hub acknowledged leaves the laptop's outbox, so
            # it must survive a power cut on the hub.
            conn.execute("PRAGMA synchronous = FULL")
            # Deleted and overwritten values are zeroed, not left in free space: an
            # erasure must leave no copy in the file (with compact()).
            conn.execute("PRAGMA secure_delete = ON")
            self._local.conn = conn
            with self._registry_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Tx]:
        conn = self._connection()
        with self._write_lock if write else nullcontext():
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            cursor = conn.cursor()
            try:
                yield Tx(cursor, postgres=False)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                cursor.close()

    def compact(self, tables: Sequence[str]) -> bool:
        """Copy the log into the database file and empty it (its old pages held old
        values); False if readers kept it from being emptied."""
        with self._write_lock:
            busy = self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy

    def close(self) -> None:
        with self._registry_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()


class PostgresBackend:
    """A small pool of psycopg 3 connections (``size`` at most)."""

    postgres = True
    integer = "BIGINT"

    def __init__(self, url: str, size: int = 10) -> None:
        try:
            import psycopg  # only hubs on PostgreSQL need it (optional dependency)
        except ImportError:
            raise HubError(
                _('PostgreSQL demande le paquet psycopg : pip install "companion[hub]".')
            ) from None
        self._psycopg = psycopg
        self.url = url
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        try:  # fail now, with the driver's reason, on a wrong URL or a server down
            self._idle.put(self._take())
        except psycopg.Error as problem:
            message = _("Base PostgreSQL injoignable : {reason}").format(reason=problem)
            raise HubError(message) from None

    def _take(self) -> Any:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return self._psycopg.connect(self.url, autocommit=True)
            if not conn.closed and not conn.broken:
                return conn

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Tx]:
        with self._slots:
            conn = self._take()
            try:
                with conn.transaction(), conn.cursor() as cursor:
                    yield Tx(cursor, postgres=True)
            finally:
                if not conn.closed and not conn.broken:
                    self._idle.put(conn)

    def compact(self, tables: Sequence[str]) -> bool:
        """Rewrite ``tables`` (and their TOAST tables and indexes) without the old row
        versions, which stay in the files until then; statistics are sampled again."""
        with self._slots:
            conn = self._take()
            try:
                for table in tables:
                    conn.execute(f"VACUUM (FULL, ANALYZE) {table}")
            finally:
                if not conn.closed and not conn.broken:
                    self._idle.put(conn)
        return True

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
