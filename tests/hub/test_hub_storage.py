"""The hub's store without HTTP: tokens, the change feed, epochs, toolbox publishing."""

from __future__ import annotations

import hashlib
import shutil
import threading
import uuid

import pytest

from companion.hub import merge
from companion.hub.limits import TokenBuckets
from companion.hub.members import HubError
from companion.hub.toolbox import RangeNotSatisfiable, parse_range, publish
from companion.protocol.hlc import Timestamp, physical_ms
from companion.protocol.messages import Change, PushRequest
from companion.toolbox.items import bundle_root

ITEM = "guide-etapes-alliance"


def stamp(offset_ms: int = 0, site: str = "site") -> str:
    return str(Timestamp(physical_ms() + offset_ms, 0, site))


def batch(*changes: Change) -> PushRequest:
    return PushRequest("site", str(uuid.uuid4()), list(changes))


def new_actor(owner: str, **fields) -> list[Change]:
    record_id, when = str(uuid.uuid4()), stamp()
    values = {"owner": owner, "visibility": "network", **fields}
    return [Change("actors", record_id, name, value, when) for name, value in values.items()]


# -- members -------------------------------------------------------------------------


def test_tokens_are_random_stored_hashed_and_revocable(hub_store):
    member, token = hub_store.add_member("Alice", "member")
    _other, other_token = hub_store.add_member("Bob", "admin")
    assert token != other_token and len(token) >= 43
    with hub_store.backend.transaction() as tx:
        stored = [row[0] for row in tx.rows("SELECT token_hash FROM members")]
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert hub_store.authenticate(token) == member
    assert hub_store.authenticate(token + "x") is None
    assert hub_store.authenticate("") is None
    revoked = hub_store.revoke_member("Alice")
    assert revoked.revoked_at is not None and not revoked.active
    assert hub_store.authenticate(token) is None
    assert hub_store.authenticate(other_token).is_admin
    renewed, new_token = hub_store.renew_token(member.id)
    assert renewed.active and renewed.id == member.id
    assert hub_store.authenticate(new_token) == renewed
    assert hub_store.authenticate(token) is None


def test_member_names_are_unique_and_roles_checked(hub_store):
    laptop_id = str(uuid.uuid4())
    member, _token = hub_store.add_member("  Alice ", "member", member_id=laptop_id)
    assert (member.name, member.id) == ("Alice", laptop_id)
    with pytest.raises(HubError, match="existe déjà"):
        hub_store.add_member("Alice", "admin")
    with pytest.raises(HubError, match="existe déjà"):
        hub_store.add_member("Alicia", "member", member_id=laptop_id)
    with pytest.raises(HubError, match="Rôle inconnu"):
        hub_store.add_member("Bob", "owner")
    with pytest.raises(HubError, match="obligatoire"):
        hub_store.add_member("  ", "member")
    with pytest.raises(HubError, match="Aucun membre"):
        hub_store.revoke_member("Personne")
    assert [m.name for m in hub_store.members()] == ["Alice"]


# -- the change feed -------------------------------------------------------------------


def test_pull_pages_follow_the_hub_sequence(hub_store):
    member, _token = hub_store.add_member("Alice", "member")
    changes = [c for n in range(300) for c in new_actor(member.id, name=f"Acteur {n}")]
    outcome = hub_store.push(member, batch(*changes))
    assert outcome.response.accepted == 900
    seen, since, pages = [], 0, 0
    while True:
        page = hub_store.pull(since, 250)
        seen += page.changes
        since, pages = page.next, pages + 1
        if not page.more:
            break
    assert pages == 4
    assert [c.seq for c in seen] == list(range(1, 901))
    # A field changed again moves to the end of the feed, once.
    edited = Change("actors", changes[0].id, "name", "Renommé", stamp(1_000))
    hub_store.push(member, batch(edited))
    tail = hub_store.pull(since, 250)
    assert [(c.field, c.value, c.seq) for c in tail.changes] == [("name", "Renommé", 901)]
    assert len(hub_store.pull(0, 5000).changes) == 900


def test_a_batch_is_one_transaction(hub_store, monkeypatch):
    member, _token = hub_store.add_member("Alice", "member")
    first, second = new_actor(member.id, name="Un"), new_actor(member.id, name="Deux")
    calls = []
    original = merge._Merge._save

    def failing(self, key, record):
        calls.append(key)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self, key, record)

    monkeypatch.setattr(merge._Merge, "_save", failing)
    request = batch(*first, *second)
    with pytest.raises(RuntimeError):
        hub_store.push(member, request)
    assert hub_store.state().seq == 0
    assert hub_store.pull(0, 100).changes == []
    monkeypatch.setattr(merge._Merge, "_save", original)
    assert hub_store.push(member, request).response.accepted == 6  # the same batch id, retried


def test_concurrent_pushes_get_distinct_ordered_sequence_numbers(hub_store):
    members = [hub_store.add_member(f"M{n}", "member")[0] for n in range(6)]
    errors = []

    def work(member):
        try:
            for _ in range(10):
                hub_store.push(member, batch(*new_actor(member.id, name="x", kind="association")))
        except Exception as problem:  # noqa: BLE001 - reported by the assertion below
            errors.append(problem)

    threads = [threading.Thread(target=work, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert hub_store.state().seq == 6 * 10 * 4
    assert [c.seq for c in hub_store.pull(0, 5000).changes] == list(range(1, 241))


# -- epoch -------------------------------------------------------------------------------


def test_a_restored_backup_gets_a_new_epoch(hub_location):
    store = hub_location.open()
    member, _token = store.add_member("Alice", "member")
    store.push(member, batch(*new_actor(member.id, name="Avant la sauvegarde")))
    before = store.state()
    store.close()
    hub_location.snapshot("backup_copy")

    store = hub_location.open()
    assert store.state() == before  # reopening alone keeps the epoch
    store.push(member, batch(*new_actor(member.id, name="Après la sauvegarde")))
    store.close()
    hub_location.restore("backup_copy")

    restored = hub_location.open()
    state = restored.state()
    assert state.seq == before.seq
    assert state.epoch != before.epoch
    assert hub_location.open().state() == state  # and only once


def test_new_epoch_by_hand(hub_store):
    epoch = hub_store.state().epoch
    assert hub_store.renew_epoch() != epoch
    assert hub_store.state().epoch != epoch


# -- toolbox -------------------------------------------------------------------------------


def test_publishing_replaces_an_item_only_with_a_newer_version(hub_store, tmp_path):
    root = tmp_path / "boite"
    shutil.copytree(bundle_root(), root)
    path = root / "items" / f"{ITEM}.md"
    first = publish(hub_store, path)
    assert first.changed and first.previous_version is None
    for entry in first.item.files:
        stored, size = hub_store.toolbox_file(entry.sha256)
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == entry.sha256
        assert size == entry.size
    assert not publish(hub_store, path).changed

    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n# ", "\nAjout.\n\n# ", 1), encoding="utf-8")
    with pytest.raises(HubError, match="pas plus récente"):
        publish(hub_store, path)
    version = first.item.version
    path.write_text(
        path.read_text(encoding="utf-8").replace(f'version = "{version}"', 'version = "9.0"'),
        encoding="utf-8",
    )
    second = publish(hub_store, path)
    assert (second.changed, second.previous_version, second.item.version) == (True, version, "9.0")
    assert [item.version for item in hub_store.manifest()] == ["9.0"]

    with pytest.raises(HubError, match="items"):
        publish(hub_store, root / "README.md")
    (root / "images" / "etapes-alliance.svg").unlink()
    path.write_text(path.read_text(encoding="utf-8").replace('"9.0"', '"9.1"'), encoding="utf-8")
    with pytest.raises(HubError, match="Image introuvable"):
        publish(hub_store, path)


def test_byte_ranges():
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=90-500", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=-500", 100) == (0, 99)
    for ignored in ("items=0-1", "bytes=5-1", "bytes=0-1,5-6", "bytes=a-b", "bytes=-"):
        assert parse_range(ignored, 100) is None
    for unsatisfiable in ("bytes=100-", "bytes=-0", "bytes=200-300"):
        with pytest.raises(RangeNotSatisfiable):
            parse_range(unsatisfiable, 100)


def test_token_buckets_refill_with_time():
    now = [0.0]
    buckets = TokenBuckets(capacity=2, rate=0.5, clock=lambda: now[0])
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(2.0)
    assert buckets.take("b") == 0
    now[0] = 2.0
    assert buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(2.0)
