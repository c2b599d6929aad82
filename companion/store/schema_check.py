"""Whether a database holds exactly the schema its migrations define. Qt-free.

A database brought in from outside (a backup restored, an archive imported, a data folder
chosen) could carry SQL of its own: a trigger runs at every write of its table, so one that
turns private actors into network ones sends their descriptions and e-mails to the hub at
the next sync. So before such a file is opened for writing, every object of its schema
(``sqlite_master``: tables with their columns, indexes, triggers, views) is compared with
those of a fresh database migrated to the same level (the migrations its ``_migrations``
names), built in memory once per level and process: type, name, table and SQL. The SQL is
compared token by token, whitespace and comments aside (the first releases wrapped a line of
migration 0002's ``tags_fts_update`` differently; nothing else ever changed, see
``git log -p companion/store/schema.py companion/store/sync_triggers.py
companion/sync/capture.py``), never case or literals.
Any object extra, different or missing is refused, by name, in French.

SQLite's own objects are a fresh database's too (``sqlite_autoindex_*``, the FTS5 shadow
tables), and compared alike; ``sqlite_stat1``/``sqlite_stat4`` (ANALYZE, ``PRAGMA
optimize``) are accepted with their exact SQL. The undo journal's triggers are TEMP ones,
never in the file. ``user_version`` and ``application_id`` are 0 in every Companion database:
another value is another application's file (an MBTiles, a GeoPackage) and is refused. A file
can only hold the WAL or the rollback journal mode: both are accepted.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from companion.i18n import N_, _
from companion.store.cipher import connect_file, is_encrypted
from companion.store.database import DatabaseCorrupt, SchemaTooNew, StoreError, errors
from companion.store.migrations import MIGRATIONS, MIGRATIONS_TABLE, apply_migration

# What ANALYZE (or PRAGMA optimize) adds to any database, exactly as SQLite writes it.
STATISTICS = {
    "sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
    "sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)",
}
JOURNAL_MODES = ("wal", "delete")

_UNKNOWN = {
    "table": N_("une table inconnue : « {name} »"),
    "index": N_("un index inconnu : « {name} »"),
    "trigger": N_("un déclencheur inconnu : « {name} »"),
    "view": N_("une vue inconnue : « {name} »"),
}
_DIFFERENT = {
    "table": N_("une table « {name} » différente de celle de Companion"),
    "index": N_("un index « {name} » différent de celui de Companion"),
    "trigger": N_("un déclencheur « {name} » différent de celui de Companion"),
    "view": N_("une vue « {name} » différente de celle de Companion"),
}
_MISSING = {
    "table": N_("la table « {name} »"),
    "index": N_("l'index « {name} »"),
    "trigger": N_("le déclencheur « {name} »"),
    "view": N_("la vue « {name} »"),
}
_ORDER = ("trigger", "view", "table", "index")  # the most dangerous named first

# SQLite's tokens as far as a comparison needs them: whitespace and comments (dropped),
# blob literals, strings and quoted identifiers (whole, inner spaces kept), runs of
# identifier characters (words and numbers), and any other character on its own.
_TOKENS = re.compile(
    r"""
      (?P<skip> \s+ | --[^\n]* | /\*.*?(?:\*/|\Z) )
    | [xX]'[^']*'
    | '(?:[^']|'')*'
    | "(?:[^"]|"")*"
    | `(?:[^`]|``)*`
    | \[[^\]]*\]
    | [0-9A-Za-z_$\x80-\U0010ffff]+
    | .
    """,
    re.DOTALL | re.VERBOSE,
)


class UnexpectedSchema(StoreError):
    """A database whose schema is not the one its migrations define, or not a Companion
    database at all; ``name`` is the object (or the PRAGMA) refused."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class SchemaObject:
    """One row of ``sqlite_master``."""

    type: str
    name: str
    table: str
    sql: str | None


Schema = dict[tuple[str, str], SchemaObject]  # (type, name) -> object

# The newest level's schema as a fresh database holds it (``schema_digest``): a database
# at that level holding exactly this passes at once, without the reference schema being
# built (30 ms of every start-up). Any other passes or is refused by the comparison.
# tests/integration/test_schema_check.py says when a new migration needs a new line.
NEWEST = (
    "0015_zones",
    "e007ac8c858442b77969d6a29b08dc54679bc97d8df186ecdcf6aaaea442b948",
)

_lock = threading.Lock()
_expected: dict[tuple[str, ...], Schema] = {}


def check_database_file(path: Path | str, key: str | None = None) -> None:
    """Check the database file at ``path`` as :func:`check_schema` does, read-only
    (``mode=ro``; an encrypted file through SQLCipher, with ``key`` or its folder's key).

    A missing or empty file passes (it will be a new database). Raises
    ``UnexpectedSchema``, ``SchemaTooNew``, ``DatabaseCorrupt`` for a file SQLite cannot
    read, ``KeyRequired``/``WrongKey`` for an encrypted one without its key.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return
    if key is not None and not is_encrypted(path):
        key = None
    try:
        # Not immutable=1: it would ignore a -wal beside the file, which can hold objects too.
        conn = connect_file(path, read_only=True, key=key, timeout=30)
    except errors() as error:
        raise DatabaseCorrupt(path, str(error)) from error
    try:
        check_schema(conn, path)
    except errors() as error:
        raise DatabaseCorrupt(path, str(error)) from error
    finally:
        conn.close()


def check_schema(conn: sqlite3.Connection, path: Path | str) -> None:
    """Refuse, naming it (``UnexpectedSchema``), any object of the database open on ``conn``
    that a fresh database migrated to the same level does not have alike, or lacks; an
    unexpected ``user_version``, ``application_id`` or journal mode too. ``SchemaTooNew``
    when the database knows migrations this version does not. Only reads; an empty
    database (nothing in ``sqlite_master``) passes."""
    _check_header(conn)
    found = read_schema(conn)
    if not found:
        return
    applied = _applied(conn, found)
    known = {migration.name for migration in MIGRATIONS}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise SchemaTooNew(Path(path), unknown)
    if _is_newest(applied, found):
        return
    problems = differences(found, expected_schema(applied))
    if problems:
        raise problems[0]


def read_schema(conn: sqlite3.Connection) -> Schema:
    """The objects of the main database's ``sqlite_master`` (never the TEMP ones)."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master").fetchall()
    return {(row[0], row[1]): SchemaObject(*row) for row in rows}


def expected_schema(applied: Iterable[str]) -> Schema:
    """The schema of a fresh database with the migrations ``applied`` (in their order),
    built in memory the first time it is asked for in this process."""
    names = set(applied)
    level = tuple(m.name for m in MIGRATIONS if m.name in names)
    with _lock:
        if level not in _expected:
            _build(level)
        return _expected[level]


def differences(found: Schema, expected: Schema) -> list[UnexpectedSchema]:
    """Every object extra, different or missing in ``found``: extra ones first, triggers
    first, then by name."""
    extra, different = [], []
    for key, obj in found.items():
        wanted = expected.get(key)
        if wanted is None:
            if not _is_statistics(obj):
                extra.append(obj)
        elif obj.table != wanted.table or not same_sql(obj.sql, wanted.sql):
            different.append(obj)
    missing = [obj for key, obj in expected.items() if key not in found]
    contains = _("La base contient {what} ; elle est refusée.")
    lacks = _("Il manque à la base {what} de Companion ; elle est refusée.")
    return (
        [_problem(contains, _UNKNOWN, obj) for obj in _sorted(extra)]
        + [_problem(contains, _DIFFERENT, obj) for obj in _sorted(different)]
        + [_problem(lacks, _MISSING, obj) for obj in _sorted(missing)]
    )


def schema_digest(schema: Schema) -> str:
    """SHA-256 of a schema's objects exactly as stored (the statistics tables aside)."""
    import hashlib

    digest = hashlib.sha256()
    for key in sorted(schema):
        obj = schema[key]
        if _is_statistics(obj):
            continue
        for part in (obj.type, obj.name, obj.table, obj.sql or ""):
            digest.update(part.encode("utf-8") + b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()


def same_sql(first: str | None, second: str | None) -> bool:
    """Whether two statements are the same but for whitespace and comments."""
    if first is None or second is None:
        return first == second
    return first == second or sql_tokens(first) == sql_tokens(second)


def sql_tokens(sql: str) -> list[str]:
    """The tokens of ``sql``, whitespace and comments left out."""
    return [match.group() for match in _TOKENS.finditer(sql) if match.group("skip") is None]


# -- internals ------------------------------------------------------------------------


def _check_header(conn: sqlite3.Connection) -> None:
    application = conn.execute("PRAGMA application_id").fetchone()[0]
    if application != 0:
        raise UnexpectedSchema(
            _(
                "La base porte la marque d'une autre application (application_id {value}) ; "
                "elle est refusée."
            ).format(value=application),
            "application_id",
        )
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != 0:
        raise UnexpectedSchema(
            _(
                "La base porte un numéro de version qui n'est pas celui de Companion "
                "(user_version {value}) ; elle est refusée."
            ).format(value=version),
            "user_version",
        )
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode not in JOURNAL_MODES:
        raise UnexpectedSchema(
            _("La base est dans un mode de journal inattendu ({mode}) ; elle est refusée.").format(
                mode=mode
            ),
            "journal_mode",
        )


def _applied(conn: sqlite3.Connection, found: Schema) -> list[str]:
    """The migrations the database names; none if it has no readable ``_migrations``
    (its objects then all count as unknown)."""
    if ("table", "_migrations") not in found:
        return []
    try:
        rows = conn.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()
    except errors():
        return []
    return [str(row[0]) for row in rows]


def _is_statistics(obj: SchemaObject) -> bool:
    return obj.type == "table" and obj.sql is not None and STATISTICS.get(obj.name) == obj.sql


def _is_newest(applied: list[str], found: Schema) -> bool:
    name, digest = NEWEST
    newest = [migration.name for migration in MIGRATIONS]
    return newest[-1] == name and applied == newest and schema_digest(found) == digest


def _build(level: tuple[str, ...]) -> None:
    """Migrate an in-memory database to ``level`` and keep its schema."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute(MIGRATIONS_TABLE)
        for migration in MIGRATIONS:
            if migration.name in level:
                apply_migration(conn, migration)
        _expected[level] = read_schema(conn)
    finally:
        conn.close()


def _sorted(objects: list[SchemaObject]) -> list[SchemaObject]:
    return sorted(
        objects,
        key=lambda obj: (_ORDER.index(obj.type) if obj.type in _ORDER else len(_ORDER), obj.name),
    )


def _problem(sentence: str, phrases: dict[str, str], obj: SchemaObject) -> UnexpectedSchema:
    phrase = phrases.get(obj.type)
    if phrase is None:
        what = _("un objet inconnu ({type}) : « {name} »").format(type=obj.type, name=obj.name)
    else:
        what = _(phrase).format(name=obj.name)
    return UnexpectedSchema(sentence.format(what=what), obj.name)
