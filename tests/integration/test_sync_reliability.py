"""Reliability of sync end to end, through the real hub (uvicorn on loopback, SQLite).

A hub restored from an older backup, laptops whose clocks are days off, and a
seeded random scenario: every laptop and the hub converge, and nothing the hub
acknowledged is lost.
"""

from __future__ import annotations

import random
import sqlite3
import time
from contextlib import contextmanager

import pytest
from loopback import LoopbackServer
from sync_helpers import hub_fields, hub_network_state, network_state

from companion.hub.app import create_app
from companion.hub.storage import DATABASE_FILE, HubStore
from companion.protocol import hlc
from companion.protocol.hlc import Timestamp, physical_ms
from companion.store import Store
from companion.sync import hubapi, state
from companion.sync.client import SyncClient, conflicts

DAY_MS = 24 * 60 * 60 * 1000


class RealHub:
    """The hub over a data folder, which can be stopped and started again."""

    def __init__(self, data_dir) -> None:
        self.data_dir = data_dir
        self.store: HubStore | None = None
        self.server: LoopbackServer | None = None
        self.url = ""

    def start(self) -> RealHub:
        self.store = HubStore.open(self.data_dir)
        self.server = LoopbackServer(create_app(self.store))
        self.url = self.server.url
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def backup(self, target) -> None:
        """A consistent copy of the database (sqlite's backup API: the WAL included)."""
        source = sqlite3.connect(self.data_dir / DATABASE_FILE)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()

    def restore(self, copy_path) -> None:
        """Put an older copy back in place of the database (the hub stopped)."""
        assert self.server is None and self.store is None
        for suffix in ("-wal", "-shm"):
            (self.data_dir / (DATABASE_FILE + suffix)).unlink(missing_ok=True)
        (self.data_dir / DATABASE_FILE).unlink()
        source = sqlite3.connect(copy_path)
        target = sqlite3.connect(self.data_dir / DATABASE_FILE)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


@pytest.fixture
def real_hub(tmp_path):
    hub = RealHub(tmp_path / "hub").start()
    yield hub
    hub.stop()


@pytest.fixture
def laptops(tmp_path):
    opened: list[Store] = []

    def open_laptop(name: str) -> Store:
        store = Store.open(tmp_path / f"{name}.db")
        opened.append(store)
        return store

    yield open_laptop
    for store in opened:
        store.close()


def sync(store: Store, hub: RealHub, token: str):
    return SyncClient(store, hub.url, token).sync()


def assert_converged(hub: RealHub, *stores: Store) -> dict:
    """Every laptop holds the same network records as the hub; returns them."""
    at_hub = hub_network_state(hub.store)
    for store in stores:
        assert network_state(store) == at_hub
    return at_hub


# -- 1. the hub restored from an older backup ---------------------------------------


def test_a_hub_restored_from_an_older_backup_gets_everything_back(tmp_path, real_hub, laptops):
    hub = real_hub
    _alice, alice_token = hub.store.add_member("Alice", "member")
    _bob, bob_token = hub.store.add_member("Bob", "member")
    a, b = laptops("a"), laptops("b")

    kept = a.add_actor("Maison des Possibles", "association", commune="Lyon")
    doomed = a.add_actor("Ancien Local", "association")
    a.tag_actor(kept.id, "Emploi")
    bobs = b.add_actor("Atelier de Bob", "collectif", commune="Vienne")
    for store, token in ((a, alice_token), (b, bob_token), (a, alice_token)):
        sync(store, hub, token)
    assert_converged(hub, a, b)
    old_epoch = hub.store.state().epoch

    hub.stop()  # the nightly backup
    hub.backup(tmp_path / "hub-backup.db")
    hub.start()

    # After the backup: edits of both members, all acknowledged by the hub.
    a.update_actor(kept.id, description="Après la sauvegarde", commune="Villeurbanne")
    a.tag_actor(kept.id, "Logement")
    a.delete_actor(doomed.id)
    fresh = a.add_actor("Nouvelle Recyclerie", "entreprise", email="contact@recyclerie.example")
    b.update_actor(bobs.id, phone="+33199001234")
    for store, token in ((a, alice_token), (b, bob_token), (a, alice_token)):
        report = sync(store, hub, token)
        assert report.rejected == 0
    before = assert_converged(hub, a, b)
    assert before[("actors", fresh.id)]["name"] == "Nouvelle Recyclerie"
    assert before[("actors", doomed.id)]["deleted"] == 1
    seq_before = hub.store.state().seq

    hub.stop()  # the disk dies; the backup is put back
    hub.restore(tmp_path / "hub-backup.db")
    hub.start()
    restored = hub.store.state()
    assert restored.seq < seq_before
    assert restored.epoch != old_epoch  # detected by the high-water mark: a new history
    assert ("actors", fresh.id) not in hub_network_state(hub.store)

    # Bob first: he pulls the old values of Alice's records; they must not win.
    report = sync(b, hub, bob_token)
    assert report.epoch_reset
    assert b.get_actor(kept.id).description == "Après la sauvegarde"
    report = sync(a, hub, alice_token)
    assert report.epoch_reset and report.pushed > 0 and report.rejected == 0
    sync(b, hub, bob_token)
    sync(a, hub, alice_token)

    after = assert_converged(hub, a, b)
    assert after == before  # every acknowledged edit is back, nothing else changed
    for store in (a, b):
        assert state.get(store.conn, state.EPOCH) == restored.epoch
        assert state.cursor(store.conn) == hub.store.state().seq
        got = store.get_actor(kept.id)
        assert (got.description, got.commune) == ("Après la sauvegarde", "Villeurbanne")
        assert store.tags_of(kept.id) == ["Emploi", "Logement"]
        assert store.get_actor(doomed.id) is None
        assert store.get_actor(fresh.id).email == "contact@recyclerie.example"
        assert store.get_actor(bobs.id).phone == "+33199001234"
        assert conflicts(store) == []


# -- 2. clocks days off -------------------------------------------------------------


class _SkewedTime:
    """The ``time`` module as a laptop with a wrong clock sees it."""

    def __init__(self, skew_ms: int) -> None:
        self.skew_ns = skew_ms * 1_000_000

    def time_ns(self) -> int:
        return time.time_ns() + self.skew_ns

    def time(self) -> float:
        return self.time_ns() / 1e9

    def __getattr__(self, name):
        return getattr(time, name)


def skew_clock(store: Store, skew_ms: int) -> None:
    """The laptop's SQL clock (``julianday('now')``, which stamps local edits) runs
    ``skew_ms`` off. Other uses of julianday are answered by SQLite itself."""
    plain = sqlite3.connect(":memory:", check_same_thread=False)

    def julianday(*args):
        if args == ("now",):
            return (time.time_ns() / 1e6 + skew_ms) / 86_400_000.0 + 2440587.5
        return plain.execute(f"SELECT julianday({', '.join('?' * len(args))})", args).fetchone()[0]

    store.conn.create_function("julianday", -1, julianday)
    store._test_skew_ms = skew_ms  # type: ignore[attr-defined]


@contextmanager
def clock_of(store: Store, monkeypatch):
    """While a laptop syncs, the Python clocks of the client are its (skewed) clock."""
    skew_ms = getattr(store, "_test_skew_ms", 0)
    with monkeypatch.context() as patch:
        patch.setattr(hubapi, "time", _SkewedTime(skew_ms))
        patch.setattr(hlc, "physical_ms", lambda: time.time_ns() // 1_000_000 + skew_ms)
        yield


def stamp_of(store: Store, record_id: str, name: str) -> Timestamp:
    row = store.conn.execute(
        "SELECT hlc FROM sync_field_clocks WHERE id = ? AND field = ?", (record_id, name)
    ).fetchone()
    return Timestamp.parse(row[0])


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.002)


def test_clocks_days_off_still_order_edits_by_real_time(real_hub, laptops, monkeypatch):
    hub = real_hub
    _alice, token = hub.store.add_member("Alice", "member")
    a, b, c = laptops("a"), laptops("b"), laptops("c")
    skew_clock(b, -3 * DAY_MS)  # three days behind
    skew_clock(c, 2 * DAY_MS)  # two days ahead

    def run(store):
        with clock_of(store, monkeypatch):
            return sync(store, hub, token)

    actor = a.add_actor("Bravelune", "association")
    for store in (a, b, c):
        run(store)  # each laptop learns its offset from the hub
    assert abs(int(state.get(b.conn, state.OFFSET)) - 3 * DAY_MS) < 60_000
    assert abs(int(state.get(c.conn, state.OFFSET)) + 2 * DAY_MS) < 60_000

    margin_ms = 300  # far above the error of an offset learned on loopback

    def later_than(stamp: Timestamp):
        return lambda: physical_ms() > stamp.wall_ms + margin_ms

    # description: A, then C (two days ahead). commune: C, then B (three days behind).
    a.update_actor(actor.id, description="Écrit d'abord sur A")
    first = stamp_of(a, actor.id, "description")
    wait_until(later_than(first))
    c.update_actor(actor.id, description="Écrit ensuite sur C", commune="Écrit d'abord sur C")
    second = stamp_of(c, actor.id, "description")
    wait_until(later_than(second))
    b.update_actor(actor.id, commune="Écrit ensuite sur B")
    third = stamp_of(b, actor.id, "commune")
    assert first < second < third  # the stamps follow real time, not the laptops' clocks
    for stamp in (first, second, third):
        assert abs(stamp.wall_ms - physical_ms()) < 60_000

    # The later edits reach the hub first; the earlier ones come after and lose.
    assert run(b).conflicts == 0
    assert run(c).conflicts == 1  # its commune lost to B's
    assert run(a).conflicts == 1  # its description lost to C's
    for store in (a, b, c):
        run(store)
    assert_converged(hub, a, b, c)
    for store in (a, b, c):
        got = store.get_actor(actor.id)
        assert (got.description, got.commune) == ("Écrit ensuite sur C", "Écrit ensuite sur B")
    [lost_on_a] = conflicts(a)
    assert (lost_on_a.field, lost_on_a.local_value) == ("description", "Écrit d'abord sur A")
    assert lost_on_a.remote_value == "Écrit ensuite sur C"
    [lost_on_c] = conflicts(c)
    assert (lost_on_c.field, lost_on_c.local_value) == ("commune", "Écrit d'abord sur C")
    assert lost_on_c.remote_value == "Écrit ensuite sur B"
    assert conflicts(b) == []
    at_hub = hub_fields(hub.store, actor.id)
    assert at_hub["description"] == "Écrit ensuite sur C"
    assert at_hub["commune"] == "Écrit ensuite sur B"


# -- 3. a seeded random scenario ----------------------------------------------------

FIELDS = ("description", "commune")


def _live(store: Store, record_id: str) -> bool:
    row = store.conn.execute(
        "SELECT visibility, deleted FROM actors WHERE id = ?", (record_id,)
    ).fetchone()
    return row == ("network", 0)


@pytest.mark.parametrize("seed", [11, 2024, 90210])
def test_a_random_scenario_converges_and_loses_nothing(seed, real_hub, laptops):
    print(f"seed={seed}")
    rng = random.Random(seed)
    hub = real_hub
    _alice, token = hub.store.add_member("Alice", "member")
    stores = [laptops(f"p{n}") for n in range(3)]
    records = [stores[0].add_actor(f"Acteur {n}", "association").id for n in range(3)]
    for store in (*stores, stores[0]):
        sync(store, hub, token)
    hub_known: set[int] = set()  # writes pushed to the hub
    seen = [set() for _ in stores]  # writes each laptop had pulled
    pending: list[list[dict]] = [[] for _ in stores]
    writes: list[dict] = []
    created_private: list[str] = []
    syncs = 0

    def run(n: int) -> None:
        nonlocal syncs
        syncs += 1
        sync(stores[n], hub, token)
        for write in pending[n]:
            write["pushed_at"] = syncs
            hub_known.add(write["n"])
        pending[n].clear()
        seen[n] = set(hub_known)

    def write(n: int, record_id: str, name: str, value) -> None:
        item = {"n": len(writes), "laptop": n, "id": record_id, "field": name, "value": value,
                "seen": set(seen[n]), "pushed_at": None}  # fmt: skip
        writes.append(item)
        pending[n].append(item)

    for step in range(30):
        n = rng.randrange(3)
        store = stores[n]
        live = [r for r in records if _live(store, r)]
        op = rng.choices(["update", "insert", "delete", "private", "sync"], [50, 12, 8, 8, 22])[0]
        if op in ("update", "delete", "private") and not live:
            op = "insert"
        if op == "update":
            record_id = rng.choice(live)
            name = rng.choice(FIELDS)
            value = f"{name} {step} sur p{n}"
            store.update_actor(record_id, **{name: value})
            write(n, record_id, name, value)
        elif op == "insert":
            private = rng.random() < 0.25
            actor = store.add_actor(
                f"Nouveau {step}", "collectif", visibility="private" if private else "network"
            )
            (created_private if private else records).append(actor.id)
        elif op == "delete":
            record_id = rng.choice(live)
            store.delete_actor(record_id)
            write(n, record_id, "deleted", 1)
        elif op == "private":
            store.update_actor(rng.choice(live), visibility="private")
        else:
            run(n)
    for _round in range(2):
        for n in rng.sample(range(3), 3):
            run(n)

    at_hub = assert_converged(hub, *stores)
    for record_id in created_private:  # never left its laptop
        assert hub_fields(hub.store, record_id) == {}
    for record_id in records:
        if ("actors", record_id) not in at_hub:  # withdrawn: the hub keeps only the fact
            assert set(hub_fields(hub.store, record_id)) <= {"owner", "visibility", "deleted"}
            assert hub_fields(hub.store, record_id)["visibility"] == "private"

    sites = {state.site(store.conn): n for n, store in enumerate(stores)}
    with hub.store.backend.transaction() as tx:
        stamps = {(i, f): h for i, f, h in tx.rows("SELECT id, field, hlc FROM field_state")}
    last: dict[tuple[int, str, str], dict] = {}
    for item in writes:
        last[(item["laptop"], item["id"], item["field"])] = item
    unrecorded = []
    for (_laptop, record_id, name), item in last.items():
        if ("actors", record_id) not in at_hub:
            continue
        final = at_hub[("actors", record_id)][name]
        winner_site = Timestamp.parse(stamps[(record_id, name)]).site
        winner = last.get((sites[winner_site], record_id, name))
        assert winner is not None and winner["value"] == final, (item, final)
        if item["value"] == final:
            continue
        kept = {c.local_value for store in stores for c in conflicts(store)
                if (c.record_id, c.field) == (record_id, name)}  # fmt: skip
        if item["value"] in kept or item["n"] in winner["seen"]:
            continue  # kept as a conflict, or overwritten by an edit made after seeing it
        unrecorded.append((item["value"], winner["value"]))
    print(f"seed={seed} writes={len(writes)} syncs={syncs}")
    assert unrecorded == [], "acknowledged values lost without a conflict"


# -- the acknowledged loser of a concurrent edit ---------------------------------------


def test_an_acknowledged_value_beaten_by_a_concurrent_edit_is_kept(real_hub, laptops):
    hub = real_hub
    _alice, token = hub.store.add_member("Alice", "member")
    a, b = laptops("a"), laptops("b")
    actor = a.add_actor("Bravelune", "association")
    sync(a, hub, token)
    sync(b, hub, token)
    a.update_actor(actor.id, description="Version de A")  # concurrent: neither saw the other
    first = stamp_of(a, actor.id, "description")
    # Later on b's clock (its time plus the offset it learned from the hub): a few
    # milliseconds of the two offsets' error must not reorder the edits.
    offset_b = int(state.get(b.conn, state.OFFSET) or 0)
    wait_until(lambda: physical_ms() + offset_b > first.wall_ms + 5)
    b.update_actor(actor.id, description="Version de B")
    assert str(stamp_of(b, actor.id, "description")) > str(first)
    sync(a, hub, token)  # acknowledged by the hub
    sync(b, hub, token)  # the later stamp wins at the hub
    sync(a, hub, token)
    assert a.get_actor(actor.id).description == "Version de B"
    kept = [c.local_value for store in (a, b) for c in conflicts(store)]
    assert kept == ["Version de A"]
