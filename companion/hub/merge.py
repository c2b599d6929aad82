"""One push batch merged into the hub's field state (docs/SYNC.md, "Merge" and "Hub").

Runs inside one write transaction that holds the sequence counter: sequence
numbers are handed out, and become visible, in order, so a pull that returned
seq N never misses a change numbered below N that commits later.

Per field the later stamp wins (stamps compare as strings, see hlc.py); an
incoming change that loses comes back in ``superseded`` with the hub's value.
One that wins over a value from another laptop that its author never saw (the
hub's stamp is later than the change's ``base``, or the base is unknown) sends
that value back in ``overwritten``: the pusher keeps it as a conflict, so an
acknowledged value beaten by a concurrent edit is never silently dropped.
Scope: a record's owner is fixed by its creation (the ``owner`` field, which
must be the pushing member unless an admin pushes); only the owner or an admin
writes it afterwards. A record that hangs on another (``protocol.HANGS_ON``: a
profile on its actor, an affiliation on its person, an alliance on its actors) is
created, or its link moved, only by the owner of what it hangs on (either end of
an alliance) or an admin; what it hangs on is read as the record will stand after
the batch, a parent created in the same batch counts with its claimed owner, and a
parent the hub never received cannot be checked: it is let through. A record
whose winning visibility is ``private`` never reaches the hub; a shared one made
private keeps only its owner, visibility and tombstone, and every later write to
it is refused until it is shared again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from companion.hub import erasure
from companion.hub.backends import Tx
from companion.hub.members import Member
from companion.hub.wire import push_response_from_json, push_response_to_json
from companion.protocol.hlc import MAX_DRIFT_MS, Timestamp
from companion.protocol.messages import HANGS_ON, Change, PushRequest, PushResponse, Rejection

KEPT_WHEN_PRIVATE = ("owner", "visibility", "deleted")
VISIBILITIES = ("network", "private")

_UPSERT = (
    "INSERT INTO field_state (tbl, id, field, value, hlc, owner, seq) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (tbl, id, field) DO UPDATE"
    " SET value = excluded.value, hlc = excluded.hlc, seq = excluded.seq"
)


class BatchConflict(Exception):
    """The batch id was already used by another member."""


@dataclass(frozen=True)
class Outcome:
    status: int  # 200, or 403 when every change of the batch was out of scope
    response: PushResponse
    # Records of an erasure notice the hub held: once committed, the store makes the
    # old bytes unreadable (0 for a batch answered from memory).
    erased: int = 0


@dataclass
class _Record:
    owner: str
    visibility: str
    deleted: int
    new: bool
    fields: dict[str, tuple[str, str]]  # field -> (value as JSON, stamp)
    dirty: set[str] = field(default_factory=set)
    withdrawn: bool = False


def apply_batch(
    tx: Tx, member: Member, request: PushRequest, invalid: list[Rejection], now_ms: int
) -> Outcome:
    """Merge ``request`` (its ``invalid`` changes already set aside), act on its erasure
    notice, and remember the answer (answers past their retention are pruned first)."""
    seq = int(_meta(tx, "seq", lock=True))
    epoch = _meta(tx, "epoch")
    erasure.prune_answers(tx, now_ms)
    stored = tx.one(
        "SELECT member_id, status, response FROM batches WHERE batch_id = ?", (request.batch_id,)
    )
    if stored is not None:
        if stored[0] != member.id:
            raise BatchConflict(request.batch_id)
        data = json.loads(stored[2])
        data["server_time_ms"] = now_ms  # the clock offset must come from this answer
        return Outcome(int(stored[1]), push_response_from_json(data))
    merge = _Merge(tx, member, seq, now_ms, list(invalid))
    merge.run(request.changes)
    tx.run_many(_UPSERT, merge.upserts)
    erased = erasure.erase(tx, member, request.site, request.erased, merge.seq, now_ms)
    tx.run("UPDATE meta SET value = ? WHERE key = 'seq'", (str(erased.seq),))
    response = PushResponse(
        accepted=merge.accepted,
        rejected=merge.rejected + erased.rejected,
        superseded=merge.superseded,
        epoch=epoch,
        hub_seq=erased.seq,
        server_time_ms=now_ms,
        overwritten=merge.overwritten,
    )
    response = erasure.scrub_response(response, erased.erased)
    total = len(request.changes) + len(invalid)
    out_of_scope = total > 0 and len(merge.rejected) == total
    out_of_scope = out_of_scope and all(r.reason == "forbidden" for r in merge.rejected)
    status = 403 if out_of_scope else 200
    tx.run(
        "INSERT INTO batches (batch_id, member_id, status, response, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            request.batch_id,
            member.id,
            status,
            json.dumps(push_response_to_json(response)),
            erasure.iso(now_ms),
        ),
    )
    return Outcome(status, response, erased.held)


def _meta(tx: Tx, key: str, lock: bool = False) -> str:
    row = tx.one("SELECT value FROM meta WHERE key = ?" + (tx.for_update if lock else ""), (key,))
    assert row is not None, key
    return str(row[0])


def encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stored(change: Change, name: str, stored: tuple[str, str] | None) -> Change | None:
    if stored is None:
        return None
    return Change(change.table, change.id, name, json.loads(stored[0]), stored[1])


def _unseen(stamp: str, change: Change) -> bool:
    """Whether the hub's value stamped ``stamp`` was written elsewhere and not seen by
    the laptop that made ``change`` (its own earlier values never count)."""
    if Timestamp.parse(stamp).site == Timestamp.parse(change.hlc).site:
        return False
    return change.base is None or stamp > change.base


def _stamp_problem(change: Change, now_ms: int) -> str | None:
    try:
        stamp = Timestamp.parse(change.hlc)
    except ValueError:
        return "invalid"
    if str(stamp) != change.hlc:  # "+000…" or " 00…" would parse but sort wrongly as text
        return "invalid"
    if change.base is not None:
        try:
            Timestamp.parse(change.base)
        except ValueError:
            return "invalid"
    return "drift" if stamp.wall_ms > now_ms + MAX_DRIFT_MS else None


class _Merge:
    def __init__(
        self, tx: Tx, member: Member, seq: int, now_ms: int, rejected: list[Rejection]
    ) -> None:
        self.tx = tx
        self.member = member
        self.seq = seq
        self.now_ms = now_ms
        self.accepted = 0
        self.rejected = rejected
        self.superseded: list[Change] = []
        self.overwritten: list[Change] = []
        self.upserts: list[tuple[Any, ...]] = []
        self.groups: dict[tuple[str, str], list[Change]] = {}

    def reject(self, change: Change, reason: str, record: _Record | None = None) -> None:
        """Refuse ``change``; with the ``record`` as the hub holds it, say what the
        network has instead (the refusing laptop takes it)."""
        current = None
        if record is not None and record.visibility == "private":
            current = _stored(change, "visibility", record.fields.get("visibility"))
        elif record is not None:
            current = _stored(change, change.field, record.fields.get(change.field))
        self.rejected.append(Rejection(change.table, change.id, change.field, reason, current))

    def run(self, changes: list[Change]) -> None:
        groups: dict[tuple[str, str], list[Change]] = {}
        for change in changes:
            problem = _stamp_problem(change, self.now_ms)
            if problem:
                self.reject(change, problem)
            else:
                groups.setdefault((change.table, change.id), []).append(change)
        self.groups = groups
        for key, group in groups.items():
            record = self._load(key, group)
            if record is None:
                continue
            group = self._check_links(key, record, group)
            if group is None:
                continue
            # Visibility first: it decides whether the record's other fields may land.
            for change in sorted(group, key=lambda c: c.field != "visibility"):
                self._change(record, change)
            self._save(key, record)

    def _load(self, key: tuple[str, str], group: list[Change]) -> _Record | None:
        row = self.tx.one(
            "SELECT owner, visibility, deleted FROM records WHERE tbl = ? AND id = ?", key
        )
        if row is not None:
            rows = self.tx.rows(
                "SELECT field, value, hlc FROM field_state WHERE tbl = ? AND id = ?", key
            )
            fields = {name: (value, stamp) for name, value, stamp in rows}
            record = _Record(row[0], row[1], int(row[2]), False, fields)
            if row[0] != self.member.id and not self.member.is_admin:
                return self._refuse(group, "forbidden", record)
            return record
        claimed = next((c.value for c in group if c.field == "owner"), self.member.id)
        if not isinstance(claimed, str) or not claimed:
            return self._refuse(group, "invalid")
        if claimed != self.member.id and not self.member.is_admin:
            return self._refuse(group, "forbidden")
        # Without a visibility change the record is network: clients queue only those.
        stamps = [c for c in group if c.field == "visibility"]
        if stamps and max(stamps, key=lambda c: c.hlc).value == "private":
            return self._refuse(group, "private")
        return _Record(claimed, "network", 0, True, {})

    def _check_links(
        self, key: tuple[str, str], record: _Record, group: list[Change]
    ) -> list[Change] | None:
        """The changes of ``group`` that may go on: all of them, unless the record hangs
        on records none of which this member owns (then a new record is refused whole,
        and an existing one's link changes are)."""
        links = HANGS_ON.get(key[0])
        if not links or self.member.is_admin:
            return group
        moved = [c for c in group if c.field in links]
        if not moved and not record.new:
            return group
        parents = []
        for name, parent_table in links.items():
            latest = max((c for c in moved if c.field == name), key=lambda c: c.hlc, default=None)
            current = record.fields.get(name)
            if latest is not None and (current is None or latest.hlc > current[1]):
                parents.append((parent_table, latest.value))
            elif current is not None:
                parents.append((parent_table, json.loads(current[0])))
        if not parents or any(self._may_hang_on(table, value) for table, value in parents):
            return group
        if record.new:
            return self._refuse(group, "forbidden")
        for change in moved:
            self.reject(change, "forbidden", record)
        return [c for c in group if c.field not in links]

    def _may_hang_on(self, table: str, parent_id: Any) -> bool:
        """Whether this member may hang a record on ``parent_id``: it owns it, or the hub
        cannot tell (an empty link, a parent it never received)."""
        if not isinstance(parent_id, str) or not parent_id:
            return True
        row = self.tx.one("SELECT owner FROM records WHERE tbl = ? AND id = ?", (table, parent_id))
        if row is not None:
            return bool(row[0] == self.member.id)
        created = self.groups.get((table, parent_id))
        if created is not None:  # later in this batch: its claimed owner
            claimed = next((c.value for c in created if c.field == "owner"), self.member.id)
            return bool(claimed == self.member.id)
        return True

    def _refuse(self, group: list[Change], reason: str, record: _Record | None = None) -> None:
        for change in group:
            self.reject(change, reason, record)
        return None

    def _change(self, record: _Record, change: Change) -> None:
        if change.field == "owner" and change.value != record.owner:
            self.reject(change, "forbidden", record)  # the owner never changes
        elif change.field == "visibility" and change.value not in VISIBILITIES:
            self.reject(change, "invalid")
        elif change.field != "visibility" and record.visibility == "private":
            self.reject(change, "private", record)
        else:
            self._merge_field(record, change)

    def _merge_field(self, record: _Record, change: Change) -> None:
        current = record.fields.get(change.field)
        if current is not None and change.hlc <= current[1]:
            if change.hlc == current[1]:
                self.accepted += 1  # the same change again: nothing to do
            else:
                value = json.loads(current[0])
                self.superseded.append(
                    Change(change.table, change.id, change.field, value, current[1])
                )
            return
        self.accepted += 1
        value = encode(change.value)
        if current is not None and current[0] != value and _unseen(current[1], change):
            lost = Change(change.table, change.id, change.field, json.loads(current[0]), current[1])
            self.overwritten.append(lost)
        record.fields[change.field] = (value, change.hlc)
        record.dirty.add(change.field)
        if change.field == "deleted":
            record.deleted = 1 if change.value else 0
        elif change.field == "visibility":
            record.visibility = str(change.value)
            if record.visibility == "private":
                record.withdrawn = True
                record.fields = {k: v for k, v in record.fields.items() if k in KEPT_WHEN_PRIVATE}
                record.dirty &= set(KEPT_WHEN_PRIVATE)

    def _save(self, key: tuple[str, str], record: _Record) -> None:
        if not record.dirty:
            return
        tbl, record_id = key
        if record.new:
            self.tx.run(
                "INSERT INTO records (tbl, id, owner, visibility, deleted) VALUES (?, ?, ?, ?, ?)",
                (tbl, record_id, record.owner, record.visibility, record.deleted),
            )
        else:
            self.tx.run(
                "UPDATE records SET visibility = ?, deleted = ? WHERE tbl = ? AND id = ?",
                (record.visibility, record.deleted, tbl, record_id),
            )
        if record.withdrawn:
            self.tx.run(
                "DELETE FROM field_state WHERE tbl = ? AND id = ?"
                " AND field NOT IN ('owner', 'visibility', 'deleted')",
                key,
            )
        for name in sorted(record.dirty, key=lambda n: n != "owner"):
            value, stamp = record.fields[name]
            self.seq += 1
            self.upserts.append((tbl, record_id, name, value, stamp, record.owner, self.seq))
