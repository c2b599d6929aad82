"""The hub killed (SIGKILL) in the middle of a push or a pull, restarted, and synced again.

The hub runs as in production: ``companion-hub serve`` in its own process, SQLite in its
data folder. A laptop syncs in a thread; the test waits for a condition (a first batch
committed in the hub's database, or then a later batch's transaction open; a first page
applied on the laptop), kills the hub, waits until the laptop has seen the connection
fail, and starts the hub again on the same folder and port; the laptop's retry, held
until then, finishes the sync. Afterwards: nothing lost or applied twice, every laptop
holds what the hub holds, the epoch is unchanged (a crash is not a restore), and the
database passes ``integrity_check``.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sync_helpers
from sync_helpers import hub_network_state, network_state, wait_until

from companion.hub.storage import DATABASE_FILE, HubStore
from companion.protocol.messages import SYNCED_FIELDS
from companion.store import Store
from companion.sync import client as sync_client
from companion.sync import outbox, state
from companion.sync.client import SyncClient, conflicts, rejected

ACTOR_FIELDS = len(SYNCED_FIELDS["actors"]) + 1  # and the tags


class HubProcess(sync_helpers.HubProcess):
    """The hub's process, and a look at its SQLite database from beside it."""

    def committed_seq(self) -> int:
        """The hub's sequence counter as committed in its database (read beside it)."""
        path = self.data_dir / DATABASE_FILE
        if not path.exists():
            return 0
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0
        finally:
            conn.close()
        return int(row[0]) if row else 0

    def writing(self) -> bool:
        """Whether the hub holds its database's write lock: a push's transaction is open."""
        conn = sqlite3.connect(self.data_dir / DATABASE_FILE, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked"
            return True
        else:
            conn.execute("ROLLBACK")
            return False
        finally:
            conn.close()


class Laptop:
    """A laptop's data file, synced in a thread on its own connection (as the app's job
    does); its retries after a failed request wait until the test restarted the hub."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failed = threading.Event()  # a request failed: the client waits to retry
        self.hub_back = threading.Event()
        self.report = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def _hold(self, seconds: float) -> None:
        self.failed.set()
        if not self.hub_back.wait(60):
            raise AssertionError("the hub was not restarted")

    def sync_in_background(self, url: str, token: str) -> None:
        def run() -> None:
            store = Store.open(self.path)
            try:
                self.report = SyncClient(store, url, token, sleep=self._hold).sync()
            except BaseException as error:  # reported by finish()
                self.error = error
            finally:
                store.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def cursor(self) -> int:
        """The laptop's pull cursor as committed (read beside the syncing connection)."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
        finally:
            conn.close()
        return int(row[0]) if row and row[0] else 0

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def finish(self):
        self._thread.join(120)
        assert not self._thread.is_alive(), "the sync did not finish"
        if self.error is not None:
            raise self.error
        return self.report


@pytest.fixture
def hub_folder(tmp_path):
    return tmp_path / "hub"


@pytest.fixture
def members(hub_folder):
    """Alice and Bob, made with the hub stopped (as ``companion-hub member add`` does)."""
    store = HubStore.open(hub_folder)
    try:
        _alice, alice = store.add_member("Alice", "member")
        _bob, bob = store.add_member("Bob", "member")
    finally:
        store.close()
    return alice, bob


@pytest.fixture
def hub_process(hub_folder, members):
    hub = HubProcess(hub_folder, members[0])
    hub.start()
    yield hub
    hub.stop()


def fill(path: Path, count: int) -> Store:
    """A laptop with ``count`` network actors (each with a tag, so every field travels)."""
    store = Store.open(path)
    with store.db.atomic():
        for n in range(count):
            actor = store.add_actor(
                f"Acteur n°{n}", "association", description=f"Description {n}",
                commune="Lyon", email=f"contact{n}@exemple.example",
            )  # fmt: skip
            store.tag_actor(actor.id, f"Thème {n % 7}")
    return store


def check_hub_database(folder: Path) -> None:
    conn = sqlite3.connect(folder / DATABASE_FILE)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        seq = int(conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
        numbers = conn.execute("SELECT count(*), max(seq) FROM field_state").fetchone()
        assert numbers == (seq, seq)  # only new records: one number per field, none twice
    finally:
        conn.close()


def converged(hub_folder: Path, *stores: Store) -> dict:
    hub = HubStore.open(hub_folder)
    try:
        at_hub = hub_network_state(hub)
    finally:
        hub.close()
    for store in stores:
        assert network_state(store) == at_hub
    return at_hub


@pytest.mark.parametrize("moment", ["after_a_batch", "inside_a_transaction"])
def test_the_hub_killed_during_a_push_loses_nothing(tmp_path, hub_process, members, moment):
    hub = hub_process
    alice_token, bob_token = members
    actors = 1_200  # about six batches of MAX_BATCH_CHANGES changes
    alice = fill(tmp_path / "alice.db", actors)
    tags = alice.conn.execute("SELECT count(*) FROM tags").fetchone()[0]
    total = actors * ACTOR_FIELDS + tags * len(SYNCED_FIELDS["tags"])
    epoch = hub.status().json()["epoch"]

    laptop = Laptop(alice.path)
    laptop.sync_in_background(hub.url, alice_token)
    wait_until(lambda: hub.committed_seq() > 0 or not laptop.running(), 60, "a batch committed")
    if moment == "inside_a_transaction":  # a later batch being merged
        wait_until(lambda: hub.writing() or not laptop.running(), 60, "a transaction open")
    committed = hub.committed_seq()
    hub.kill()
    assert laptop.running(), "the push ended before the hub was killed"
    wait_until(lambda: laptop.failed.is_set() or not laptop.running(), 60, "the push fails")
    hub.start()
    after_crash = hub.status().json()
    print(f"{moment}: {committed} changes committed when killed, {after_crash['hub_seq']} found")
    assert 0 < after_crash["hub_seq"] < total  # the kill cut the push short
    assert after_crash["epoch"] == epoch  # a crash is not a restore: no resync of everything
    laptop.hub_back.set()
    report = laptop.finish()
    assert (report.rejected, report.conflicts, report.epoch_reset) == (0, 0, False)

    again = SyncClient(alice, hub.url, alice_token).sync()
    assert again.pushed == 0 and outbox.pending(alice.conn) == 0
    bob = Store.open(tmp_path / "bob.db")
    try:
        SyncClient(bob, hub.url, bob_token).sync()
        assert hub.status().json()["hub_seq"] == total  # every change applied once
        hub.stop()
        at_hub = converged(hub.data_dir, alice, bob)
        assert sum(1 for table, _id in at_hub if table == "actors") == actors
        assert bob.count_actors() == actors
        assert (conflicts(alice), rejected(alice), conflicts(bob), rejected(bob)) == ([],) * 4
    finally:
        bob.close()
        alice.close()
    check_hub_database(hub.data_dir)


def test_the_hub_killed_during_a_pull_loses_nothing(tmp_path, hub_process, members, monkeypatch):
    monkeypatch.setattr(sync_client, "PULL_LIMIT", 2_000)  # several pages of little data
    hub = hub_process
    alice_token, bob_token = members
    actors = 400  # about five pages
    alice = fill(tmp_path / "alice.db", actors)
    SyncClient(alice, hub.url, alice_token).sync()
    total = hub.status().json()["hub_seq"]
    assert total > 3 * sync_client.PULL_LIMIT
    epoch = hub.status().json()["epoch"]
    bob_path = tmp_path / "bob.db"
    Store.open(bob_path).close()

    laptop = Laptop(bob_path)
    laptop.sync_in_background(hub.url, bob_token)
    # Bob applied a first page and asks for the next ones.
    wait_until(lambda: laptop.cursor() > 0 or not laptop.running(), 60, "a first page")
    hub.kill()
    cursor = laptop.cursor()
    print(f"killed with {cursor} of {total} changes pulled")
    assert laptop.running() and cursor < total, "the pull ended before the hub was killed"
    wait_until(lambda: laptop.failed.is_set() or not laptop.running(), 60, "the pull fails")
    hub.start()
    assert hub.status().json()["epoch"] == epoch
    laptop.hub_back.set()
    report = laptop.finish()
    assert (report.rejected, report.conflicts, report.epoch_reset) == (0, 0, False)
    assert 0 < report.pulled

    bob = Store.open(bob_path)
    try:
        assert SyncClient(bob, hub.url, bob_token).sync().pulled == 0
        assert state.cursor(bob.conn) == total
        hub.stop()
        converged(hub.data_dir, alice, bob)
        assert bob.count_actors() == actors
        assert bob.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        bob.close()
        alice.close()
    check_hub_database(hub.data_dir)
