"""Two hub instances on one PostgreSQL database, laptops syncing through both at once (#14).

As behind a reverse proxy: two ``companion-hub serve`` processes, each with its own data
folder, on the same PostgreSQL database; the first runs two worker processes
(``--workers 2``). Four laptops (two of Alice's, Bob's, and the coordination's, an admin)
sync at the same time, each round through one instance or the other: they create actors,
edit their own, Alice's two laptops edit the same field of her shared actor, the
coordination edits Bob's actor, Bob deletes one of his. After a last round of syncs:

- every laptop holds exactly the hub's network records;
- every change acknowledged is stored once: each created actor is one hub record, each
  stored field has its own sequence number, and the last value each laptop wrote is in
  the final state or in a laptop's conflicts;
- the instances refused nothing.
"""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path

import pytest
from sync_helpers import HubProcess, hub_network_state, network_state, transport

from companion.hub.storage import WATERMARK_FILE, HubState, HubStore, _Watermark
from companion.hub.toolbox import publish
from companion.store import Store
from companion.sync.client import SyncClient, conflicts, rejected
from companion.toolbox.items import bundle_root

ROUNDS = 4
NEW_PER_ROUND = 6
SEATS = ("Alice", "Alice", "Bob", "Coordination")
ALICE_1, ALICE_2, BOB, COORDINATION = range(4)


@pytest.fixture
def shared_database(postgres_cluster):
    name = postgres_cluster.new_database()
    yield postgres_cluster.url(name)
    postgres_cluster.drop_database(name)


def _sync(store: Store, url: str, token: str):
    return SyncClient(store, url, token, transport=transport()).sync()


class Laptop:
    def __init__(self, n: int, path: Path, token: str) -> None:
        self.n = n
        self.path = path
        self.token = token
        self.created: list[str] = []  # names of the actors it made
        self.last_writes: dict[tuple[str, str], object] = {}  # (id, field) -> value
        self.error: BaseException | None = None

    def work(self, store: Store, round_: int, shared: dict[str, str]) -> None:
        """One round of edits, as a user would make them between two syncs."""
        own = []
        for i in range(NEW_PER_ROUND):
            name = f"Acteur {self.n}-{round_}-{i}"
            own.append(store.add_actor(name, "association").id)
            self.created.append(name)
        description = f"Revu par le poste {self.n}, tour {round_}"
        store.update_actor(own[0], description=description)
        self.last_writes[(own[0], "description")] = description
        if self.n in (ALICE_1, ALICE_2):  # the same field on both of Alice's laptops
            text = f"Alice, poste {self.n}, tour {round_}"
            store.update_actor(shared["alice"], description=text)
            self.last_writes[(shared["alice"], "description")] = text
        elif self.n == COORDINATION:  # an admin edits another member's record
            commune = f"Commune {round_}"
            store.update_actor(shared["bob"], commune=commune)
            self.last_writes[(shared["bob"], "commune")] = commune
        elif round_ == 2:
            store.delete_actor(own[1])
            self.last_writes[(own[1], "deleted")] = 1

    def run(self, urls: list[str], shared: dict[str, str], start: threading.Barrier) -> None:
        store = Store.open(self.path)
        try:
            start.wait(60)
            for round_ in range(ROUNDS):
                self.work(store, round_, shared)
                _sync(store, urls[(self.n + round_) % 2], self.token)
        except BaseException as error:  # reported by the test's thread
            self.error = error
        finally:
            store.close()


def test_two_instances_on_one_database_converge(tmp_path, shared_database):
    hub = HubStore.open(tmp_path / "instance-a", shared_database)
    tokens = {}
    for seat in dict.fromkeys(SEATS):
        _member, tokens[seat] = hub.add_member(
            seat, "admin" if seat == "Coordination" else "member"
        )
    hub.close()
    lifted = ("--database-url", shared_database, "--push-rate", "1000", "--push-burst", "1000")
    instances = [
        HubProcess(tmp_path / "instance-a", tokens["Alice"], *lifted, "--workers", "2"),
        HubProcess(tmp_path / "instance-b", tokens["Alice"], *lifted),
    ]
    laptops = [Laptop(n, tmp_path / f"poste-{n}.db", tokens[SEATS[n]]) for n in range(4)]
    try:
        for instance in instances:
            instance.start()
        urls = [instance.url for instance in instances]
        # Before the rush: Alice and Bob each share an actor, every laptop has both.
        shared = {}
        for laptop in laptops:
            with closing(Store.open(laptop.path)) as store:
                if laptop.n == ALICE_1:
                    shared["alice"] = store.add_actor("Tiers-lieu d'Alice", "association").id
                elif laptop.n == BOB:
                    shared["bob"] = store.add_actor("Fondation de Bob", "fondation").id
                _sync(store, urls[laptop.n % 2], laptop.token)
        for laptop in laptops:
            with closing(Store.open(laptop.path)) as store:
                _sync(store, urls[(laptop.n + 1) % 2], laptop.token)

        start = threading.Barrier(len(laptops))
        threads = [
            threading.Thread(target=laptop.run, args=(urls, shared, start)) for laptop in laptops
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert not any(thread.is_alive() for thread in threads), "a laptop's sync hangs"
        for laptop in laptops:
            assert laptop.error is None, f"laptop {laptop.n}: {laptop.error!r}"

        for final_round in range(2):  # everyone hears of everyone's last pushes
            for laptop in laptops:
                with closing(Store.open(laptop.path)) as store:
                    _sync(store, urls[(laptop.n + final_round) % 2], laptop.token)
    finally:
        for instance in instances:
            instance.stop()

    hub = HubStore.open(tmp_path / "check", shared_database)
    try:
        expected = hub_network_state(hub)
        with hub.backend.transaction() as tx:
            rows, distinct = tx.one("SELECT count(*), count(DISTINCT seq) FROM field_state")
            names = [
                value for (value,) in tx.rows(
                    "SELECT value FROM field_state WHERE tbl = 'actors' AND field = 'name'"
                )
            ]  # fmt: skip
    finally:
        hub.close()
    assert rows == distinct, "two changes share a sequence number"
    made = [f'"{name}"' for laptop in laptops for name in laptop.created]
    assert len(made) == len(laptops) * ROUNDS * NEW_PER_ROUND
    assert sorted(name for name in names if name.startswith('"Acteur')) == sorted(made)

    kept = set()  # every value some laptop keeps in its conflicts
    for laptop in laptops:
        with closing(Store.open(laptop.path)) as store:
            assert network_state(store) == expected, f"laptop {laptop.n} differs from the hub"
            assert rejected(store) == [], f"laptop {laptop.n} was refused something"
            kept.update(
                (c.record_id, c.field, value)
                for c in conflicts(store, include_resolved=True)
                for value in (c.local_value, c.remote_value)
            )
    lost = [
        (laptop.n, record_id, name, value)
        for laptop in laptops
        for (record_id, name), value in laptop.last_writes.items()
        if expected.get(("actors", record_id), {}).get(name) != value
        and (record_id, name, value) not in kept
    ]
    assert lost == [], "acknowledged values neither in the final state nor in any conflicts"


def test_an_item_published_on_each_instance_is_served_by_each(tmp_path, shared_database):
    item = bundle_root() / "items" / "guide-etapes-alliance.md"
    folders = [tmp_path / "instance-a", tmp_path / "instance-b"]
    for folder in folders:  # as docs/SYNC.md says: once per instance's folder
        hub = HubStore.open(folder, shared_database)
        published = publish(hub, item)
        hub.close()
    assert not published.changed  # the database already had it from the first instance
    for folder in folders:
        hub = HubStore.open(folder, shared_database)
        try:
            for entry in hub.toolbox_item(published.item.id).files:
                assert hub.toolbox_file(entry.sha256) is not None, (folder.name, entry.path)
        finally:
            hub.close()


def test_the_high_water_mark_never_goes_down_between_processes(tmp_path):
    # Two workers of one folder: the one whose push committed first may record it last.
    first, second = (_Watermark(tmp_path / WATERMARK_FILE) for _ in range(2))
    first.record(HubState("epoque", 120))
    second.record(HubState("epoque", 80))
    assert first.read() == second.read() == HubState("epoque", 120)
    second.record(HubState("epoque", 130))
    assert first.read() == HubState("epoque", 130)
    first.record(HubState("nouvelle-epoque", 5))  # a renewed epoch always replaces it
    assert second.read() == HubState("nouvelle-epoque", 5)
