"""Randomised convergence through the real hub, with Hypothesis (issue #6).

Three to five laptops (two of Alice's, the coordination's, which is an admin, Bob's,
Carol's) insert, edit, delete, share and withdraw actors and people, edit one field on
several laptops at once, and sync in a random order. After a final round of syncs:

- every laptop holds exactly the hub's network records;
- every acknowledged write (a value its laptop pushed) is in the final state, or in some
  laptop's conflicts (as ``local_value``), or was replaced by an edit made over it (the
  laptop that wrote the replacing value was showing it);
- no private record ever reached the hub (checked after every sync) nor another laptop,
  and a withdrawn record keeps at the hub only its owner, visibility and tombstone;
- the hub refused nothing but writes to withdrawn records.

One uvicorn server serves the test; each example gets a fresh hub store behind it
(``Swap``) and fresh laptops. Examples are derandomized (the same ones on every run); a
failure prints the falsifying example and a ``@reproduce_failure`` blob.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from loopback import serving
from sync_helpers import hub_fields, hub_network_state, network_state, transport

from companion.hub.app import create_app
from companion.hub.limits import Limits
from companion.hub.merge import KEPT_WHEN_PRIVATE
from companion.hub.storage import HubStore
from companion.store import Store
from companion.sync import outbox
from companion.sync.client import SyncClient, conflicts, rejected

SEATS = ("alice", "alice", "coordination", "bob", "carol")  # laptop n belongs to SEATS[n]
ADMINS = ("coordination",)
FIELDS = {"actors": ("description", "commune", "name", "tags"), "people": ("notes", "first_name")}
ALICE_1, ALICE_2, COORDINATION = 0, 1, 2


class Swap:
    """An ASGI app forwarding to the current hub's: one server, a fresh hub per example."""

    def __init__(self) -> None:
        self.app = None

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server():
    swap = Swap()
    with serving(swap) as url:
        yield swap, url


@dataclass
class Record:
    table: str
    id: str
    owner: str  # the member (a seat)
    creator: int  # the laptop that made it
    private: bool  # created private, not shared (yet)
    seed: bool = False  # made before the scenario: never withdrawn, so always counted
    withdrawn: bool = False  # shared, then made private


@dataclass
class Write:
    """The value a laptop left in a field before it synced (earlier ones were never sent)."""

    laptop: int
    table: str
    id: str
    field: str
    value: Any
    replaced: Any  # what the laptop showed before its first edit of the field since its sync
    acked: bool = False


class World:
    """One example: a fresh hub behind the server, laptops, and what they did."""

    def __init__(self, folder: Path, swap: Swap, url: str, laptops: int) -> None:
        self.hub = HubStore.open(folder / "hub")
        swap.app = create_app(self.hub, Limits(push_burst=10_000))
        self.url = url
        self.tokens = {}
        for seat in dict.fromkeys(SEATS[:laptops]):
            _member, self.tokens[seat] = self.hub.add_member(
                seat.title(), "admin" if seat in ADMINS else "member"
            )
        self.laptops = [Store.open(folder / f"p{n}.db") for n in range(laptops)]
        self.records: list[Record] = []
        self.writes: list[Write] = []
        self.pending: list[dict[tuple[str, str, str], Write]] = [{} for _ in self.laptops]
        # record id -> laptop -> values written there while the record was private
        self.secrets: dict[str, dict[int, set[str]]] = {}
        self.step = 0
        self.shared = 0

    def close(self) -> None:
        for store in self.laptops:
            store.close()
        self.hub.close()

    # -- what a laptop shows and may do -------------------------------------------

    def live(self, n: int, record: Record) -> str | None:
        """The record's visibility on laptop ``n`` if it is live there."""
        row = (
            self.laptops[n]
            .conn.execute(
                f"SELECT visibility, deleted FROM {record.table} WHERE id = ?", (record.id,)
            )
            .fetchone()
        )
        return row[0] if row is not None and not row[1] else None

    def writable(self, n: int, record: Record) -> bool:
        """A laptop's live private records are its own; a network record is its member's,
        or anyone's for an admin."""
        visibility = self.live(n, record)
        if visibility == "private":
            return True
        return visibility == "network" and (record.owner == SEATS[n] or SEATS[n] in ADMINS)

    def value(self, n: int, record: Record, name: str) -> Any:
        conn = self.laptops[n].conn
        if name == "tags":
            return outbox.link_value(conn, "actors", record.id)
        return conn.execute(
            f"SELECT {name} FROM {record.table} WHERE id = ?", (record.id,)
        ).fetchone()[0]

    def choose(self, options: list[Record], pick: int) -> Record | None:
        return options[pick % len(options)] if options else None

    # -- operations ------------------------------------------------------------------

    def insert(self, n: int, table: str, private: bool) -> Record:
        store = self.laptops[n]
        visibility = "private" if private else "network"
        label = f"{table} n°{self.step} (P{n})"
        if table == "actors":
            made = store.add_actor(label, "association", visibility=visibility, description=label)
        else:
            made = store.add_person("Prénom", label, visibility=visibility, notes=label)
        record = Record(table, made.id, SEATS[n], n, private)
        self.records.append(record)
        if private:
            self.secrets[record.id] = {n: {label}}
        return record

    def edit(self, n: int, record: Record, name: str) -> None:
        name = name if name in FIELDS[record.table] else FIELDS[record.table][0]
        store = self.laptops[n]
        private = self.live(n, record) == "private"
        before = self.value(n, record, name)
        label = f"{name} n°{self.step} (P{n})"
        if name == "tags":
            store.tag_actor(record.id, f"Thème n°{self.step} (P{n})")  # names never clash
        elif record.table == "actors":
            store.update_actor(record.id, **{name: label})
        else:
            store.update_record(record.table, record.id, **{name: label})
        if private:  # must stay on this laptop
            if name != "tags":
                self.secrets.setdefault(record.id, {}).setdefault(n, set()).add(label)
            return
        self.wrote(n, record, name, self.value(n, record, name), before)

    def delete(self, n: int, record: Record) -> None:
        private = self.live(n, record) == "private"
        self.laptops[n].delete_record(record.table, record.id)
        if not private:
            self.wrote(n, record, "deleted", 1, 0)

    def wrote(self, n: int, record: Record, name: str, value: Any, before: Any) -> None:
        key = (record.table, record.id, name)
        first = self.pending[n].get(key)
        write = Write(n, record.table, record.id, name, value,
                      first.replaced if first else before)  # fmt: skip
        self.writes.append(write)
        self.pending[n][key] = write

    def share(self, n: int, record: Record) -> None:
        self.laptops[n].update_record(record.table, record.id, visibility="network")
        record.private = False
        self.shared += 1
        self.secrets.pop(record.id, None)  # its values travel now, by design

    def withdraw(self, n: int, record: Record) -> None:
        self.laptops[n].update_record(record.table, record.id, visibility="private")
        record.withdrawn = True

    def sync(self, n: int) -> None:
        seat = SEATS[n]
        SyncClient(self.laptops[n], self.url, self.tokens[seat], transport=transport()).sync()
        for write in self.pending[n].values():
            write.acked = True
        self.pending[n].clear()
        never_shared = [r.id for r in self.records if r.private]
        assert not self.at_hub(never_shared), "a private record reached the hub"

    def at_hub(self, record_ids: list[str]) -> set[str]:
        if not record_ids:
            return set()
        marks = ", ".join("?" * len(record_ids))
        with self.hub.backend.transaction() as tx:
            rows = tx.rows(
                f"SELECT id FROM records WHERE id IN ({marks})"
                f" UNION SELECT id FROM field_state WHERE id IN ({marks})",
                (*record_ids, *record_ids),
            )
        return {row[0] for row in rows}

    # -- running an operation list ----------------------------------------------------

    def run(self, op: tuple) -> None:
        self.step += 1
        kind, laptop, *args = op
        if kind == "at_once":  # one field of one record edited on several laptops
            laptops = [n % len(self.laptops) for n in laptop]
            pick, field_no = args
            first = laptops[0]
            shared = [r for r in self.records if self.live(first, r) == "network"]
            record = self.choose([r for r in shared if self.writable(first, r)], pick)
            if record is None:
                return
            name = FIELDS[record.table][field_no % len(FIELDS[record.table])]
            for n in dict.fromkeys(laptops):
                if self.live(n, record) == "network" and self.writable(n, record):
                    self.edit(n, record, name)
            return
        n = laptop % len(self.laptops)
        if kind == "insert":
            table, private = args
            self.insert(n, table, private)
        elif kind == "edit":
            pick, field_no = args
            record = self.choose([r for r in self.records if self.writable(n, r)], pick)
            if record is not None:
                self.edit(n, record, FIELDS[record.table][field_no % len(FIELDS[record.table])])
        elif kind == "delete":
            (pick,) = args
            record = self.choose([r for r in self.records if self.writable(n, r)], pick)
            if record is not None:
                self.delete(n, record)
        elif kind == "share":  # a private record joins the network, from its laptop
            (pick,) = args
            options = [r for r in self.records if r.private and self.live(r.creator, r)]
            record = self.choose(options, pick)
            if record is not None:
                self.share(record.creator, record)
        elif kind == "withdraw":  # its owner takes a shared record back
            (pick,) = args
            options = [
                r
                for r in self.records
                if not r.seed and r.owner == SEATS[n] and self.live(n, r) == "network"
            ]
            record = self.choose(options, pick)
            if record is not None:
                self.withdraw(n, record)
        else:
            self.sync(n)


# -- the scenario --------------------------------------------------------------------

laptop = st.integers(0, 4)  # taken modulo the number of laptops
pick = st.integers(0, 30)  # which of the records the laptop may act on
field_no = st.integers(0, 3)
EDIT = st.tuples(st.just("edit"), laptop, pick, field_no)
AT_ONCE = st.tuples(st.just("at_once"), st.lists(laptop, min_size=2, max_size=5), pick, field_no)
SYNC = st.tuples(st.just("sync"), laptop)
INSERT = st.tuples(st.just("insert"), laptop, st.sampled_from(["actors", "people"]), st.booleans())
OPERATION = st.one_of(  # a branch listed n times is drawn about n times as often
    EDIT, EDIT, EDIT, AT_ONCE, AT_ONCE, AT_ONCE, SYNC, SYNC, SYNC, INSERT, INSERT,
    st.tuples(st.just("delete"), laptop, pick),
    st.tuples(st.just("share"), laptop, pick),
    st.tuples(st.just("withdraw"), laptop, pick),
)  # fmt: skip
SCENARIO = st.fixed_dictionaries({
    "operations": st.lists(OPERATION, min_size=12, max_size=40),
    "final_order": st.permutations(range(5)),
})  # fmt: skip

# Alice's description edited at once on her two laptops and the coordination's; the
# earliest stamp reaches the hub first, so the later ones replace it unseen.
SAME_FIELD_THREE_WAYS = {
    "operations": [
        ("at_once", [ALICE_1, ALICE_2, COORDINATION], 0, 0),
        ("sync", ALICE_1), ("sync", ALICE_2), ("sync", COORDINATION),
        ("at_once", [COORDINATION, ALICE_2, ALICE_1], 0, 0),
        ("sync", COORDINATION), ("sync", ALICE_1),
    ],
    "final_order": (0, 1, 2, 3, 4),
}  # fmt: skip


@settings(
    max_examples=10,  # for each number of laptops
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
)
@example(SAME_FIELD_THREE_WAYS)
@given(scenario=SCENARIO)
@pytest.mark.parametrize("laptops", [3, 4, 5])
def test_laptops_converge_and_no_acknowledged_write_is_lost(server, laptops, scenario):
    swap, url = server
    folder = Path(tempfile.mkdtemp(prefix="companion-convergence-"))
    world = World(folder, swap, url, laptops)
    try:
        _play(world, scenario)
        _check(world)
    finally:
        world.close()
        shutil.rmtree(folder, ignore_errors=True)


def _play(world: World, scenario: dict) -> None:
    # Shared from the start, on every laptop: an actor of each member, a person of Alice's.
    makers = list(dict.fromkeys(SEATS[: len(world.laptops)]))
    for seat in makers:
        world.insert(SEATS.index(seat), "actors", private=False).seed = True
    world.insert(ALICE_1, "people", private=False).seed = True
    for n in (*map(SEATS.index, makers), *range(len(world.laptops))):
        world.sync(n)
    for op in scenario["operations"]:
        world.run(op)
    order = [n for n in scenario["final_order"] if n < len(world.laptops)]
    for _round in range(2):  # the first round gathers everything, the second spreads it
        for n in order:
            world.sync(n)


def _check(world: World) -> None:
    at_hub = hub_network_state(world.hub)
    for n, store in enumerate(world.laptops):
        here = network_state(store)
        differ = sorted(k for k in here.keys() | at_hub.keys() if here.get(k) != at_hub.get(k))
        assert not differ, f"laptop P{n} differs from the hub on {differ}"

    for record in world.records:
        key = (record.table, record.id)
        fields = hub_fields(world.hub, record.id)
        if record.private:  # never left its laptop
            assert fields == {}, f"private {key} reached the hub"
            holders = [n for n, store in enumerate(world.laptops) if _row(store, record)]
            assert holders == [record.creator], f"private {key} on laptops {holders}"
        elif record.withdrawn:  # the hub keeps only the fact
            assert set(fields) <= set(KEPT_WHEN_PRIVATE), (key, fields)
        else:
            assert key in at_hub, f"shared {key} missing at the hub"
        for n, secret in world.secrets.get(record.id, {}).items():
            assert not secret & set(map(str, fields.values())), (
                f"{key}: P{n}'s private values at the hub"
            )
            for m, store in enumerate(world.laptops):
                leaked = secret & set(map(str, _row(store, record))) if m != n else set()
                assert not leaked, f"{key}: P{n}'s private values {leaked} on P{m}"

    withdrawn = {r.id for r in world.records if r.withdrawn}
    for n, store in enumerate(world.laptops):
        for refusal in rejected(store):
            assert (refusal.reason, refusal.record_id in withdrawn) == ("private", True), (
                f"P{n}: {refusal}"
            )

    kept: dict[tuple[str, str, str], list[Any]] = {}
    for store in world.laptops:
        for conflict in conflicts(store):
            kept.setdefault((conflict.table, conflict.record_id, conflict.field), []).append(
                conflict.local_value
            )
    acked = [w for w in world.writes if w.acked]
    lost = []
    for write in acked:
        key = (write.table, write.id, write.field)
        if (write.table, write.id) not in at_hub:
            continue  # withdrawn: its values are gone by design
        final = at_hub[(write.table, write.id)].get(write.field)
        if write.value == final or write.value in kept.get(key, []):
            continue
        if any(
            other is not write
            and (other.table, other.id, other.field) == key
            and other.replaced == write.value
            for other in acked
        ):
            continue  # replaced by an edit made over it
        lost.append((write, final, kept.get(key, [])))
    event(f"acknowledged writes: {min(len(acked) // 5 * 5, 20)}+")
    event("a conflict recorded" if kept else "no conflict")
    event("a record withdrawn" if withdrawn else "nothing withdrawn")
    event("a private record shared" if world.shared else "nothing shared")
    assert not lost, "acknowledged writes lost without a conflict:\n" + "\n".join(
        f"  P{w.laptop} {w.table}.{w.field} of {w.id[:8]} = {w.value!r} (replaced "
        f"{w.replaced!r}); final {final!r}; conflicts {held!r}"
        for w, final, held in lost
    )


def _row(store: Store, record: Record) -> list[Any]:
    cursor = store.conn.execute(f"SELECT * FROM {record.table} WHERE id = ?", (record.id,))
    row = cursor.fetchone()
    return list(row) if row is not None else []
