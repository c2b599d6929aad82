"""Bringing a database up to date: its pending migrations applied, after a check and a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from companion.store import migrations as named
from companion.store.database import check_integrity
from companion.store.migrations import MIGRATIONS_TABLE, Migration, apply_migration


def backup_database(conn: sqlite3.Connection, path: Path, reason: str) -> Path:
    """Copy the database aside (``store/backups.py``); ``reason`` is one of its reasons
    or a migration's name. Return the copy's path."""
    from companion.store import backups  # here: only a database to migrate needs it

    if reason in backups.REASON_LABELS:
        return backups.make_backup(conn, path.parent, reason).path
    return backups.make_backup(conn, path.parent, backups.MIGRATION, detail=reason).path


def migrate(
    conn: sqlite3.Connection,
    path: Path,
    migrations: list[Migration] | None = None,
) -> list[str]:
    """Apply pending migrations (all known ones, or the given list); return their names.

    A database that already holds a schema is checked and backed up first.
    """
    # The module is "named": the parameter has its name. Its list is read at each call.
    wanted = named.MIGRATIONS if migrations is None else migrations
    pending = [m for m in named.pending_migrations(conn, path) if m in wanted]
    if not pending:
        return []
    if named.applied_migrations(conn):
        check_integrity(conn, path)
        backup_database(conn, path, pending[0].name)
    conn.execute(MIGRATIONS_TABLE)
    for migration in pending:
        apply_migration(conn, migration)
    return [m.name for m in pending]
