"""Local backups of the database: made, listed with a preview, pruned, restored. Qt-free.

Every copy is made with SQLite's online backup API inside one read transaction, so
it is the database as committed at one instant even while the app (or an import,
or a sync) writes, WAL included. It goes to ``<data>/sauvegardes/`` as
``companion-<date>-<reason>.db``: one self-contained file (rollback journal, no
``-wal``), written under a hidden ``.…partiel`` name and renamed once complete and
on disk, so a copy cut short (the app killed) is never listed.

Retention: the last N copies (setting ``backups.keep``, 10 by default) are kept
*for each reason*, so a morning of merges never pushes out the daily automatic
copies, nor the copy made before the last migration. The copy just made is never
deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from companion import filemodes
from companion.errors import CompanionError
from companion.i18n import N_, _
from companion.store import cipher
from companion.store.cipher import connect_file
from companion.store.database import SchemaTooNew, errors, set_aside
from companion.store.migrations import applied_migrations
from companion.store.schema_check import UnexpectedSchema, check_schema

log = logging.getLogger(__name__)

BACKUP_FOLDER = "sauvegardes"
DATABASE_NAME = "companion.db"  # as app.datafolder names it (the store does not know folders)

AUTOMATIC = "automatique"
MANUAL = "manuelle"
IMPORT = "import"
MERGE = "fusion"
MIGRATION = "migration"
RESTORE = "restauration"
ARCHIVE = "archive"
DEMO = "demo"
ENCRYPTION = "chiffrement"
REASON_LABELS = {
    AUTOMATIC: N_("automatique"),
    MANUAL: N_("manuelle"),
    IMPORT: N_("avant import"),
    MERGE: N_("avant fusion"),
    MIGRATION: N_("avant migration"),
    RESTORE: N_("avant restauration"),
    ARCHIVE: N_("avant import d'archive"),
    DEMO: N_("avant démo"),
    ENCRYPTION: N_("avant chiffrement"),
}

KEEP_SETTING = "backups.keep"
DEFAULT_KEEP = 10
INTERVAL_SETTING = "backups.interval_hours"
# A base that needs no copy at birth (the demo network): when it was created, local time.
CREATED_SETTING = "backups.created_at"
DEFAULT_INTERVAL_HOURS = 24  # 0: no automatic backup
STEP_PAGES = 1024  # pages copied per step of the backup API (progress between steps)
STALE_PARTIAL = timedelta(hours=1)  # a partial copy this old was cut short: removed
PARTIAL_SUFFIX = ".partiel"
STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_NAME = re.compile(r"^(?P<stem>[^.].*)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<slug>[^.]+)\.db$")
_MIGRATION_SLUG = re.compile(r"^avant-(?P<name>\d{4}_\w+)$")

# What a preview counts; a table a backup's (older) schema lacks counts 0.
PREVIEW_TABLES = ("actors", "people", "relations", "interactions", "toolbox_notes")
_CHANGED_TABLES = (
    "actors", "people", "affiliations", "relations", "interactions", "tags",
    "map_views", "catalyst_profiles", "toolbox_notes",
)  # fmt: skip

Progress = Callable[[int, int, str], None]


class StoreLike(Protocol):
    """A ``Store`` (``store/store.py``, which this module must not import: the store
    migrates through it), as a backup reads it."""

    conn: sqlite3.Connection
    path: Path


class BackupError(CompanionError):
    """A backup could not be made, read or restored; the message says why."""


class BackupCorrupt(BackupError):
    """A backup fails SQLite's integrity check or is not a Companion database."""


class BackupKeyRequired(BackupCorrupt):
    """A copy the database's key does not open: encrypted with another key (an older
    passphrase, say) or damaged, which SQLCipher cannot tell apart. Its own passphrase
    may open it (``key=`` of ``check_backup``, ``preview_database``, ``restore_backup``);
    ``wrong``: the passphrase given did not."""

    def __init__(self, path: Path, wrong: bool = False) -> None:
        self.path = Path(path)
        self.wrong = wrong
        if wrong:
            message = _(
                "La phrase de passe n'ouvre pas la sauvegarde « {name} » : phrase de passe "
                "incorrecte ou fichier endommagé. Rien n'a été modifié."
            )
        else:
            message = _(
                "La sauvegarde « {name} » est chiffrée avec une autre clé que la base actuelle "
                "(ou endommagée) : donnez sa phrase de passe pour la lire."
            )
        super().__init__(message.format(name=self.path.name))


@dataclass(frozen=True)
class Backup:
    """One copy in the backup folder."""

    path: Path
    made_at: datetime  # local time, from the file's name
    reason: str  # one of REASON_LABELS (or an unknown word of a later version)
    size: int  # bytes
    detail: str = ""  # the migration a pre-migration copy was made before

    @property
    def label(self) -> str:
        """The reason in words: « avant import », « automatique »…"""
        known = REASON_LABELS.get(self.reason)
        text = _(known) if known else self.reason
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Preview:
    """What a database holds, at a glance (live records; notes of the toolbox)."""

    counts: dict[str, int] = field(default_factory=dict)  # PREVIEW_TABLES -> count
    last_change: str | None = None  # the latest updated_at (ISO, UTC)
    migrations: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestoreOutcome:
    restored: Backup
    safety: Backup | None  # the copy of the database as it was before
    set_aside: Path | None = None  # a current file too damaged to copy, renamed aside


# -- making ---------------------------------------------------------------------------


def make_backup(
    source: sqlite3.Connection | StoreLike | Path | str,
    data_dir: Path | None,
    reason: str,
    *,
    detail: str = "",
    keep: int | None = None,
    protect: Iterable[Path] = (),
    progress: Progress | None = None,
) -> Backup:
    """Copy the database into ``<data_dir>/sauvegardes/`` and prune; return the copy.

    ``source`` is an open connection or store (used in the caller's thread, outside
    any transaction) or the database's path (a connection of its own is opened).
    ``data_dir`` defaults to the database's folder. ``keep`` defaults to the
    database's ``backups.keep`` setting; ``protect`` names copies never pruned.
    """
    conn, database, owned = _source(source)
    try:
        folder = Path(data_dir if data_dir is not None else database.parent) / BACKUP_FOLDER
        stamp = datetime.now()
        name = f"{database.stem}-{stamp.strftime(STAMP_FORMAT)}-{_slug(reason, detail)}.db"
        target = folder / name
        partial = folder / f".{name}{PARTIAL_SUFFIX}"
        try:
            filemodes.private_folder(folder)
            _copy(conn, partial, progress)
            _fsync(partial)
            _keep_once(partial, target, folder)
            _fsync_folder(folder)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(
                _("Impossible d'écrire la sauvegarde « {path} » : {reason}").format(
                    path=target, reason=error.strerror or error
                )
            ) from error
        except BaseException:  # refused, or stopped by its progress callback
            partial.unlink(missing_ok=True)
            raise
        if keep is None:
            keep = _int_setting(conn, KEEP_SETTING, DEFAULT_KEEP)
    finally:
        if owned:
            conn.close()
    made = Backup(target, stamp, reason, target.stat().st_size, detail)
    log.info(
        "backup %s: %d bytes%s",
        reason,
        made.size,
        " (unchanged: linked)" if target.stat().st_nlink > 1 else "",
    )
    prune_backups(folder.parent, keep, protect=(target, *protect))
    return made


def _keep_once(partial: Path, target: Path, folder: Path) -> None:
    """Put the copy in place; identical to the newest copy already there (nothing changed
    since), it becomes a second name of that file (a hard link), not a second copy: an
    unchanged 66 MB base backed up again costs no space. Copies are never written in
    place (re-keying writes a new file over each name), so the names stay independent."""
    newest = next(iter(list_backups(folder.parent)), None)
    if newest is not None and newest.size == partial.stat().st_size:
        if _digest(newest.path) == _digest(partial):
            try:
                os.link(newest.path, target)
            except OSError:
                pass  # a file system without hard links: keep the copy
            else:
                partial.unlink()
                return
    os.replace(partial, target)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def make_backup_if_due(
    source: sqlite3.Connection | StoreLike | Path | str,
    data_dir: Path | None,
    reason: str,
    every: timedelta,
    **options: object,
) -> Backup | None:
    """A backup for ``reason`` unless the last one is more recent than ``every``."""
    database = _database_path(source)
    folder = Path(data_dir if data_dir is not None else database.parent)
    last = last_backup_time(folder, reason)
    if last is not None and datetime.now() - last < every:
        return None
    return make_backup(source, data_dir, reason, **options)  # type: ignore[arg-type]


def automatic_backup_due(
    data_dir: Path,
    interval_hours: int,
    now: datetime | None = None,
    created: datetime | None = None,
) -> bool:
    """Whether the automatic backup is due: a look at the backup folder's names only.
    ``created``: when a base that needs no copy at birth was made (the demo network,
    rebuilt in a minute): the first automatic copy is due an interval after it."""
    if interval_hours <= 0:
        return False
    last = max(
        (time for time in (last_backup_time(data_dir, AUTOMATIC), created) if time is not None),
        default=None,
    )
    return last is None or (now or datetime.now()) - last >= timedelta(hours=interval_hours)


def created_setting(conn: sqlite3.Connection) -> datetime | None:
    """When a base that needs no backup at birth was created (local time), if it says so."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (CREATED_SETTING,)).fetchone()
    try:
        return datetime.fromisoformat(row[0]) if row and row[0] else None
    except ValueError:
        return None


def copy_database(source: Path, target: Path) -> None:
    """A consistent, self-contained copy of the database file ``source`` (any journal)."""
    conn, _path, _owned = _source(source)
    try:
        _copy(conn, target, None)
    finally:
        conn.close()


def _source(
    source: sqlite3.Connection | StoreLike | Path | str,
) -> tuple[sqlite3.Connection, Path, bool]:
    """(connection, database path, whether this module opened the connection)."""
    if isinstance(source, sqlite3.Connection) or cipher.is_cipher_connection(source):
        return source, _database_path(source), False  # type: ignore[return-value]
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise BackupError(_("Aucune base à sauvegarder dans « {path} ».").format(path=path))
        # Read-write (mode=rw never creates a file): a read-only connection would
        # leave -wal and -shm files behind it. It only reads.
        conn = connect_file(path, isolation_level=None, timeout=30)
        return conn, path, True
    return source.conn, Path(source.path), False


def _database_path(source: object) -> Path:
    if isinstance(source, sqlite3.Connection) or cipher.is_cipher_connection(source):
        rows = source.execute("PRAGMA database_list").fetchall()
        return Path(next(row[2] for row in rows if row[1] == "main"))
    if isinstance(source, (str, Path)):
        return Path(source)
    return Path(source.path)  # type: ignore[attr-defined]


def _copy(conn: sqlite3.Connection, target: Path, progress: Progress | None) -> None:
    """The online backup, step by step inside one read transaction of ``conn``: the
    copy is the database at the moment the transaction began, and writers elsewhere
    (other connections, other processes) neither wait nor restart it."""
    if conn.in_transaction:
        raise RuntimeError("a backup reads outside any open transaction")
    target.unlink(missing_ok=True)
    filemodes.private_file(target)  # and so its journal
    if cipher.is_cipher_connection(conn):
        # An encrypted database's copy is encrypted with the same key (the backup API
        # copies pages between two SQLCipher connections keyed alike).
        key = cipher.key_for(_database_path(conn))
        if key is None:
            raise cipher.KeyRequired(_database_path(conn))
        copy = cipher.connect(target, key, create=True, isolation_level=None)
    else:
        copy = sqlite3.connect(str(target), isolation_level=None)
    try:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot

            def step(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total, "")

            conn.backup(copy, pages=STEP_PAGES, progress=step)
        finally:
            conn.execute("COMMIT")
        # One file that stands alone: no -wal to carry along, readable read-only.
        copy.execute("PRAGMA journal_mode=DELETE")
    except errors() as error:
        copy.close()
        target.unlink(missing_ok=True)
        raise BackupError(
            _("La base n'a pas pu être copiée : {reason}").format(reason=error)
        ) from error
    except BaseException:
        copy.close()
        target.unlink(missing_ok=True)
        raise
    copy.close()


def _slug(reason: str, detail: str) -> str:
    if reason in (AUTOMATIC, MANUAL):
        return reason
    if reason == MIGRATION and detail:
        return f"avant-{detail}"
    return f"avant-{reason}"


# -- listing and pruning -------------------------------------------------------------


def backup_folder(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_FOLDER


def list_backups(data_dir: Path) -> list[Backup]:
    """The complete copies in the data folder's backup folder, newest first."""
    folder = backup_folder(data_dir)
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        parsed = _parse(entry.name)
        if parsed is None or not entry.is_file():
            continue
        made_at, reason, detail = parsed
        found.append(Backup(Path(entry.path), made_at, reason, entry.stat().st_size, detail))
    found.sort(key=lambda backup: (backup.made_at, backup.path.name), reverse=True)
    return found


def last_backup_time(data_dir: Path, reason: str) -> datetime | None:
    """When the newest copy made for ``reason`` was made (from the names alone)."""
    try:
        names = os.listdir(backup_folder(data_dir))
    except FileNotFoundError:
        return None
    times = [parsed[0] for parsed in map(_parse, names) if parsed and parsed[1] == reason]
    return max(times, default=None)


def _parse(name: str) -> tuple[datetime, str, str] | None:
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        made_at = datetime.strptime(match["stamp"], STAMP_FORMAT)
    except ValueError:
        return None
    slug = match["slug"]
    migration = _MIGRATION_SLUG.match(slug)
    if migration:
        return made_at, MIGRATION, migration["name"]
    if slug.startswith("avant-"):
        return made_at, slug.removeprefix("avant-"), ""
    return made_at, slug, ""


def prune_backups(data_dir: Path, keep: int, protect: Iterable[Path] = ()) -> list[Path]:
    """Delete all but the ``keep`` newest copies of each reason; return the deleted.

    Partial copies older than an hour (a backup cut short) go too.
    """
    keep = max(1, keep)
    kept = {Path(path).resolve() for path in protect}
    seen: dict[str, int] = {}
    deleted = []
    for backup in list_backups(data_dir):  # newest first
        seen[backup.reason] = seen.get(backup.reason, 0) + 1
        if seen[backup.reason] > keep and backup.path.resolve() not in kept:
            backup.path.unlink(missing_ok=True)
            deleted.append(backup.path)
    folder = backup_folder(data_dir)
    limit = datetime.now().timestamp() - STALE_PARTIAL.total_seconds()
    for leftover in folder.glob(f".*{PARTIAL_SUFFIX}"):
        try:
            if leftover.stat().st_mtime < limit:
                leftover.unlink()
        except OSError:
            pass
    return deleted


# -- reading --------------------------------------------------------------------------


def open_read_only(path: Path, key: str | None = None) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) to a database file. Encrypted, it is opened with
    ``key`` when given (a copy's own passphrase), else with its folder's key (``KeyRequired``
    without one, ``WrongKey`` when the key does not open it); ``key`` is ignored for a
    plain file."""
    path = Path(path)
    if key is not None and not cipher.is_encrypted(path):
        key = None
    return connect_file(path, read_only=True, key=key, timeout=30)


def preview_database(path: Path, key: str | None = None) -> Preview:
    """The preview of a database file, read-only (``key``: as ``open_read_only``).

    ``BackupKeyRequired`` when its key is not known (or ``key`` does not open it)."""
    try:
        conn = open_read_only(path, key)
        try:
            try:
                check_schema(conn, path)
            except SchemaTooNew:
                pass  # listed as it is: restoring it is refused
            except UnexpectedSchema as error:
                raise BackupCorrupt(str(error)) from error
            return preview_connection(conn)
        finally:
            conn.close()
    except cipher.KeyRequired as error:
        raise BackupKeyRequired(path, wrong=key is not None) from error
    except errors() as error:
        raise BackupCorrupt(
            _("« {name} » n'est pas une base Companion lisible ({reason}).").format(
                name=Path(path).name, reason=error
            )
        ) from error


def preview_connection(conn: sqlite3.Connection) -> Preview:
    """Counts of live actors, people, relations, exchanges and toolbox notes; last change."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    counts = {}
    for table in PREVIEW_TABLES:
        if table not in tables:
            counts[table] = 0
            continue
        live = "" if table == "toolbox_notes" else " WHERE deleted = 0"
        counts[table] = int(conn.execute(f"SELECT count(*) FROM {table}{live}").fetchone()[0])
    stamps = [
        conn.execute(f"SELECT max(updated_at) FROM {table}").fetchone()[0]
        for table in _CHANGED_TABLES
        if table in tables
    ]
    migrations: tuple[str, ...] = ()
    if "_migrations" in tables:
        rows = conn.execute("SELECT name FROM _migrations ORDER BY rowid")
        migrations = tuple(row[0] for row in rows)
    return Preview(counts, max((s for s in stamps if s), default=None), migrations)


def check_backup(path: Path, key: str | None = None) -> Preview:
    """Refuse (``BackupCorrupt``, ``SchemaTooNew``, ``UnexpectedSchema``) a copy that fails
    SQLite's integrity check, is no Companion database, comes from a newer version, or
    holds objects its migrations do not define (``store/schema_check.py``: a trigger of
    its own…); else its preview. The copy is only read.

    An encrypted copy is opened with ``key`` when given, else with its folder's key;
    ``BackupKeyRequired`` (a ``BackupCorrupt``) when that key does not open it."""
    path = Path(path)
    refused = _(
        "La sauvegarde « {name} » est endommagée ({reason}) : elle n'a pas été restaurée, "
        "la base actuelle n'a pas été modifiée."
    )
    try:
        conn = open_read_only(path, key)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            if rows != [("ok",)]:
                raise BackupCorrupt(refused.format(name=path.name, reason=rows[0][0]))
            if not applied_migrations(conn):
                raise BackupCorrupt(
                    _("« {name} » n'est pas une sauvegarde de Companion.").format(name=path.name)
                )
            check_schema(conn, path)  # SchemaTooNew too: made by a newer Companion
            preview = preview_connection(conn)
        finally:
            conn.close()
    except errors() as error:
        raise BackupCorrupt(refused.format(name=path.name, reason=error)) from error
    except cipher.KeyRequired as error:  # garbage and a foreign key look alike
        raise BackupKeyRequired(path, wrong=key is not None) from error
    return preview


# -- restoring ------------------------------------------------------------------------


def restore_backup(
    data_dir: Path,
    backup: Backup | Path | str,
    *,
    database_name: str = DATABASE_NAME,
    key: str | None = None,
    progress: Progress | None = None,
) -> RestoreOutcome:
    """Put a backup in place of the folder's database (which nothing may hold open).

    The copy is checked first (a damaged one is refused, nothing changes); the
    current database is backed up (« avant restauration ») or, too damaged to be
    read, renamed aside; then the copy replaces it atomically. The restored file
    reads the hub's history again at its next sync (``prepare_for_sync``).

    An encrypted copy is opened with ``key`` when given (its own passphrase: made
    before the passphrase was changed, say), else with the folder's key. The restored
    database keeps the current one's state: a copy under another key than the current
    database's (or plain while it is encrypted, or the reverse) is converted to it
    first, to a partial file checked like the copy itself.
    """
    data_dir = Path(data_dir)
    report = progress or (lambda _done, _total, _message: None)
    chosen = _as_backup(data_dir, backup)
    report(0, 0, _("Vérification de la sauvegarde…"))
    check_backup(chosen.path, key)
    database = data_dir / database_name
    refuse_if_in_use(database)
    source_key = _copy_key(chosen.path, key)
    target_key = _current_key(database)
    partial = database.with_name(database.name + ".restauration")
    _remove_with_sides(partial)
    try:
        report(0, 0, _("Copie de la sauvegarde…"))
        if source_key == target_key:
            copy_database(chosen.path, partial)
        else:
            cipher.export_file(chosen.path, source_key, partial, target_key)
            check_backup(partial)  # opened as the folder's database will be
        prepare_for_sync(partial)
        report(0, 0, _("Sauvegarde de la base actuelle…"))
        safety, aside = back_up_current(database, data_dir, RESTORE, protect=(chosen.path,))
        report(0, 0, _("Remplacement de la base…"))
        install_database(partial, database)
    except OSError as error:
        _remove_with_sides(partial)
        raise BackupError(
            _(
                "La restauration a échoué : {reason}. La base actuelle n'a pas été remplacée."
            ).format(reason=error.strerror or error)
        ) from error
    except BaseException:
        _remove_with_sides(partial)
        raise
    return RestoreOutcome(chosen, safety, aside)


def _copy_key(path: Path, key: str | None) -> str | None:
    """The key that opens the (checked) copy: ``key`` or its folder's; None: plain."""
    if not cipher.is_encrypted(path):
        return None
    return key if key is not None else cipher.key_for(path)


def _current_key(database: Path) -> str | None:
    """The key a restored database is written under: the current one's; None: plain."""
    if not cipher.is_encrypted(database):
        return None
    current = cipher.key_for(database)
    if current is None:
        raise cipher.KeyRequired(database)
    cipher.connect(database, current, isolation_level=None).close()  # WrongKey first
    return current


def _as_backup(data_dir: Path, backup: Backup | Path | str) -> Backup:
    if isinstance(backup, Backup):
        if not backup.path.is_file():
            raise BackupError(
                _("Sauvegarde introuvable : « {name} ».").format(name=backup.path.name)
            )
        return backup
    path = Path(backup)
    if not path.is_absolute() and not path.exists():
        path = backup_folder(data_dir) / path
    if not path.is_file():
        raise BackupError(_("Sauvegarde introuvable : « {name} ».").format(name=path.name))
    parsed = _parse(path.name)
    made_at, reason, detail = parsed or (
        datetime.fromtimestamp(path.stat().st_mtime),
        path.stem,
        "",
    )
    return Backup(path, made_at, reason, path.stat().st_size, detail)


def prepare_for_sync(path: Path) -> None:
    """A database brought back from a copy reads the hub's whole history again at its
    next sync (cursor 0: applying is idempotent and merged by stamps); its outbox is
    kept as it was, so edits the hub never had still go (docs/SYNC.md)."""
    conn = connect_file(path, isolation_level=None)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "sync_state" in tables:
            conn.execute("UPDATE sync_state SET value = '0' WHERE key = 'cursor'")
    finally:
        conn.close()


def database_in_use(path: Path) -> bool:
    """Whether another connection holds the database open (it cannot be replaced then)."""
    if not Path(path).exists():
        return False
    try:
        conn = connect_file(path, isolation_level=None, timeout=0.2)
    except cipher.EncryptionError:
        return False  # no key here: it cannot be checked, nor opened by this process
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except errors("OperationalError"):
        return True
    except errors():  # damaged: nobody can be using it
        return False
    finally:
        conn.close()
    return False


def refuse_if_in_use(database: Path) -> None:
    if database_in_use(database):
        raise BackupError(
            _(
                "La base « {path} » est ouverte par Companion (une fenêtre ou une commande) : "
                "fermez-la, puis recommencez."
            ).format(path=database)
        )


def back_up_current(
    database: Path, data_dir: Path, reason: str, protect: Iterable[Path] = ()
) -> tuple[Backup | None, Path | None]:
    """Back the current database up before it is replaced; too damaged, set it aside."""
    if not database.exists():
        return None, None
    try:
        return make_backup(database, data_dir, reason, protect=protect), None
    except BackupError as error:
        if isinstance(error.__cause__, OSError):
            raise
    return None, set_aside(database)


def install_database(new_file: Path, database: Path) -> None:
    """Replace ``database`` with the complete file ``new_file`` (same folder) atomically.

    The current file's WAL is checkpointed first, so a crash at any point leaves a
    whole database (the old one or the new one); its -wal and -shm go before the
    rename, or SQLite would replay them onto the new file.
    """
    _fsync(new_file)
    if database.exists():
        try:
            conn = connect_file(database, isolation_level=None, timeout=5)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
        except (*errors(), cipher.EncryptionError):
            pass  # damaged: it has been set aside or copied already
    for side in ("-wal", "-shm", "-journal"):
        Path(f"{database}{side}").unlink(missing_ok=True)
    os.replace(new_file, database)
    _fsync_folder(database.parent)


def _remove_with_sides(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- helpers --------------------------------------------------------------------------


def _int_setting(conn: sqlite3.Connection, key: str, default: int) -> int:
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    except errors("OperationalError"):  # no settings table yet
        return default
    value = row[0] if row else None
    return int(value) if value is not None and str(value).strip().isdigit() else default


def keep_setting(conn: sqlite3.Connection) -> int:
    return _int_setting(conn, KEEP_SETTING, DEFAULT_KEEP)


def interval_setting(conn: sqlite3.Connection) -> int:
    return _int_setting(conn, INTERVAL_SETTING, DEFAULT_INTERVAL_HOURS)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX; Windows has no directory handles for this)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
