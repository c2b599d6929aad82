"""Access isolation between members, through real laptops and the real hub (issue #6).

On SQLite and on PostgreSQL (``hub_store``). Bob's laptop never receives, over the wire
or in its database file, Alice's private records, the values Alice lost in conflicts, or
the changes the hub refused her; Alice's second laptop does not get her first laptop's
private records either; Bob cannot change Alice's records; a revoked or replaced token is
refused on every endpoint, and a laptop holding one keeps its work for later.
test_hub_api.py checks the hub's rules one request at a time; here laptops sync as the
app does, and what they exchange is recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from loopback import serving
from sync_helpers import (
    hub_fields,
    hub_network_state,
    network_state,
    transport,
    wait_until,
)

from companion.hub.app import create_app
from companion.hub.toolbox import publish
from companion.protocol.hlc import physical_ms
from companion.store import Store
from companion.sync import outbox, state
from companion.sync.client import SyncClient, SyncError, conflicts, rejected
from companion.toolbox.items import bundle_root

from .helpers import client

ITEM = "guide-etapes-alliance"  # a bundled toolbox item, published on the hub

# Distinctive text, searched for in every byte a laptop received and in its database file.
PRIVATE = "PRIVE-ALICE-fiche-perso"
PRIVATE_NOTE = "PRIVE-ALICE-note-sur-une-personne"
LOST = "CONFLIT-ALICE-valeur-perdue"
REFUSED = "REFUS-ALICE-fiche-de-bob"
WITHDRAWN_LATER = "RETIREE-ALICE-ecrit-apres-retrait"
REFUSED_WITHDRAWN = "REFUS-ALICE-fiche-retiree"
ALICE_ONLY = (PRIVATE, PRIVATE_NOTE, LOST, REFUSED, WITHDRAWN_LATER, REFUSED_WITHDRAWN)


@dataclass
class Exchange:
    method: str
    path: str
    sent: bytes
    status: int
    received: bytes


class Wire(httpx.BaseTransport):
    """The real HTTP transport, keeping every request and answer a laptop exchanged."""

    def __init__(self, exchanges: list[Exchange]) -> None:
        self.inner = transport()
        self.exchanges = exchanges

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append(
            Exchange(request.method, request.url.path, request.content, response.status_code,
                     response.content)
        )  # fmt: skip
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass
class Laptop:
    store: Store
    url: str
    token: str
    exchanges: list[Exchange] = field(default_factory=list)

    def sync(self):
        return SyncClient(self.store, self.url, self.token, transport=Wire(self.exchanges)).sync()

    def received(self) -> str:
        return b"".join(e.received for e in self.exchanges).decode()

    def sent(self) -> str:
        return b"".join(e.sent for e in self.exchanges).decode()

    def file_bytes(self) -> bytes:
        """The database as it lies on disk, write-ahead log included."""
        path = Path(self.store.path)
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    def row(self, table: str, record_id: str) -> dict | None:
        cursor = self.store.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip([c[0] for c in cursor.description], found, strict=True))


@pytest.fixture
def hub_url(hub_store):
    with serving(create_app(hub_store)) as url:
        yield url


@pytest.fixture
def network(hub_store, hub_url, tmp_path):
    """Alice (two laptops), Bob, and the coordination (an admin), each with a laptop."""
    opened: list[Store] = []

    def laptop(name: str, token: str) -> Laptop:
        store = Store.open(tmp_path / f"{name}.db")
        opened.append(store)
        return Laptop(store, hub_url, token)

    _alice, alice_token = hub_store.add_member("Alice", "member")
    _bob, bob_token = hub_store.add_member("Bob", "member")
    _coordination, admin_token = hub_store.add_member("Coordination", "admin")
    yield {
        "alice": laptop("alice", alice_token),
        "alice_2": laptop("alice-2", alice_token),
        "bob": laptop("bob", bob_token),
        "coordination": laptop("coordination", admin_token),
    }
    for store in opened:
        store.close()


def stamp_of(store: Store, record_id: str, name: str) -> str:
    row = store.conn.execute(
        "SELECT hlc FROM sync_field_clocks WHERE id = ? AND field IN (?, '*') ORDER BY hlc DESC",
        (record_id, name),
    ).fetchone()
    return row[0]


def later_than(store: Store, record_id: str, name: str):
    """True once the clock passed the stamp of a field's edit: a later edit stamps later."""
    wall_ms = int(stamp_of(store, record_id, name).split("-")[0])
    return lambda: physical_ms() > wall_ms + 5


def hub_values(hub_store) -> str:
    with hub_store.backend.transaction() as tx:
        return "\n".join(row[0] for row in tx.rows("SELECT value FROM field_state"))


# -- what another member receives --------------------------------------------------------


def test_another_member_never_receives_private_records_conflicts_or_refusals(hub_store, network):
    alice, alice_2, bob = network["alice"], network["alice_2"], network["bob"]
    coordination = network["coordination"]
    shared = alice.store.add_actor("Atelier partagé", "association", description="Première")
    withdrawn = alice.store.add_actor("Local retiré", "association", description="Ouvert")
    private = alice.store.add_actor(PRIVATE, "association", visibility="private",
                                    description=PRIVATE)  # fmt: skip
    person = alice.store.add_person("Zoé", "Privée", visibility="private", notes=PRIVATE_NOTE)
    bobs = bob.store.add_actor("Atelier de Bob", "collectif", description="De Bob")
    for laptop in (bob, alice, coordination, alice_2, bob):
        laptop.sync()

    # A value of Alice's loses to the coordination's later edit: a conflict on her laptop.
    alice.store.update_actor(shared.id, description=LOST)
    wait_until(later_than(alice.store, shared.id, "description"), what="a later stamp")
    coordination.store.update_actor(shared.id, description="Relu par la coordination")
    coordination.sync()
    # Refused: Alice edits Bob's record; her other laptop withdraws a record, which she
    # edits here before she hears of it, and edits there afterwards (it stays there).
    alice.store.update_actor(bobs.id, description=REFUSED)
    alice_2.store.update_actor(withdrawn.id, visibility="private")
    alice_2.sync()
    alice_2.store.update_actor(withdrawn.id, description=WITHDRAWN_LATER)
    alice.store.update_actor(withdrawn.id, description=REFUSED_WITHDRAWN)
    alice.sync()
    assert [c.local_value for c in conflicts(alice.store)] == [LOST]
    assert sorted((r.record_id, r.reason) for r in rejected(alice.store)) == sorted(
        [(bobs.id, "forbidden"), (withdrawn.id, "private")]
    )
    for laptop in (alice_2, bob, bob):
        laptop.sync()

    # Nothing of it over Bob's wire, in his database file, or at the hub.
    for text in ALICE_ONLY:
        assert text not in bob.received(), text
        assert text.encode() not in bob.file_bytes(), text
        assert text not in hub_values(hub_store), text
    for record_id in (private.id, person.id):
        assert record_id not in bob.received()
        assert bob.row("actors", record_id) is None and bob.row("people", record_id) is None
        assert hub_fields(hub_store, record_id) == {}
    assert (conflicts(bob.store), rejected(bob.store)) == ([], [])
    hidden = bob.row("actors", withdrawn.id)
    assert (hidden["visibility"], hidden["deleted"], hidden["description"]) == (
        "private", 1, "Ouvert"
    )  # fmt: skip
    assert bob.store.get_actor(shared.id).description == "Relu par la coordination"
    assert bob.store.get_actor(bobs.id).description == "De Bob"
    # Alice's private records never even left her laptop.
    assert PRIVATE not in alice.sent() and PRIVATE_NOTE not in alice.sent()
    assert private.id not in alice.sent() and person.id not in alice.sent()


def test_a_laptop_keeps_its_private_records_from_the_same_members_other_laptop(network):
    alice, alice_2 = network["alice"], network["alice_2"]
    private = alice.store.add_actor(PRIVATE, "association", visibility="private")
    shared = alice.store.add_actor("Atelier partagé", "association")
    alice.sync()
    alice_2.sync()
    assert alice_2.store.get_actor(shared.id).name == "Atelier partagé"
    assert alice_2.row("actors", private.id) is None
    assert PRIVATE not in alice_2.received()
    assert PRIVATE.encode() not in alice_2.file_bytes()


# -- what another member may write ---------------------------------------------------------


@pytest.fixture
def bob_edits_alices_records(hub_store, network):
    """Bob's laptop edits one of Alice's actors and deletes another; both sync."""
    alice, bob = network["alice"], network["bob"]
    kept = alice.store.add_actor("Atelier d'Alice", "association", description="D'Alice")
    other = alice.store.add_actor("Second atelier", "association")
    alice.sync()
    bob.sync()
    bob.store.update_actor(kept.id, description="Pris par Bob")
    bob.store.delete_actor(other.id)
    report = bob.sync()
    return alice, bob, kept, other, report


def test_another_member_cannot_change_a_members_records(hub_store, bob_edits_alices_records):
    alice, bob, kept, other, report = bob_edits_alices_records
    [push] = [e for e in bob.exchanges if e.path == "/v1/push"]
    assert push.status == 403  # every change of the batch was out of Bob's scope
    assert report.rejected == 2
    assert sorted((r.record_id, r.field, r.reason) for r in rejected(bob.store)) == sorted(
        [(kept.id, "description", "forbidden"), (other.id, "deleted", "forbidden")]
    )
    assert hub_fields(hub_store, kept.id)["description"] == "D'Alice"
    assert hub_fields(hub_store, other.id)["deleted"] == 0
    alice.sync()
    assert alice.store.get_actor(kept.id).description == "D'Alice"
    assert alice.store.get_actor(other.id) is not None
    assert conflicts(alice.store) == [] and rejected(alice.store) == []
    assert "Pris par Bob" not in alice.received()


def test_a_refused_edit_does_not_stay_on_the_laptop_that_made_it(
    hub_store, bob_edits_alices_records
):
    """Once the hub refused Bob's edits, his laptop shows the network's version of
    Alice's records, as every other laptop does (the refusal brings it), and keeps
    his refused values beside the refusals."""
    _alice, bob, kept, other, _report = bob_edits_alices_records
    assert bob.store.get_actor(kept.id).description == "D'Alice"  # at once, no pull needed
    assert sorted((r.field, r.value) for r in rejected(bob.store)) == [
        ("deleted", 1), ("description", "Pris par Bob"),
    ]  # fmt: skip
    bob.sync()
    at_hub = hub_network_state(hub_store)
    here = network_state(bob.store)
    for record_id in (kept.id, other.id):
        ours, network = here[("actors", record_id)], at_hub[("actors", record_id)]
        differ = {
            name: (ours[name], network[name]) for name in network if ours[name] != network[name]
        }
        assert not differ, f"Bob's copy still holds his refused edits (his, hub's): {differ}"
    assert bob.store.get_actor(other.id) is not None


# -- tokens --------------------------------------------------------------------------------


def every_endpoint(http: httpx.Client, sha256: str) -> dict[str, int]:
    """The status of one request to each endpoint."""
    empty_batch = {"site": "s", "batch_id": str(uuid.uuid4()), "changes": []}
    answers = {
        "status": http.get("/v1/status"),
        "push": http.post("/v1/push", json=empty_batch),
        "pull": http.get("/v1/pull", params={"since": 0}),
        "manifest": http.get("/v1/toolbox/manifest"),
        "file": http.get(f"/v1/toolbox/files/{sha256}"),
    }
    for name, answer in answers.items():
        if answer.status_code == 401:
            assert answer.json()["error"] == "unauthorized", name
            assert answer.headers["WWW-Authenticate"] == "Bearer", name
    return {name: answer.status_code for name, answer in answers.items()}


ALL_OK = {"status": 200, "push": 200, "pull": 200, "manifest": 200, "file": 200}
ALL_REFUSED = dict.fromkeys(ALL_OK, 401)


def test_a_revoked_token_is_refused_on_every_endpoint(hub_store, hub_url, network):
    alice, bob = network["alice"], network["bob"]
    publish(hub_store, bundle_root() / "items" / f"{ITEM}.md")
    sha256 = hub_store.manifest()[0].files[0].sha256
    actor = alice.store.add_actor("Atelier d'Alice", "association")
    alice.sync()
    with client(hub_url, alice.token) as http:  # one connection, kept open throughout
        assert every_endpoint(http, sha256) == ALL_OK
        hub_store.revoke_member("Alice")
        assert every_endpoint(http, sha256) == ALL_REFUSED

    # Her laptop: the sync fails with a reason she can act on, her edit waits.
    alice.store.update_actor(actor.id, description="Écrit après la révocation")
    with pytest.raises(SyncError, match="Jeton refusé"):
        alice.sync()
    assert outbox.pending(alice.store.conn) == 1
    assert "Jeton refusé" in state.get(alice.store.conn, state.LAST_ERROR)
    assert [e.status for e in alice.exchanges[-1:]] == [401]
    # Her records stay on the network.
    bob.sync()
    assert bob.store.get_actor(actor.id).name == "Atelier d'Alice"

    # A new token: the old one stays refused, the new one works, the edit goes through.
    _member, renewed = hub_store.renew_token("Alice")
    with client(hub_url, alice.token) as old, client(hub_url, renewed) as new:
        assert every_endpoint(old, sha256) == ALL_REFUSED
        assert every_endpoint(new, sha256) == ALL_OK
    alice.token = renewed
    assert alice.sync().pushed == 1
    bob.sync()
    assert bob.store.get_actor(actor.id).description == "Écrit après la révocation"
