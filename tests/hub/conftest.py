"""Hub fixtures: a store on each engine (SQLite, PostgreSQL), a real server over it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from loopback import serving

from companion.hub.app import create_app
from companion.hub.limits import Limits
from companion.hub.members import Member
from companion.hub.storage import DATABASE_FILE, HubStore

from .helpers import Cluster, client, start_postgres

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    cluster = start_postgres()
    yield cluster
    cluster.stop()


@dataclass
class Location:
    """Where a test's hub keeps its data: a folder, and a database URL on PostgreSQL."""

    engine: str
    data_dir: Path
    url: str | None
    cluster: Cluster | None = None
    database: str | None = None
    opened: list[HubStore] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)

    def open(self) -> HubStore:
        store = HubStore.open(self.data_dir, self.url)
        self.opened.append(store)
        return store

    def snapshot(self, name: str) -> None:
        """Keep a copy of the database (the store must be closed), as a backup would."""
        if self.cluster is None:
            shutil.copy(self.data_dir / DATABASE_FILE, self.data_dir / name)
        else:
            self.cluster.copy_database(self.database, name)
            self.snapshots.append(name)

    def restore(self, name: str) -> None:
        """Put the copy back in place of the database (the store must be closed)."""
        if self.cluster is None:
            for suffix in ("-wal", "-shm"):
                (self.data_dir / (DATABASE_FILE + suffix)).unlink(missing_ok=True)
            shutil.copy(self.data_dir / name, self.data_dir / DATABASE_FILE)
        else:
            self.cluster.drop_database(self.database)
            self.cluster.copy_database(name, self.database)


@pytest.fixture(params=ENGINES)
def hub_location(request, tmp_path) -> Iterator[Location]:
    if request.param == "sqlite":
        location = Location("sqlite", tmp_path / "hub", None)
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        name = cluster.new_database()
        location = Location("postgresql", tmp_path / "hub", cluster.url(name), cluster, name)
    yield location
    for store in location.opened:
        store.close()
    if location.cluster is not None:
        for name in [location.database, *location.snapshots]:
            location.cluster.drop_database(name)


@pytest.fixture
def hub_store(hub_location) -> HubStore:
    return hub_location.open()


@dataclass
class Hub:
    url: str
    store: HubStore
    stack: ExitStack

    def member(self, name: str, role: str = "member") -> tuple[Member, str]:
        return self.store.add_member(name, role)

    def client(self, token: str | None, protocol: str | None = "1") -> httpx.Client:
        return self.stack.enter_context(client(self.url, token, protocol))


@pytest.fixture
def start_hub(hub_store) -> Iterator[Callable[..., Hub]]:
    with ExitStack() as stack:

        def start(limits: Limits | None = None) -> Hub:
            url = stack.enter_context(serving(create_app(hub_store, limits)))
            return Hub(url, hub_store, stack)

        yield start


@pytest.fixture
def hub(start_hub) -> Hub:
    return start_hub()
