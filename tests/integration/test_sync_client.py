"""The sync client against a minimal hub (httpx.MockTransport), then the real hub."""

from __future__ import annotations

import json
import os
import stat
import threading

import httpx
import pytest
from loopback import LoopbackServer
from sync_helpers import FakeHub

from companion.app.hub_connection import MEMBER_NAME, TOKEN_PLACE
from companion.cli import main
from companion.protocol.hlc import Timestamp, physical_ms
from companion.store import Store
from companion.sync import state
from companion.sync.client import SyncClient, SyncError, conflicts, rejected, restore_conflict
from companion.sync.hubapi import SyncCancelled, check_hub_url

URL = "https://hub.example.org"


@pytest.fixture
def hub():
    return FakeHub()


@pytest.fixture
def second(tmp_path):
    opened = Store.open(tmp_path / "second.db")
    yield opened
    opened.close()


def sync(store, hub, token=None, **options):
    waits = options.pop("waits", [])
    client = SyncClient(
        store, URL, token or hub.token, transport=hub.transport(), sleep=waits.append
    )
    return client.sync(**options)


def test_two_laptops_share_network_records_and_keep_private_ones(store, second, hub):
    actor = store.add_actor("Maison des Possibles", "association", commune="Lyon")
    store.tag_actor(actor.id, "Emploi")
    secret = store.add_person("Karim", "Benali", visibility="private")
    report = sync(store, hub)
    assert report.pushed == 22 + 5 and report.conflicts == report.rejected == 0
    assert {key[1] for key in hub.state} == {actor.id, store.conn.execute(
        "SELECT id FROM tags").fetchone()[0]}  # fmt: skip
    assert secret.id not in {key[1] for key in hub.state}
    assert hub.value("actors", actor.id, "owner") == hub.member  # the hub's id for the member

    report = sync(second, hub)
    assert (report.pushed, report.pulled, report.applied) == (0, 27, 27)
    got = second.get_actor(actor.id)
    assert (got.name, got.commune, second.tags_of(actor.id)) == (
        "Maison des Possibles", "Lyon", ["Emploi"])  # fmt: skip
    assert second.get_person(secret.id) is None

    second.update_actor(actor.id, description="Lieu partagé")
    sync(second, hub)
    report = sync(store, hub)
    assert store.get_actor(actor.id).description == "Lieu partagé"
    assert report.applied == 1
    assert state.get(store.conn, state.LAST_ERROR) is None
    assert state.get(store.conn, state.LAST_SYNC)


def test_the_member_id_of_the_hub_is_adopted_once(store, hub):
    before = store.add_actor("Ancien", "autre")
    local_id = store.member_id
    sync(store, hub)
    assert store.member_id == hub.member
    assert store.get_actor(before.id).owner == hub.member
    assert store.add_actor("Nouveau", "autre").owner == hub.member
    other_member = FakeHub(member="autre-membre", state=hub.state, seq=hub.seq, epoch=hub.epoch)
    sync(store, other_member)  # another token later: new records are its, old ones stay
    assert store.member_id == "autre-membre" != local_id
    assert store.get_actor(before.id).owner == hub.member


def test_the_clock_follows_the_hub(store, hub):
    hub.clock_ms = physical_ms() + 20 * 60 * 1000  # this laptop is 20 minutes late
    actor = store.add_actor("Bravelune", "association")
    sync(store, hub)
    offset = int(state.get(store.conn, state.OFFSET))
    assert abs(offset - 20 * 60 * 1000) < 60_000
    store.update_actor(actor.id, description="À l'heure du hub")
    sync(store, hub)
    stamp = Timestamp.parse(hub.state[("actors", actor.id, "description")][1])
    assert abs(stamp.wall_ms - hub.clock_ms) < 60_000


def test_a_new_epoch_resends_what_the_laptop_owns(store, second, hub):
    actor = store.add_actor("Bravelune", "association")
    sync(store, hub)
    sync(second, hub)
    assert state.cursor(second.conn) == hub.seq
    hub.state.clear()  # the hub was restored from an old backup: a new history
    hub.seq = 0
    hub.epoch = "restauree"
    report = sync(store, hub)
    assert report.epoch_reset
    assert hub.value("actors", actor.id, "name") == "Bravelune"
    report = sync(second, hub)
    assert report.epoch_reset and state.get(second.conn, state.EPOCH) == "restauree"
    assert state.cursor(second.conn) == hub.seq
    assert second.get_actor(actor.id).name == "Bravelune"


def test_a_value_superseded_at_the_hub_becomes_a_conflict_then_can_win(store, second, hub):
    actor = store.add_actor("Bravelune", "association")
    sync(store, hub)
    sync(second, hub)
    store.update_actor(actor.id, email="ancien@bravelune.example")  # edited first, offline
    with second.db.atomic():  # a clock 5 s ahead: edited later, even within one millisecond
        state.put(second.conn, state.OFFSET, 5_000)
    second.update_actor(actor.id, email="nouveau@bravelune.example")
    sync(second, hub)
    report = sync(store, hub)  # pushes an older edit: the hub keeps the newer one
    assert report.conflicts == 1
    assert store.get_actor(actor.id).email == "nouveau@bravelune.example"
    [conflict] = conflicts(store)
    assert conflict.local_value == "ancien@bravelune.example"
    assert conflict.remote_value == "nouveau@bravelune.example"

    restore_conflict(store, conflict.id)
    sync(store, hub)
    sync(second, hub)
    assert second.get_actor(actor.id).email == "ancien@bravelune.example"


def test_refused_changes_are_kept_for_the_user(store, hub):
    hub.rejected_fields = {"email"}
    store.add_actor("Bravelune", "association", email="contact@bravelune.example")
    report = sync(store, hub)
    assert report.rejected == 1
    assert [(r.field, r.reason) for r in rejected(store)] == [("email", "forbidden")]
    assert store.conn.execute("SELECT count(*) FROM sync_outbox").fetchone() == (0,)


def test_transient_failures_are_retried_with_back_off(store, hub):
    store.add_actor("Bravelune", "association")
    hub.failures = [httpx.ConnectError("refusé"), 503, (429, {"Retry-After": "7"})]
    waits: list[float] = []
    report = sync(store, hub, waits=waits)
    assert report.pushed == 22
    assert waits == [0.5, 1.0, 7.0]


def test_a_push_whose_answer_was_lost_is_applied_once(store, hub):
    for number in range(3):
        store.add_actor(f"Acteur {number}", "association")
    batches: list[str] = []
    pushes = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            batches.append(json.loads(request.content)["batch_id"])
            pushes["n"] += 1
            if pushes["n"] == 1:  # the hub applies the batch, its answer is lost
                hub.handle(request)
                raise httpx.ReadTimeout("answer lost", request=request)
        return hub.handle(request)

    client = SyncClient(
        store, URL, hub.token, transport=httpx.MockTransport(flaky), sleep=lambda s: None
    )
    client.max_bytes = 10_000  # a few records per batch
    report = client.sync()
    assert batches[0] == batches[1]  # the same batch sent again...
    assert hub.seq == 3 * 22  # ...applied once
    assert report.pushed == 3 * 22 and len(set(batches)) >= 2  # in several batches


def test_the_hub_is_told_of_an_erasure_once_the_blanks_are_pushed(store, hub):
    from companion.app.erasure import erase_person
    from companion.sync import erasure

    lea = store.add_person("Léa", "Martin", email="lea@exemple.org")
    sync(store, hub)
    erase_person(store, lea.id)
    assert erasure.pending(store.conn) == [("people", lea.id)]
    pushes: list[dict] = []
    refuse_notices = {"on": True}

    def recording(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            pushes.append(json.loads(request.content))
            if "erased" in pushes[-1] and refuse_notices["on"]:
                return httpx.Response(400, json={"error": "invalid", "message": "refusé"})
        return hub.handle(request)

    def sync_recorded():
        transport = httpx.MockTransport(recording)
        return SyncClient(store, URL, hub.token, transport=transport).sync()

    # The notice fails: the blanks went, the list waits for the next sync.
    with pytest.raises(SyncError):
        sync_recorded()
    assert [sorted(push) for push in pushes] == [
        ["batch_id", "changes", "site"], ["batch_id", "changes", "erased", "site"],
    ]  # fmt: skip
    assert hub.value("people", lea.id, "email") is None
    assert pushes[1]["changes"] == []
    assert pushes[1]["erased"] == [{"table": "people", "id": lea.id}]
    assert erasure.pending(store.conn) == [("people", lea.id)]
    refuse_notices["on"] = False
    sync_recorded()
    assert pushes[-1]["erased"] == [{"table": "people", "id": lea.id}]
    assert erasure.pending(store.conn) == []
    told = len(pushes)
    sync_recorded()
    assert len(pushes) == told  # told once: nothing more to push


def test_failures_name_what_failed(store, hub):
    hub.failures = [httpx.ConnectError("refusé")] * 5
    with pytest.raises(SyncError, match="Le hub ne répond pas"):
        sync(store, hub)
    assert "Le hub ne répond pas" in state.get(store.conn, state.LAST_ERROR)
    hub.failures = []
    with pytest.raises(SyncError, match="Jeton refusé par le hub"):
        sync(store, hub, token="faux")
    hub.failures = [(426, {})]
    with pytest.raises(SyncError, match="mettez Companion à jour"):
        sync(store, hub)
    hub.failures = [500] * 5
    with pytest.raises(SyncError, match="erreur \\(500\\)"):
        sync(store, hub)


def test_a_cancelled_sync_stops_between_requests(store, hub):
    cancel = threading.Event()
    store.add_actor("Bravelune", "association")

    def progress(done, total, message):
        cancel.set()

    with pytest.raises(SyncCancelled, match="annulée"):
        sync(store, hub, progress=progress, cancel=cancel)


def test_plain_http_only_to_this_machine():
    with pytest.raises(SyncError, match="non chiffrée"):
        check_hub_url("http://hub.example.org")
    assert check_hub_url("http://hub.example.org/", allow_insecure=True) == "http://hub.example.org"
    assert check_hub_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert check_hub_url("http://localhost:8000") == "http://localhost:8000"
    assert check_hub_url("https://hub.example.org/") == "https://hub.example.org"
    with pytest.raises(SyncError, match="invalide"):
        check_hub_url("ftp://hub")


# -- with the real hub ------------------------------------------------------------------


@pytest.fixture
def real_hub(tmp_path):
    from companion.hub.app import create_app
    from companion.hub.storage import HubStore

    hub_store = HubStore.open(tmp_path / "hub")
    server = LoopbackServer(create_app(hub_store))
    yield hub_store, server.url
    server.stop()
    hub_store.close()


def test_end_to_end_through_the_real_hub(tmp_path, real_hub):
    hub_store, url = real_hub
    alice, alice_token = hub_store.add_member("Alice", "member")
    _bob, bob_token = hub_store.add_member("Bob", "member")
    stores = [Store.open(tmp_path / f"{name}.db") for name in ("a1", "a2", "b")]
    a1, a2, b = stores
    try:
        actor = a1.add_actor("Maison des Possibles", "association", commune="Lyon")
        a1.tag_actor(actor.id, "Emploi")
        a1.add_person("Karim", "Benali", visibility="private")
        SyncClient(a1, url, alice_token).sync()
        for store, token in ((a2, alice_token), (b, bob_token)):
            report = SyncClient(store, url, token).sync()
            assert report.applied == 27
            assert store.tags_of(actor.id) == ["Emploi"] and store.counts()["people"] == 0
        assert a1.member_id == a2.member_id == alice.id

        # Alice on two laptops edits the same field: the later edit wins everywhere,
        # the earlier one is kept as a conflict on its laptop.
        a1.update_actor(actor.id, description="Version du premier portable")
        with a2.db.atomic():  # edited later, even within one millisecond
            state.put(a2.conn, state.OFFSET, 5_000)
        a2.update_actor(actor.id, description="Version du second portable")
        SyncClient(a2, url, alice_token).sync()
        assert SyncClient(a1, url, alice_token).sync().conflicts == 1
        # Bob may not edit Alice's actor: the hub refuses, he sees why.
        b.update_actor(actor.id, phone="+33199001234")
        assert SyncClient(b, url, bob_token).sync().rejected == 1
        assert rejected(b)[0].reason == "forbidden"
        for store, token in ((a1, alice_token), (a2, alice_token), (b, bob_token)):
            SyncClient(store, url, token).sync()
            assert store.get_actor(actor.id).description == "Version du second portable"
        assert conflicts(a1)[0].local_value == "Version du premier portable"

        # Alice withdraws her actor: it disappears from Bob's laptop.
        a1.update_actor(actor.id, visibility="private")
        SyncClient(a1, url, alice_token).sync()
        SyncClient(b, url, bob_token).sync()
        assert b.get_actor(actor.id) is None

        # The hub restored from a backup: a new epoch, Alice's laptops send again.
        hub_store.renew_epoch()
        report = SyncClient(a2, url, alice_token).sync()
        assert report.epoch_reset and report.pushed > 0
    finally:
        for store in stores:
            store.close()


def test_the_sync_command_saves_the_hub_and_its_token(tmp_path, real_hub, capsys, monkeypatch):
    monkeypatch.setenv("COMPANION_KEYRING", "0")
    hub_store, url = real_hub
    _member, token = hub_store.add_member("Alice", "member")
    data = tmp_path / "donnees"
    store = Store.open(data / "companion.db") if data.mkdir() is None else None
    store.add_actor("Bravelune", "association")
    # A member name given by an earlier hub: the sync page must not show it for this one.
    store.set_setting(MEMBER_NAME, "Ancien membre")
    store.close()
    token_file = tmp_path / "jeton.txt"
    token_file.write_text(token + "\n")

    assert main(["sync", "--data", str(data), "--hub", url, "--token-file", str(token_file)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pushed"] == 22 and report["hub"] == url
    saved = data / "jeton-hub"
    assert saved.read_text().splitlines() == [f"hub {url}", token]  # bound to its hub
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    # The settings the connect dialog keeps too (app/hub_connection.py): the app shows them.
    store = Store.open(data / "companion.db")
    assert store.setting(TOKEN_PLACE) == "file"
    assert store.setting(MEMBER_NAME) is None
    store.close()

    assert main(["sync", "--data", str(data)]) == 0  # the saved hub and token
    assert json.loads(capsys.readouterr().out)["pushed"] == 0

    # A second laptop joins from an empty folder: the hub fills a new database.
    joining = tmp_path / "nouveau-poste"
    args = ["sync", "--data", str(joining), "--hub", url, "--token-file", str(token_file)]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["pulled"] > 0
    second = Store.open(joining / "companion.db")
    assert [a.name for a in second.actors()] == ["Bravelune"]
    second.close()

    saved.write_text("jeton-faux\n")
    assert main(["sync", "--data", str(data)]) == 2
    assert "Jeton refusé par le hub" in capsys.readouterr().err


def test_the_sync_command_needs_a_hub(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COMPANION_KEYRING", "0")
    data = tmp_path / "donnees"
    data.mkdir()
    Store.open(data / "companion.db").close()
    assert main(["sync", "--data", str(data)]) == 2
    assert "Aucun hub connu" in capsys.readouterr().err
    assert main(["sync", "--data", str(data), "--hub", "http://hub.example.org"]) == 2
    assert "non chiffrée" in capsys.readouterr().err


def test_the_demo_network_never_syncs(tmp_path, hub):
    from companion.app.datafolder import create_demo_database

    demo = Store.open(create_demo_database(tmp_path / "demo", catalysts=3, actors=40))
    try:
        with pytest.raises(SyncError, match="réseau de démonstration"):
            sync(demo, hub)
    finally:
        demo.close()
    assert hub.requests == []  # refused before any request
