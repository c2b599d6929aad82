"""Erasure notices at the hub (docs/SYNC.md, "Erasure"), and how long push answers stay.

A laptop that erased a person (``app/erasure.erase_person``) pushes
the blank tombstones, then names the erased records in a push's ``erased`` list.
Inside that push's transaction the hub, for each record it holds and the pusher
may write (its owner, or an admin):

- holds the record's personal fields (``protocol.ERASED_VALUES``) to their blank
  values: a field that still holds something else (an edit stamped after the
  erasure) is blanked with a new stamp and sequence number, so every laptop pulls
  the blank;
- removes the record's values from every push answer it remembers (``batches``):
  its ``superseded`` and ``overwritten`` entries go, and refusals lose the
  ``current`` value they carried.

After the commit the store makes the old bytes unreadable (``backends``: SQLite
zeroes freed space and truncates its log, PostgreSQL rewrites the tables).
A stored answer only serves retries of its batch, so answers older than
``ANSWER_RETENTION`` are deleted at each push.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from companion.hub.backends import Tx
from companion.hub.members import Member
from companion.hub.wire import push_response_from_json, push_response_to_json
from companion.protocol.hlc import MAX_COUNTER, Timestamp
from companion.protocol.messages import ERASED_VALUES, PushResponse, Rejection

# A client retries one request 5 times, waiting at most 60 s for each answer and 120 s
# between tries (sync/hubapi.py): about 13 minutes. An hour leaves a wide margin.
ANSWER_RETENTION = timedelta(hours=1)
# The tables whose stored values an erasure scrubs (a PostgreSQL hub rewrites them).
HELD_IN = ("field_state", "batches")

_UPSERT = (
    "INSERT INTO field_state (tbl, id, field, value, hlc, owner, seq) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (tbl, id, field) DO UPDATE"
    " SET value = excluded.value, hlc = excluded.hlc, seq = excluded.seq"
)


def iso(ms: int) -> str:
    """A time as ``batches.created_at`` holds it (UTC, to the second, ``Z``)."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def prune_answers(tx: Tx, now_ms: int) -> None:
    """Delete the push answers older than ``ANSWER_RETENTION`` (indexed by created_at)."""
    cutoff = iso(now_ms - int(ANSWER_RETENTION.total_seconds() * 1000))
    tx.run("DELETE FROM batches WHERE created_at < ?", (cutoff,))


@dataclass
class Erasure:
    """What a notice did: the sequence counter after it, the records refused, and the
    records whose values are gone (held by the hub, or never received)."""

    seq: int
    rejected: list[Rejection] = field(default_factory=list)
    erased: set[tuple[str, str]] = field(default_factory=set)
    held: int = 0  # erased records the hub held: its files must be cleaned


def erase(
    tx: Tx, member: Member, site: str, records: list[tuple[str, str]], seq: int, now_ms: int
) -> Erasure:
    """Inside a push's transaction, after its changes: act on an erasure notice."""
    done = Erasure(seq)
    upserts: list[tuple[Any, ...]] = []
    for table, record_id in dict.fromkeys(records):
        row = tx.one("SELECT owner FROM records WHERE tbl = ? AND id = ?", (table, record_id))
        if row is not None and row[0] != member.id and not member.is_admin:
            done.rejected.append(Rejection(table, record_id, "*", "forbidden"))
            continue
        done.erased.add((table, record_id))
        if row is None:
            continue  # never received: nothing of it here
        done.held += 1
        blanks = ERASED_VALUES[table]
        rows = tx.rows(
            "SELECT field, value, hlc FROM field_state WHERE tbl = ? AND id = ?", (table, record_id)
        )
        for name, value, stamp in rows:
            if name not in blanks or json.loads(value) == blanks[name]:
                continue
            done.seq += 1
            blank = json.dumps(blanks[name], ensure_ascii=False, separators=(",", ":"))
            later = str(_after(Timestamp.parse(stamp), now_ms, site))
            upserts.append((table, record_id, name, blank, later, row[0], done.seq))
        if "deleted" in blanks:
            tx.run("UPDATE records SET deleted = 1 WHERE tbl = ? AND id = ?", (table, record_id))
    tx.run_many(_UPSERT, upserts)
    _scrub_stored_answers(tx, done.erased)
    return done


def _after(stamp: Timestamp, now_ms: int, site: str) -> Timestamp:
    """A stamp of ``site`` later than ``stamp``, at the hub's time if it is later."""
    if now_ms > stamp.wall_ms:
        return Timestamp(now_ms, 0, site)
    if stamp.counter < MAX_COUNTER:
        return Timestamp(stamp.wall_ms, stamp.counter + 1, site)
    return Timestamp(stamp.wall_ms + 1, 0, site)


def _scrub_stored_answers(tx: Tx, records: set[tuple[str, str]]) -> None:
    if not records:
        return
    ids = {record_id for _table, record_id in records}
    for batch_id, text in tx.rows("SELECT batch_id, response FROM batches"):
        if not any(record_id in text for record_id in ids):
            continue
        data = json.loads(text)
        if scrub_answer(data, records):
            tx.run(
                "UPDATE batches SET response = ? WHERE batch_id = ?", (json.dumps(data), batch_id)
            )


def scrub_answer(data: dict[str, Any], records: set[tuple[str, str]]) -> bool:
    """Remove the values of ``records`` from a push answer (its JSON); True if any."""
    changed = False
    for key in ("superseded", "overwritten"):
        entries = data.get(key, [])
        kept = [entry for entry in entries if (entry["table"], entry["id"]) not in records]
        if len(kept) != len(entries):
            data[key] = kept
            changed = True
    for rejection in data.get("rejected", []):
        if "current" in rejection and (rejection["table"], rejection["id"]) in records:
            del rejection["current"]
            changed = True
    return changed


def scrub_response(response: PushResponse, records: set[tuple[str, str]]) -> PushResponse:
    """``response`` without the values of ``records``."""
    data = push_response_to_json(response)
    return push_response_from_json(data) if scrub_answer(data, records) else response
