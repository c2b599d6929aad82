"""Applying pulled changes: per field, the later stamp wins; all in one transaction.

For each incoming change, its stamp is compared with the stamp of the local
value (``sync_field_clocks``). A later one is written into the record (created
with neutral values if missing) and its stamp kept; an older or equal one
changes nothing. If the local value that loses was an edit of this laptop not
pushed yet, it is kept as a conflict and leaves the outbox. A record made
private by its owner is hidden here (a tombstone). Every stamp received moves
this laptop's clock past it; one too far ahead of the hub's time is refused
(``drift``) and logged. Capture is muted meanwhile, and the cursor is stored in
the same transaction, so a crash re-pulls a page that applies to the same result.

No record stops a sync (docs/SYNC.md, "Validation"): a change whose value breaks the
field schema (``fields.py``: a hub of an older version, or a compromised one, may send
anything) is refused (``invalid``) before any write, and a record this database will
not take (a local CHECK, a value SQLite cannot bind...) is rolled back alone and
refused the same way; the rest of the page applies and the cursor moves on. Refusals
are kept in ``sync_rejected`` and logged by table, id and field, never with values.
A database that cannot be written at all (disk full, locked, damaged) still fails the
page: that is no record's fault, and the page must come again.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from companion.protocol import fields
from companion.protocol.hlc import ClockDrift, Timestamp
from companion.protocol.messages import LINK_FIELDS, SYNCED_FIELDS, Change
from companion.store.database import errors
from companion.store.records import now_iso
from companion.store.store import deferred_actor_indexing
from companion.sync import capture, outbox, state
from companion.sync.conflicts import record_conflict, record_rejection
from companion.sync.writes import PLACEHOLDERS, write_fields
from companion.text import fold

log = logging.getLogger(__name__)

# What writing one record may raise because of that record's values (a local CHECK,
# an integer SQLite cannot bind, text it cannot encode...): the record is refused and
# the page goes on. OperationalError and DatabaseError (disk full, locked, damaged)
# are not in it: those fail the page, which comes again.
_RECORD_ERRORS: tuple[type[BaseException], ...] = (
    *errors("IntegrityError"), *errors("DataError"), *errors("ProgrammingError"),
    *errors("InterfaceError"), OverflowError, ValueError, TypeError,
)  # fmt: skip
MALFORMED = "malformed"  # the reason kept for a record of a page that could not be read

# Tables whose new records are written in bulk (tags keep their one-by-one path:
# a name taken here gets renamed).
_BULK_TABLES = frozenset(PLACEHOLDERS) - {"tags"}


@dataclass
class ApplyResult:
    applied: int = 0  # changes that won and were written
    ignored: int = 0  # older than, or the same as, what this laptop holds
    conflicts: int = 0
    rejected: int = 0


def apply_changes(
    conn: sqlite3.Connection,
    changes: Iterable[Change],
    cursor: int | None = None,
    epoch: str | None = None,
    reference_ms: int | None = None,
    malformed: Iterable[tuple[str, str]] = (),
) -> ApplyResult:
    """Apply ``changes`` in one transaction, then store ``cursor`` (and ``epoch``) with them.

    ``reference_ms`` is the hub's time for the drift check (default: this laptop's
    time corrected by the learned offset). ``malformed`` names the records (table, id)
    of the page that could not be read: each is kept as refused (field ``'*'``).
    """
    result = ApplyResult()
    groups: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        groups.setdefault((change.table, change.id), []).append(change)
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    # A record may point at one not pulled yet (or private to its owner): links
    # stay dangling until it comes, as the lists join them anyway.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            outbox.prepare(conn)  # local records get their stamps before any comparison
            with capture.muted(conn):
                merger = _Merger(conn, reference_ms, result)
                for table, record_id in malformed:
                    merger.reject(table, record_id, "*", MALFORMED)
                done = merger.apply_new_records(groups)
                for (table, record_id), group in groups.items():
                    if (table, record_id) not in done:
                        merger.apply_record(table, record_id, group)
                state.save_clock(conn, merger.clock)
                capture.mark_seen(conn, SYNCED_FIELDS)  # what was written here is not queued
            if cursor is not None:
                state.put(conn, state.CURSOR, cursor)
            if epoch is not None:
                state.put(conn, state.EPOCH, epoch)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
    return result


def take_network_values(conn: sqlite3.Connection, changes: list[Change]) -> None:
    """Inside a transaction: the hub's values of fields it refused to take from this
    laptop (another member's record, a withdrawn one) replace the refused ones here,
    whatever their stamps; the refused values stay in ``sync_rejected``."""
    if not changes:
        return
    merger = _Merger(conn, None, ApplyResult())
    by_record: dict[tuple[str, str], dict[str, Change]] = {}
    for change in changes:
        if merger._problem(change) is None:
            by_record.setdefault((change.table, change.id), {})[change.field] = change
    with capture.muted(conn):
        for (table, record_id), winners in by_record.items():
            clocks = dict(
                conn.execute(
                    "SELECT field, hlc FROM sync_field_clocks WHERE tbl = ? AND id = ?",
                    (table, record_id),
                ).fetchall()
            )
            conn.execute("SAVEPOINT sync_network_value")
            try:
                merger._write(table, record_id, clocks, winners)
            except _RECORD_ERRORS as error:  # the refused values stay here, as they are
                conn.execute("ROLLBACK TO sync_network_value")
                log.warning("sync: the network's values of %s %s not written here (%s)",
                            table, record_id, type(error).__name__)  # fmt: skip
            conn.execute("RELEASE sync_network_value")


class _Merger:
    def __init__(
        self, conn: sqlite3.Connection, reference_ms: int | None, result: ApplyResult
    ) -> None:
        self.conn = conn
        self.clock = state.load_clock(conn)
        self.site = self.clock.site
        self.reference_ms = reference_ms
        self.result = result
        self.received: set[str] = set()

    def apply_record(self, table: str, record_id: str, group: list[Change]) -> None:
        clocks = dict(
            self.conn.execute(
                "SELECT field, hlc FROM sync_field_clocks WHERE tbl = ? AND id = ?",
                (table, record_id),
            ).fetchall()
        )
        winners: dict[str, Change] = {}
        for change in group:
            if not self._acceptable(change):
                continue
            current = _stamp_of(clocks, change.field)
            chosen = winners.get(change.field)
            if chosen is not None and (current is None or chosen.hlc > current):
                current = chosen.hlc
            if current is not None and change.hlc <= current:
                self.result.ignored += 1
                continue
            winners[change.field] = change
        if not winners:
            return
        self.conn.execute("SAVEPOINT sync_record")
        try:
            self._write(table, record_id, clocks, winners)
        except _RECORD_ERRORS as error:  # a record this database refuses: keep the rest
            self.conn.execute("ROLLBACK TO sync_record")
            log.warning("sync: %s %s not written here (%s), its %d changes refused",
                        table, record_id, type(error).__name__, len(winners))  # fmt: skip
            for change in winners.values():
                self.reject(table, record_id, change.field, "invalid", quiet=True)
        self.conn.execute("RELEASE sync_record")

    def apply_new_records(
        self, groups: dict[tuple[str, str], list[Change]]
    ) -> set[tuple[str, str]]:
        """Whole shared records this laptop never had (most of a first sync): written
        with one statement per table, as :meth:`apply_record` would write them one by
        one. Return the records done; the others (and a table whose rows the schema
        refuses) go the usual way."""
        candidates: dict[str, list[tuple[str, dict[str, Change]]]] = {}
        for (table, record_id), group in groups.items():
            wanted = _all_fields(table) if table in _BULK_TABLES else ()
            named = {change.field: change for change in group}
            if len(named) == len(group) == len(wanted) and set(named) == set(wanted):
                candidates.setdefault(table, []).append((record_id, named))
        done: set[tuple[str, str]] = set()
        for table, records in candidates.items():
            known = self._known(table, [record_id for record_id, _named in records])
            fresh = [
                (record_id, named)
                for record_id, named in records
                if record_id not in known
                and named["visibility"].value == "network"
                and not any(self._problem(change) for change in named.values())
            ]
            if fresh and self._insert_records(table, fresh):
                done.update((table, record_id) for record_id, _named in fresh)
                self.result.applied += sum(len(named) for _id, named in fresh)
        return done

    def _known(self, table: str, ids: list[str]) -> set[str]:
        """Which of these records exist here, or have stamps (a record hidden here)."""
        listed = json.dumps(ids)
        known = {
            row[0]
            for row in self.conn.execute(
                f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))", (listed,)
            )
        }
        known.update(
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT id FROM sync_field_clocks WHERE tbl = ? "
                "AND id IN (SELECT value FROM json_each(?))",
                (table, listed),
            )
        )
        return known

    def _insert_records(self, table: str, records: list[tuple[str, dict[str, Change]]]) -> bool:
        now = now_iso()
        link = LINK_FIELDS.get(table)
        rows, links, clocks = [], [], []
        for record_id, named in records:
            values = {name: change.value for name, change in named.items() if name != link}
            row = {**PLACEHOLDERS[table], "created_at": now, **values}
            row.update(id=record_id, updated_at=now)
            if table == "actors":
                row["sort_name"] = fold(str(row["name"]))
            rows.append(row)
            if link:
                links.extend((record_id, str(tag_id)) for tag_id in named[link].value or [])
            oldest = min(change.hlc for change in named.values())
            clocks.append((table, record_id, "*", oldest))
            clocks.extend(
                (table, record_id, name, change.hlc)
                for name, change in named.items()
                if change.hlc != oldest
            )
        columns = list(rows[0])
        self.conn.execute("SAVEPOINT sync_new_records")
        try:
            # Actors are indexed for search once, with their tags, not row by row.
            with deferred_actor_indexing(self.conn) if table == "actors" else nullcontext():
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)})",
                    rows,
                )
                if links:
                    link_table, column = capture.LINK_TABLES[table]
                    self.conn.executemany(
                        f"INSERT OR IGNORE INTO {link_table} ({column}, tag_id) VALUES (?, ?)",
                        links,
                    )
        except _RECORD_ERRORS as error:  # the savepoint brings the triggers back too
            self.conn.execute("ROLLBACK TO sync_new_records")
            self.conn.execute("RELEASE sync_new_records")
            log.info("sync: %s written one by one (%s)", table, type(error).__name__)
            return False
        self.conn.executemany(
            "INSERT INTO sync_field_clocks (tbl, id, field, hlc) VALUES (?, ?, ?, ?)", clocks
        )
        self.conn.execute("RELEASE sync_new_records")
        return True

    def _problem(self, change: Change) -> str | None:
        """Why ``change`` cannot be applied ("invalid", "drift"), or None; each new stamp
        moves this laptop's clock past it. Written for speed: a first sync checks
        hundreds of thousands (a pulled change was checked for shape only)."""
        try:
            check = _VALIDATORS.get((change.table, change.field))
        except TypeError:  # an unhashable table or field
            return "invalid"
        if check is None or type(change.id) is not str or not check(change.value):
            return "invalid"
        stamp = change.hlc
        if type(stamp) is not str:
            return "invalid"
        if stamp not in self.received:  # a record's fields often share one stamp
            if fields.stamp_problem(stamp):
                return "invalid"
            try:
                self.clock.receive(Timestamp.parse(stamp), self.reference_ms)
            except ClockDrift:
                return "drift"
            self.received.add(stamp)
        return None

    def _acceptable(self, change: Change) -> bool:
        reason = self._problem(change)
        if reason is None:
            return True
        self.reject(change.table, change.id, change.field, reason)
        return False

    def reject(
        self, table: str, record_id: str, name: str, reason: str, quiet: bool = False
    ) -> None:
        """Keep a refused change in ``sync_rejected`` and log it, by names only (a name
        that could not be stored is replaced: the record's '*', or nothing kept)."""
        if fields.name_problem(table) or fields.name_problem(record_id):
            log.warning("sync: a change of an unnamed record refused (%s)", reason)
            return
        if fields.name_problem(name):
            name = "*"
        if not quiet:
            log.warning("sync: %s %s, field %r refused (%s)", table, record_id, name, reason)
        record_rejection(self.conn, table, record_id, name, reason, received=True)
        self.result.rejected += 1

    def _write(
        self, table: str, record_id: str, clocks: dict[str, str], winners: dict[str, Change]
    ) -> None:
        current = _current_values(self.conn, table, record_id)
        values = {name: change.value for name, change in winners.items()}
        if values.get("visibility") == "private":
            # Its owner withdrew it from the network: hide it here, and forget the
            # stamps of the values hidden with it (shared again, it comes back whole).
            if current is None:
                self.result.ignored += len(winners)
                return
            values["deleted"] = 1
            self.conn.execute(
                "DELETE FROM sync_field_clocks WHERE tbl = ? AND id = ? AND field <> 'visibility'",
                (table, record_id),
            )
            clocks = {}
        conflicts = self._keep_losers(table, record_id, current, clocks, winners)
        write_fields(self.conn, table, record_id, values, exists=current is not None)
        self._store_clocks(table, record_id, clocks, winners, fresh=current is None)
        self.result.applied += len(winners)
        self.result.conflicts += conflicts

    def _keep_losers(
        self,
        table: str,
        record_id: str,
        current: dict | None,
        clocks: dict[str, str],
        winners: dict[str, Change],
    ) -> int:
        """Local edits not pushed yet that lose: kept as conflicts, out of the outbox."""
        if current is None:
            return 0
        unpushed = {
            row[0]
            for row in self.conn.execute(
                "SELECT field FROM sync_outbox WHERE tbl = ? AND id = ?", (table, record_id)
            )
        }
        count = 0
        for name, change in winners.items():
            local = _stamp_of(clocks, name)
            mine = local is not None and local.endswith("-" + self.site)
            if not mine or not (name in unpushed or "*" in unpushed):
                continue
            if current.get(name) != change.value:
                record_conflict(
                    self.conn, table, record_id, name,
                    (current.get(name), local), (change.value, change.hlc),
                )  # fmt: skip
                count += 1
            self.conn.execute(
                "DELETE FROM sync_outbox WHERE tbl = ? AND id = ? AND field = ?",
                (table, record_id, name),
            )
        return count

    def _store_clocks(
        self,
        table: str,
        record_id: str,
        clocks: dict[str, str],
        winners: dict[str, Change],
        fresh: bool,
    ) -> None:
        stamps = {name: change.hlc for name, change in winners.items()}
        if fresh and not clocks and set(stamps) >= set(_all_fields(table)):
            # A whole new record (the usual first pull): one '*' clock row for the
            # oldest stamp, and a row only for the fields stamped later.
            oldest = min(stamps.values())
            stamps = {"*": oldest, **{n: s for n, s in stamps.items() if s != oldest}}
        self.conn.executemany(
            "INSERT INTO sync_field_clocks (tbl, id, field, hlc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (tbl, id, field) DO UPDATE SET hlc = excluded.hlc",
            [(table, record_id, name, stamp) for name, stamp in stamps.items()],
        )


_VALIDATORS = fields.VALIDATORS  # (table, field) -> predicate (the link fields too)


def _all_fields(table: str) -> tuple[str, ...]:
    link = LINK_FIELDS.get(table)
    return (*SYNCED_FIELDS[table], *([link] if link else []))


def _stamp_of(clocks: dict[str, str], name: str) -> str | None:
    found = [s for s in (clocks.get(name), clocks.get("*")) if s is not None]
    return max(found) if found else None


def _current_values(conn: sqlite3.Connection, table: str, record_id: str) -> dict | None:
    cursor = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip([c[0] for c in cursor.description], row, strict=True))
    link = LINK_FIELDS.get(table)
    if link:
        values[link] = outbox.link_value(conn, table, record_id)
    return values
