"""The hub's store: members, the field-state change feed, batches, toolbox, on either database.

``HubStore.open(data_dir)`` keeps everything in the data folder (``hub.db``,
SQLite); ``HubStore.open(data_dir, database_url)`` keeps the tables in
PostgreSQL and only the toolbox files (``fichiers/<sha256>``) and the
high-water mark in the folder.

Epoch: a UUID made with the database. A backup restored in place would bring
back its old epoch with a lower sequence counter, and clients whose cursor is
past it would silently miss the changes numbered again. So the hub keeps, next
to the database, a small file with the epoch and the highest sequence number it
ever handed out (``hub-seq.json``, updated after each push); opening a database
whose counter is below that mark gives it a new epoch, and every client
re-syncs. ``companion-hub new-epoch`` does the same by hand (say, after
restoring the whole folder, mark included, or a PostgreSQL dump).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion import filemodes
from companion.hub import erasure, merge, wire
from companion.hub.backends import PostgresBackend, SQLiteBackend, Tx
from companion.hub.members import (
    ROLES,
    HubError,
    Member,
    new_token,
    now_iso,
    token_hash,
    token_matches,
)
from companion.hub.wire import manifest_item_from_json, manifest_item_to_json
from companion.i18n import _
from companion.protocol import fields
from companion.protocol.hlc import physical_ms
from companion.protocol.messages import (
    Change,
    ManifestItem,
    ProtocolError,
    PullResponse,
    PushRequest,
    Rejection,
)

log = logging.getLogger(__name__)

DATABASE_FILE = "hub.db"
FILES_FOLDER = "fichiers"
WATERMARK_FILE = "hub-seq.json"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL, id TEXT NOT NULL, owner TEXT NOT NULL, visibility TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS field_state (
    tbl TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
    hlc TEXT NOT NULL, owner TEXT NOT NULL, seq {integer} NOT NULL,
    PRIMARY KEY (tbl, id, field));
CREATE UNIQUE INDEX IF NOT EXISTS field_state_seq ON field_state (seq);
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY, member_id TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS toolbox_items (
    id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, version TEXT NOT NULL,
    sha256 TEXT NOT NULL, manifest TEXT NOT NULL, published_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS toolbox_files (sha256 TEXT PRIMARY KEY, size {integer} NOT NULL);
"""
# The schema above is version 1 (``meta.schema``); each later version's statements,
# idempotent, on both engines. A database opened below the last version runs them in
# order, in one transaction, and records the version it reached.
MIGRATIONS: dict[int, tuple[str | Callable[[Tx], None], ...]] = {
    # Push answers are pruned by age at each push (hub/erasure.py).
    2: ("CREATE INDEX IF NOT EXISTS batches_created ON batches (created_at)",),
    # Earlier hubs stored values the field schema (protocol/fields.py) refuses, such as 2**63 or
    # NaN, which every answer repeating them then failed on: gone, with the stored answers.
    3: (lambda tx: _drop_unrepeatable_values(tx), "DELETE FROM batches"),
}
SCHEMA_VERSION = max(MIGRATIONS)
_MEMBER_COLUMNS = "id, name, role, created_at, revoked_at"


@dataclass(frozen=True)
class HubState:
    epoch: str
    seq: int


class _Watermark:
    """The highest sequence number handed out under an epoch, in a file beside the database.

    Raised after every push, so it must cost little: the file stays open and is
    rewritten in place (one short write at offset 0, padded to a fixed width), under an
    exclusive ``flock`` that the worker processes of one folder share, so reading the
    mark and raising it is one step for them all. Where ``flock`` does not exist
    (Windows: one hub process per folder there), a new file replaces the old.
    """

    WIDTH = 128  # bytes: every mark fits, so a write never leaves an older, longer one's tail

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._written: HubState | None = None
        self._descriptor: int | None = None

    def read(self) -> HubState | None:
        try:
            return _mark(self.path.read_bytes())
        except OSError:
            return None

    def record(self, state: HubState) -> None:
        """Raise the mark to ``state`` (never lower it under the same epoch; a new
        epoch always replaces it)."""
        with self._lock:
            last = self._written
            if last is not None and last.epoch == state.epoch and last.seq >= state.seq:
                return
            try:
                import fcntl
            except ImportError:
                self._replace(state)
                return
            if self._descriptor is None:
                self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)
            try:
                mark = _mark(os.pread(self._descriptor, self.WIDTH, 0))
                if mark is not None and mark.epoch == state.epoch and mark.seq >= state.seq:
                    self._written = mark
                    return
                os.pwrite(self._descriptor, _mark_bytes(state, self.WIDTH), 0)
            finally:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            self._written = state

    def _replace(self, state: HubState) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".hub-seq-")
        with os.fdopen(handle, "wb") as out:
            out.write(_mark_bytes(state, self.WIDTH))
        os.replace(temporary, self.path)
        self._written = state

    def close(self) -> None:
        with self._lock:
            if self._descriptor is not None:
                os.close(self._descriptor)
                self._descriptor = None


def _mark(data: bytes) -> HubState | None:
    try:
        found = json.loads(data.decode("utf-8"))
        return HubState(str(found["epoch"]), int(found["seq"]))
    except (ValueError, KeyError, TypeError):
        return None


def _mark_bytes(state: HubState, width: int) -> bytes:
    text = json.dumps({"epoch": state.epoch, "seq": state.seq}).encode("utf-8")
    return text.ljust(width - 1) + b"\n"


class HubStore:
    """Everything the hub keeps; thread-safe (one transaction per call)."""

    def __init__(self, backend: SQLiteBackend | PostgresBackend, data_dir: Path) -> None:
        self.backend = backend
        self.data_dir = data_dir
        self.files_dir = data_dir / FILES_FOLDER
        self._watermark = _Watermark(data_dir / WATERMARK_FILE)

    @classmethod
    def open(
        cls, data_dir: Path, database_url: str | None = None, check_restored: bool = True
    ) -> HubStore:
        """Open (creating if needed) the hub's store; PostgreSQL when given its URL.

        The folder and its files are its user's alone (0700/0600, ``filemodes.py``): created
        so, and tightened here if an earlier version left them looser.
        ``check_restored=False`` skips the restored-backup check (a worker process
        whose parent made it, see workers.py)."""
        _make_private(data_dir)
        if database_url:
            backend: SQLiteBackend | PostgresBackend = PostgresBackend(database_url)
        else:
            backend = SQLiteBackend(data_dir / DATABASE_FILE)
        store = cls(backend, data_dir)
        store._create_schema()
        if check_restored:
            store._check_restored()
        return store

    @property
    def engine(self) -> str:
        return "postgresql" if self.backend.postgres else "sqlite"

    def close(self) -> None:
        self.backend.close()
        self._watermark.close()

    def _create_schema(self) -> None:
        with self.backend.transaction(write=True) as tx:
            for statement in SCHEMA.format(integer=self.backend.integer).split(";"):
                if statement.strip():
                    tx.run(statement)
            for key, value in (("epoch", str(uuid.uuid4())), ("seq", "0"), ("schema", "1")):
                tx.run(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, value),
                )
            _migrate(tx)

    def _check_restored(self) -> None:
        state = self.state()
        mark = self._watermark.read()
        if mark is not None and mark.epoch == state.epoch and mark.seq > state.seq:
            log.warning("hub sequence %d below its high-water mark %d", state.seq, mark.seq)
            self.renew_epoch()
        else:
            self._watermark.record(state)

    # -- state -----------------------------------------------------------------

    def state(self) -> HubState:
        with self.backend.transaction() as tx:
            return _state(tx)

    def renew_epoch(self) -> str:
        """A new epoch: every client resets its cursor and re-sends what it owns."""
        epoch = str(uuid.uuid4())
        with self.backend.transaction(write=True) as tx:
            tx.run("UPDATE meta SET value = ? WHERE key = 'epoch'", (epoch,))
            state = _state(tx)
        self._watermark.record(state)
        return epoch

    # -- the change feed ---------------------------------------------------------

    def push(
        self,
        member: Member,
        request: PushRequest,
        invalid: list[Rejection] | None = None,
        now_ms: int | None = None,
    ) -> merge.Outcome:
        """Merge one batch in one transaction (idempotent by ``batch_id``)."""
        now_ms = physical_ms() if now_ms is None else now_ms
        with self.backend.transaction(write=True) as tx:
            outcome = merge.apply_batch(tx, member, request, invalid or [], now_ms)
        self._watermark.record(HubState(outcome.response.epoch, outcome.response.hub_seq))
        if outcome.erased:
            self.scrub_files()
        return outcome

    def scrub_files(self) -> None:
        """Make the bytes of deleted and overwritten values unreadable in the database's
        files (after an erasure; docs/SYNC.md, "Erasure")."""
        if not self.backend.compact(erasure.HELD_IN):
            log.warning("hub: the database's log could not be emptied (readers kept it)")

    def pull(self, since: int, limit: int) -> PullResponse:
        """Current values changed after ``since``, in hub sequence order."""
        page = self.pull_page(since, limit)
        changes = [
            Change(tbl, record_id, name, json.loads(value), stamp, int(seq))
            for tbl, record_id, name, value, stamp, seq in page.rows
        ]
        return PullResponse(changes, page.next, page.more, page.epoch, physical_ms())

    def pull_page(self, since: int, limit: int) -> wire.PullPage:
        """:meth:`pull` as the stored rows, values still JSON text (the app sends them
        as they are: a first sync reads hundreds of thousands)."""
        with self.backend.transaction() as tx:
            epoch = _state(tx).epoch
            rows = tx.rows(
                "SELECT tbl, id, field, value, hlc, seq FROM field_state"
                " WHERE seq > ? ORDER BY seq LIMIT ?",
                (since, limit + 1),
            )
        more = len(rows) > limit
        rows = rows[:limit]
        following = int(rows[-1][5]) if rows else since
        return wire.PullPage(rows, following, more, epoch)

    # -- members -----------------------------------------------------------------

    def add_member(self, name: str, role: str, member_id: str | None = None) -> tuple[Member, str]:
        """A new member and its token (shown once: only its hash is kept)."""
        name = name.strip()
        if not name:
            raise HubError(_("Le nom du membre est obligatoire."))
        if role not in ROLES:
            raise HubError(_("Rôle inconnu : « {role} ».").format(role=role))
        if member_id is not None:
            try:
                member_id = str(uuid.UUID(member_id))
            except ValueError:
                raise HubError(_("Identifiant invalide : « {id} ».").format(id=member_id)) from None
        member = Member(member_id or str(uuid.uuid4()), name, role, now_iso())
        token = new_token()
        with self.backend.transaction(write=True) as tx:
            taken = tx.one("SELECT name FROM members WHERE name = ? OR id = ?", (name, member.id))
            if taken is not None:
                raise HubError(_("Le membre « {name} » existe déjà.").format(name=taken[0]))
            tx.run(
                "INSERT INTO members (id, name, role, token_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (member.id, member.name, member.role, token_hash(token), member.created_at),
            )
        return member, token

    def members(self) -> list[Member]:
        with self.backend.transaction() as tx:
            rows = tx.rows(f"SELECT {_MEMBER_COLUMNS} FROM members ORDER BY name")
        return [Member(*row) for row in rows]

    def find_member(self, name_or_id: str) -> Member:
        with self.backend.transaction() as tx:
            return _find(tx, name_or_id)

    def revoke_member(self, name_or_id: str) -> Member:
        """Refuse the member's token from now on (its records stay)."""
        with self.backend.transaction(write=True) as tx:
            member = _find(tx, name_or_id)
            if member.active:
                tx.run("UPDATE members SET revoked_at = ? WHERE id = ?", (now_iso(), member.id))
            return _find(tx, member.id)

    def renew_token(self, name_or_id: str) -> tuple[Member, str]:
        """A new token for the member (the old one stops working; a revoked member is back)."""
        token = new_token()
        with self.backend.transaction(write=True) as tx:
            member = _find(tx, name_or_id)
            tx.run(
                "UPDATE members SET token_hash = ?, revoked_at = NULL WHERE id = ?",
                (token_hash(token), member.id),
            )
            return _find(tx, member.id), token

    def authenticate(self, token: str) -> Member | None:
        """The active member holding ``token``, or None."""
        if not token:
            return None
        with self.backend.transaction() as tx:
            row = tx.one(
                f"SELECT {_MEMBER_COLUMNS}, token_hash FROM members WHERE token_hash = ?",
                (token_hash(token),),
            )
        if row is None or not token_matches(token, row[5]):
            return None
        member = Member(*row[:5])
        return member if member.active else None

    # -- toolbox -----------------------------------------------------------------

    def manifest(self) -> list[ManifestItem]:
        with self.backend.transaction() as tx:
            rows = tx.rows("SELECT manifest FROM toolbox_items ORDER BY slug")
        return [manifest_item_from_json(json.loads(row[0])) for row in rows]

    def toolbox_item(self, item_id: str) -> ManifestItem | None:
        with self.backend.transaction() as tx:
            row = tx.one("SELECT manifest FROM toolbox_items WHERE id = ?", (item_id,))
        return None if row is None else manifest_item_from_json(json.loads(row[0]))

    def save_toolbox_item(self, item: ManifestItem) -> None:
        """Record a published item whose files are already under ``fichiers/``."""
        with self.backend.transaction(write=True) as tx:
            other = tx.one(
                "SELECT id FROM toolbox_items WHERE slug = ? AND id <> ?", (item.slug, item.id)
            )
            if other is not None:
                raise HubError(_("Le nom « {slug} » est déjà pris.").format(slug=item.slug))
            tx.run(
                "INSERT INTO toolbox_items (id, slug, version, sha256, manifest, published_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET slug = excluded.slug,"
                " version = excluded.version, sha256 = excluded.sha256,"
                " manifest = excluded.manifest, published_at = excluded.published_at",
                (item.id, item.slug, item.version, item.sha256,
                 json.dumps(manifest_item_to_json(item)), now_iso()),
            )  # fmt: skip
            tx.run_many(
                "INSERT INTO toolbox_files (sha256, size) VALUES (?, ?)"
                " ON CONFLICT (sha256) DO NOTHING",
                [(f.sha256, f.size) for f in item.files],
            )

    def toolbox_file(self, sha256: str) -> tuple[Path, int] | None:
        """Where a published file is and its size; None for a hash never published."""
        with self.backend.transaction() as tx:
            row = tx.one("SELECT size FROM toolbox_files WHERE sha256 = ?", (sha256,))
        path = self.files_dir / sha256
        return None if row is None or not path.is_file() else (path, int(row[0]))


def _migrate(tx: Tx) -> None:
    """Bring the schema up to ``SCHEMA_VERSION`` (inside the schema's transaction)."""
    row = tx.one("SELECT value FROM meta WHERE key = 'schema'" + tx.for_update)
    version = int(row[0]) if row is not None else 1
    for number in sorted(MIGRATIONS):
        if number > version:
            for step in MIGRATIONS[number]:
                if callable(step):
                    step(tx)
                else:
                    tx.run(step)
    if version < SCHEMA_VERSION:
        tx.run("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))


def _drop_unrepeatable_values(tx: Tx, page: int = 10_000) -> None:
    """Delete the stored values the field schema refuses (by pages, in sequence order);
    the log names each by record and field, never its value."""
    after = 0
    while True:
        rows = tx.rows(
            "SELECT tbl, id, field, value, seq FROM field_state WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, page),
        )
        for table, record_id, name, text, seq in rows:
            try:
                value = wire.parse_json(text)
            except ProtocolError:
                value = wire.NON_FINITE  # refused by every field
            if not fields.valid(table, name, value):
                log.warning("hub: %s.%s of %s refused by the field schema: removed",
                            table, name, record_id)  # fmt: skip
                tx.run("DELETE FROM field_state WHERE seq = ?", (seq,))
        if len(rows) < page:
            return
        after = int(rows[-1][4])


def _make_private(data_dir: Path) -> None:
    filemodes.private_folder(data_dir)
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", WATERMARK_FILE):
        filemodes.tighten(data_dir / name)
    if (data_dir / FILES_FOLDER).is_dir():
        filemodes.tighten_tree(data_dir / FILES_FOLDER)


def _state(tx: Tx) -> HubState:
    rows = dict(tx.rows("SELECT key, value FROM meta WHERE key IN ('epoch', 'seq')"))
    return HubState(str(rows["epoch"]), int(rows["seq"]))


def _find(tx: Tx, name_or_id: str) -> Member:
    row = tx.one(f"SELECT {_MEMBER_COLUMNS} FROM members WHERE id = ?", (name_or_id,))
    row = row or tx.one(f"SELECT {_MEMBER_COLUMNS} FROM members WHERE name = ?", (name_or_id,))
    if row is None:
        raise HubError(_("Aucun membre « {name} ».").format(name=name_or_id))
    return Member(*row)
