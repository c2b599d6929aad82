"""Named migrations, each applied in its own transaction (``store/upgrade.py`` applies the
pending ones to a database, after a backup of the file)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from companion.store import schema
from companion.store.database import SchemaTooNew, table_names

BACKUP_FOLDER = "sauvegardes"  # store/backups.py's (loaded only to back up: start-up)
MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str


MIGRATIONS: list[Migration] = [
    Migration("0001_initial", schema.INITIAL),
    Migration("0002_search_index", schema.SEARCH_INDEX),
    Migration("0003_live_record_indexes", schema.LIVE_RECORD_INDEXES),
    Migration("0004_map_views", schema.MAP_VIEWS),
    Migration("0005_map_kind_index", schema.MAP_KIND_INDEX),
    Migration("0006_directory_details", schema.DIRECTORY_DETAILS),
    Migration("0007_toolbox", schema.TOOLBOX),
    Migration("0008_sync", schema.SYNC),
    Migration("0009_sync_base", schema.SYNC_BASE),
    Migration("0010_catalyst_profiles", schema.CATALYST_PROFILES),
    Migration("0011_insights_indexes", schema.INSIGHTS_INDEXES),
    Migration("0012_sync_refused_values", schema.SYNC_REFUSED_VALUES),
    Migration("0013_map_stories", schema.MAP_STORIES),
    Migration("0017_import_batches", schema.IMPORT_BATCHES),
    Migration("0014_contact_details", schema.CONTACT_DETAILS),
    Migration("0015_zones", schema.ZONES),
]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    if "_migrations" not in table_names(conn):
        return []
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def pending_migrations(conn: sqlite3.Connection, path: Path) -> list[Migration]:
    """Migrations not applied yet; ``SchemaTooNew`` if the file knows migrations we don't."""
    applied = applied_migrations(conn)
    known = {m.name for m in MIGRATIONS}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise SchemaTooNew(path, unknown)
    return [m for m in MIGRATIONS if m.name not in applied]


def apply_migration(conn: sqlite3.Connection, migration: Migration) -> None:
    """Run one migration and record it, in one transaction (``_migrations`` must exist)."""
    # executescript() cannot run inside an open transaction, so the script
    # carries its own BEGIN/COMMIT and a failure rolls it back whole.
    now = datetime.now(UTC).isoformat()
    script = (
        "BEGIN IMMEDIATE;\n"
        + migration.sql
        + f"\nINSERT INTO _migrations (name, applied_at) VALUES ('{migration.name}', '{now}');\n"
        + "COMMIT;"
    )
    try:
        conn.executescript(script)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
