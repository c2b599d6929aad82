"""The hub over real HTTP (uvicorn on loopback, httpx), on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import replace

import httpx

from companion.hub import wire
from companion.hub.limits import Limits
from companion.hub.toolbox import publish
from companion.protocol.hlc import MAX_DRIFT_MS, Timestamp, physical_ms
from companion.protocol.messages import Change, PushRequest, PushResponse
from companion.toolbox.items import bundle_root

ITEM = "guide-etapes-alliance"  # a bundled item with an image


def stamp(offset_ms: int = 0, counter: int = 0, site: str = "site-a") -> str:
    return str(Timestamp(physical_ms() + offset_ms, counter, site))


def record(owner: str, when: str, table: str = "actors", **fields) -> list[Change]:
    """A new network record's changes: owner, visibility and ``fields``, one stamp."""
    record_id = fields.pop("id", None) or str(uuid.uuid4())
    values = {"owner": owner, "visibility": "network", **fields}
    return [Change(table, record_id, name, value, when) for name, value in values.items()]


def push(client: httpx.Client, changes: list[Change], batch_id: str | None = None):
    request = PushRequest("site-a", batch_id or str(uuid.uuid4()), changes)
    return client.post("/v1/push", json=wire.push_request_to_json(request))


def pull_all(client: httpx.Client, since: int = 0, limit: int = 1000) -> list[Change]:
    changes = []
    while True:
        page = wire.pull_response_from_json(
            client.get(f"/v1/pull?since={since}&limit={limit}").json()
        )
        changes += page.changes
        since = page.next
        if not page.more:
            return changes


def values(changes: list[Change], record_id: str) -> dict:
    return {c.field: c.value for c in changes if c.id == record_id}


# -- every request ----------------------------------------------------------------


def test_status_reports_protocol_epoch_and_member(hub):
    member, token = hub.member("Alice")
    body = hub.client(token).get("/v1/status").json()
    assert body["protocol"] == 1
    assert body["epoch"] == hub.store.state().epoch
    assert body["member"] == {"id": member.id, "name": "Alice", "role": "member"}
    assert abs(body["server_time_ms"] - physical_ms()) < 60_000


def test_requests_without_a_valid_token_get_401(hub):
    member, token = hub.member("Alice")
    for client in (hub.client(None), hub.client("not-a-token")):
        response = client.get("/v1/status")
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"] == "unauthorized"
    basic = hub.client(None).get("/v1/pull", headers={"Authorization": f"Basic {token}"})
    assert basic.status_code == 401
    alice = hub.client(token)
    assert alice.get("/v1/status").status_code == 200
    hub.store.revoke_member("Alice")
    assert alice.get("/v1/status").status_code == 401
    assert push(alice, record(member.id, stamp(), name="x")).status_code == 401


def test_protocol_header_is_checked_on_every_request(hub):
    _member, token = hub.member("Alice")
    for path in ("/v1/status", "/v1/pull", "/v1/toolbox/manifest"):
        missing = hub.client(token, protocol=None).get(path)
        assert missing.status_code == 400
        assert missing.json()["error"] == "protocol_missing"
        other = hub.client(token, protocol="2").get(path)
        assert other.status_code == 426
        assert other.json() == {**other.json(), "error": "protocol_mismatch", "protocol": 1}
        assert "Companion" in other.json()["message"]
    # Checked before the token: an old client learns it must upgrade.
    assert hub.client(None, protocol="0").get("/v1/status").status_code == 426


def test_oversized_requests_get_413(start_hub):
    hub = start_hub(Limits(max_request_bytes=2_000))
    member, token = hub.member("Alice")
    alice = hub.client(token)
    big = record(member.id, stamp(), description="x" * 3_000)
    declared = push(alice, big)
    assert declared.status_code == 413
    assert declared.json()["error"] == "too_large"

    # No Content-Length: the body is counted as it streams in.
    body = httpx.Request("POST", "/", json=wire.push_request_to_json(
        PushRequest("site-a", str(uuid.uuid4()), big))).read()  # fmt: skip

    def chunks():
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    streamed = alice.post("/v1/push", content=chunks())
    assert "content-length" not in {k.lower() for k in streamed.request.headers}
    assert streamed.status_code == 413
    small = push(alice, record(member.id, stamp(), name="petit"))
    assert small.status_code == 200
    assert hub.store.state().seq == 3


def test_pushing_too_fast_gets_429_with_retry_after(start_hub):
    hub = start_hub(Limits(push_burst=2, push_rate=0.01))
    alice_member, alice_token = hub.member("Alice")
    _bob, bob_token = hub.member("Bob")
    alice = hub.client(alice_token)
    assert push(alice, []).status_code == 200
    assert push(alice, []).status_code == 200
    refused = push(alice, record(alice_member.id, stamp(), name="x"))
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 100
    assert hub.store.state().seq == 0  # nothing of the refused batch was applied
    # Pulls are not limited, and each member has its own bucket.
    assert alice.get("/v1/pull").status_code == 200
    assert push(hub.client(bob_token), []).status_code == 200


# -- push and pull ------------------------------------------------------------------


def test_push_then_pull_round_trip(hub):
    alice_member, alice_token = hub.member("Alice")
    _bob, bob_token = hub.member("Bob")
    alice, bob = hub.client(alice_token), hub.client(bob_token)
    when = stamp()
    actor = record(alice_member.id, when, name="Épicerie « solidaire »", latitude=45.5, deleted=0)
    person = record(alice_member.id, when, table="people", first_name="Zoé", email=None)
    tags = [Change("actors", actor[0].id, "tags", ["t1", "t2"], when)]
    answer = push(alice, actor + person + tags)
    assert answer.status_code == 200
    body = wire.push_response_from_json(answer.json())
    assert (body.accepted, body.rejected, body.superseded) == (10, [], [])
    assert body.hub_seq == 10
    assert body.epoch == hub.store.state().epoch

    pulled = pull_all(bob, limit=4)  # three pages
    assert [c.seq for c in pulled] == list(range(1, 11))
    assert values(pulled, actor[0].id) == {
        "owner": alice_member.id, "visibility": "network", "name": "Épicerie « solidaire »",
        "latitude": 45.5, "deleted": 0, "tags": ["t1", "t2"],
    }  # fmt: skip
    assert values(pulled, person[0].id)["email"] is None
    assert all(c.hlc == when for c in pulled)
    page = bob.get("/v1/pull", params={"since": 10}).json()
    assert page["changes"] == [] and page["next"] == 10 and page["more"] is False


def test_concurrent_edits_merge_per_field_and_the_loser_comes_back(hub):
    alice_member, alice_token = hub.member("Alice")
    _admin, admin_token = hub.member("Coordination", role="admin")
    alice, admin = hub.client(alice_token), hub.client(admin_token)
    created = record(alice_member.id, stamp(-10_000), name="Avant", description="Avant")
    record_id = created[0].id
    push(alice, created)
    # Offline, both edit; Alice edits the name later than the admin.
    push(alice, [Change("actors", record_id, "name", "Alice", stamp(-1_000, site="a"))])
    answer = push(admin, [
        Change("actors", record_id, "name", "Admin", stamp(-5_000, site="b")),
        Change("actors", record_id, "description", "Admin", stamp(-5_000, site="b")),
    ])  # fmt: skip
    body = wire.push_response_from_json(answer.json())
    assert body.accepted == 1
    assert [(c.field, c.value) for c in body.superseded] == [("name", "Alice")]
    assert body.superseded[0].hlc.endswith("-a")
    assert values(pull_all(admin), record_id) == {
        "owner": alice_member.id, "visibility": "network", "name": "Alice", "description": "Admin",
    }  # fmt: skip


def test_a_winner_that_never_saw_the_value_it_replaces_gets_it_back(hub):
    alice_member, alice_token = hub.member("Alice")
    alice = hub.client(alice_token)
    created = record(alice_member.id, stamp(-60_000, site="a"), name="Départ")
    record_id = created[0].id
    push(alice, created)
    base = created[0].hlc
    # Laptop a edits from the created value and is acknowledged first.
    push(alice, [Change("actors", record_id, "name", "Sur a", stamp(-20_000, site="a"), base=base)])

    def later(value: str, site: str, base: str | None, offset: int) -> PushResponse:
        change = Change("actors", record_id, "name", value, stamp(offset, site=site), base=base)
        return wire.push_response_from_json(push(alice, [change]).json())

    # Laptop b edited from the same created value, later: it wins, and gets a's value back.
    answer = later("Sur b", "b", base, -10_000)
    assert answer.accepted == 1 and answer.superseded == []
    assert [(c.field, c.value, c.hlc[-2:]) for c in answer.overwritten] == [("name", "Sur a", "-a")]
    # b again, from its own value: nothing unseen is replaced.
    assert later("Encore b", "b", None, -9_000).overwritten == []
    # a had pulled b's value before editing: it saw what it replaces.
    [seen] = [c.hlc for c in pull_all(alice) if (c.id, c.field) == (record_id, "name")]
    assert later("a a vu b", "a", seen, -5_000).overwritten == []
    # Unknown base (a record sent again whole): another laptop's value counts as unseen...
    assert [c.value for c in later("c sans base", "c", None, -4_000).overwritten] == ["a a vu b"]
    # ...unless it is the same value.
    assert later("c sans base", "d", None, -3_000).overwritten == []
    with_bad_base = Change("actors", record_id, "name", "x", stamp(site="e"), base="pas un tampon")
    refused = wire.push_response_from_json(push(alice, [with_bad_base]).json())
    assert [r.reason for r in refused.rejected] == ["invalid"]


def test_a_page_by_record_holds_the_same_changes(hub):
    alice_member, alice_token = hub.member("Alice")
    alice = hub.client(alice_token)
    first = record(alice_member.id, stamp(-5_000, site="a"), name="Avant", description="Été")
    push(alice, first)
    later = Change("actors", first[0].id, "name", "Après", stamp(-1_000, site="b"))
    push(alice, [later, *record(alice_member.id, stamp(-2_000), name="<b>Deux</b>")])
    plain = pull_all(alice)
    grouped = alice.get("/v1/pull", params={"since": 0, "format": "records"}).json()
    assert grouped["next"] == max(c.seq for c in plain) and grouped["more"] is False
    assert "changes" not in grouped
    unfolded = {
        (r["table"], r["id"], name, json.dumps(value), r["stamps"].get(name, r["hlc"]))
        for r in grouped["records"]
        for name, value in r["fields"].items()
    }
    assert unfolded == {(c.table, c.id, c.field, json.dumps(c.value), c.hlc) for c in plain}
    [renamed] = [r for r in grouped["records"] if r["id"] == first[0].id]
    assert renamed["hlc"] == first[0].hlc and renamed["stamps"] == {"name": later.hlc}


def test_a_batch_delivered_twice_is_answered_from_memory(hub):
    alice_member, alice_token = hub.member("Alice")
    alice = hub.client(alice_token)
    batch = str(uuid.uuid4())
    first = push(alice, record(alice_member.id, stamp(), name="Une fois"), batch_id=batch)
    again = push(alice, record(alice_member.id, stamp(), name="Deux fois"), batch_id=batch)
    assert again.status_code == 200
    assert {**again.json(), "server_time_ms": 0} == {**first.json(), "server_time_ms": 0}
    assert hub.store.state().seq == 3
    assert [c.value for c in pull_all(alice) if c.field == "name"] == ["Une fois"]
    # Another member cannot reuse (or read the answer of) someone's batch.
    _bob, bob_token = hub.member("Bob")
    assert push(hub.client(bob_token), [], batch_id=batch).status_code == 409


def test_out_of_order_delivery_converges(hub):
    alice_member, alice_token = hub.member("Alice")
    alice = hub.client(alice_token)
    created = record(alice_member.id, stamp(-60_000), name="v1")
    record_id = created[0].id
    newer = Change("actors", record_id, "name", "v3", stamp(-1_000))
    older = Change("actors", record_id, "name", "v2", stamp(-30_000))
    assert push(alice, [newer]).status_code == 200  # before its record's creation
    assert push(alice, created).status_code == 200
    late = wire.push_response_from_json(push(alice, [older]).json())
    assert [(c.field, c.value) for c in late.superseded] == [("name", "v3")]
    seq = hub.store.state().seq
    again = wire.push_response_from_json(push(alice, [newer]).json())
    assert (again.accepted, again.superseded, again.hub_seq) == (1, [], seq)  # no-op
    state = values(pull_all(alice), record_id)
    assert state == {"owner": alice_member.id, "visibility": "network", "name": "v3"}


def test_stamps_too_far_ahead_or_malformed_changes_are_rejected(hub):
    alice_member, alice_token = hub.member("Alice")
    alice = hub.client(alice_token)
    good = record(alice_member.id, stamp(), name="ok")
    record_id = good[0].id
    ahead = Change("actors", record_id, "description", "futur", stamp(MAX_DRIFT_MS + 60_000))
    raw = wire.push_request_to_json(PushRequest("site-a", str(uuid.uuid4()), [*good, ahead]))
    raw["changes"] += [
        {"table": "actors", "id": record_id, "field": "nope", "value": 1, "hlc": stamp()},
        {"table": "actors", "id": record_id, "field": "website", "value": "x", "hlc": "hier"},
        {"table": "actors", "id": record_id, "field": "phone", "value": {"a": 1}, "hlc": stamp()},
        {
            "table": "actors",
            "id": record_id,
            "field": "address",
            "value": "x",
            "hlc": "+" + stamp()[1:],
        },
    ]
    body = wire.push_response_from_json(alice.post("/v1/push", json=raw).json())
    assert body.accepted == 3
    assert sorted((r.field, r.reason) for r in body.rejected) == [
        ("address", "invalid"), ("description", "drift"), ("nope", "invalid"),
        ("phone", "invalid"), ("website", "invalid"),
    ]  # fmt: skip
    for broken in ({"site": "a"}, [], {"site": "a", "batch_id": "b", "changes": [1]}):
        answer = alice.post("/v1/push", json=broken)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid"
    assert alice.post("/v1/push", content=b"{not json").status_code == 400
    assert alice.get("/v1/pull", params={"since": -1}).status_code == 400
    assert alice.get("/v1/pull", params={"limit": 0}).status_code == 400
    assert alice.get("/v1/pull", params={"limit": "many"}).status_code == 400


# -- scope --------------------------------------------------------------------------


def test_a_member_cannot_write_another_members_record(hub):
    alice_member, alice_token = hub.member("Alice")
    bob_member, bob_token = hub.member("Bob")
    alice, bob = hub.client(alice_token), hub.client(bob_token)
    created = record(alice_member.id, stamp(-5_000), name="À Alice")
    record_id = created[0].id
    push(alice, created)
    seq = hub.store.state().seq

    answer = push(bob, [Change("actors", record_id, "name", "Pris", stamp())])
    assert answer.status_code == 403
    body = wire.push_response_from_json(answer.json())
    assert [(r.id, r.field, r.reason) for r in body.rejected] == [(record_id, "name", "forbidden")]
    # A new record claiming someone else as owner is refused too.
    claimed = push(bob, record(alice_member.id, stamp(), name="Au nom d'Alice"))
    assert claimed.status_code == 403
    # A batch with work in scope goes through; the rest is rejected change by change.
    mixed = push(bob, [*record(bob_member.id, stamp(), name="À Bob"),
                       Change("actors", record_id, "deleted", 1, stamp())])  # fmt: skip
    assert mixed.status_code == 200
    body = wire.push_response_from_json(mixed.json())
    assert body.accepted == 3
    assert [(r.field, r.reason) for r in body.rejected] == [("deleted", "forbidden")]
    assert hub.store.state().seq == seq + 3
    assert values(pull_all(bob), record_id)["name"] == "À Alice"


def test_an_admin_may_edit_any_network_record(hub):
    alice_member, alice_token = hub.member("Alice")
    _admin, admin_token = hub.member("Coordination", role="admin")
    alice, admin = hub.client(alice_token), hub.client(admin_token)
    created = record(alice_member.id, stamp(-5_000), name="Brouillon")
    push(alice, created)
    answer = push(admin, [Change("actors", created[0].id, "name", "Relu", stamp())])
    assert answer.status_code == 200 and answer.json()["accepted"] == 1
    on_behalf = push(admin, record(alice_member.id, stamp(), name="Pour Alice"))
    assert on_behalf.status_code == 200 and on_behalf.json()["rejected"] == []
    # Nobody, admin included, changes a record's owner.
    moved = push(admin, [Change("actors", created[0].id, "owner", "autre", stamp())])
    assert moved.json()["rejected"][0]["reason"] == "forbidden"
    assert values(pull_all(alice), created[0].id)["name"] == "Relu"


def test_private_records_never_reach_other_members(hub):
    alice_member, alice_token = hub.member("Alice")
    _bob, bob_token = hub.member("Bob")
    alice, bob = hub.client(alice_token), hub.client(bob_token)
    secret = record(alice_member.id, stamp(), name="Secret", email="s@exemple.example")
    secret = [c if c.field != "visibility" else replace(c, value="private")
              for c in secret]  # fmt: skip
    body = push(alice, secret).json()
    assert body["accepted"] == 0
    assert {r["reason"] for r in body["rejected"]} == {"private"}

    shared = record(alice_member.id, stamp(-5_000), name="Partagé", email="p@exemple.example")
    record_id = shared[0].id
    push(alice, shared)
    assert values(pull_all(bob), record_id)["email"] == "p@exemple.example"
    withdrawn = push(alice, [Change("actors", record_id, "visibility", "private", stamp())])
    assert withdrawn.json()["accepted"] == 1
    late = push(alice, [Change("actors", record_id, "phone", "01 02", stamp(100))]).json()
    assert [r["reason"] for r in late["rejected"]] == ["private"]

    everything = pull_all(bob)
    assert values(everything, record_id) == {"owner": alice_member.id, "visibility": "private"}
    assert not {"Secret", "Partagé", "s@exemple.example", "p@exemple.example"} & {
        str(c.value) for c in everything
    }
    assert values(everything, secret[0].id) == {}


# -- epoch and toolbox ------------------------------------------------------------------


def test_every_response_carries_the_epoch(hub):
    alice_member, alice_token = hub.member("Alice")
    alice = hub.client(alice_token)
    epoch = hub.store.state().epoch
    assert push(alice, record(alice_member.id, stamp(), name="x")).json()["epoch"] == epoch
    assert alice.get("/v1/pull").json()["epoch"] == epoch
    assert alice.get("/v1/toolbox/manifest").json()["epoch"] == epoch
    renewed = hub.store.renew_epoch()
    assert renewed != epoch
    assert alice.get("/v1/pull").json()["epoch"] == renewed
    assert alice.get("/v1/status").json()["epoch"] == renewed


def test_toolbox_manifest_and_resumed_download(hub):
    _member, token = hub.member("Alice")
    alice = hub.client(token)
    assert alice.get("/v1/toolbox/manifest").json()["items"] == []
    publish(hub.store, bundle_root() / "items" / f"{ITEM}.md")
    items = [
        wire.manifest_item_from_json(i) for i in alice.get("/v1/toolbox/manifest").json()["items"]
    ]
    assert [item.slug for item in items] == [ITEM]
    files = items[0].files
    assert files[0].path == f"items/{ITEM}.md" and files[0].sha256 == items[0].sha256
    assert any(f.path.startswith("images/") for f in files)

    for entry in files:
        url = f"/v1/toolbox/files/{entry.sha256}"
        half = entry.size // 2
        first = alice.get(url, headers={"Range": f"bytes=0-{half - 1}"})
        assert first.status_code == 206
        assert first.headers["Content-Range"] == f"bytes 0-{half - 1}/{entry.size}"
        assert len(first.content) == half
        rest = alice.get(url, headers={"Range": f"bytes={half}-"})  # the resume
        assert rest.status_code == 206
        assert rest.headers["Content-Range"] == f"bytes {half}-{entry.size - 1}/{entry.size}"
        data = first.content + rest.content
        assert hashlib.sha256(data).hexdigest() == entry.sha256
        whole = alice.get(url)
        assert whole.status_code == 200 and whole.content == data
        assert whole.headers["Accept-Ranges"] == "bytes"
        tail = alice.get(url, headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == data[-10:]
        beyond = alice.get(url, headers={"Range": f"bytes={entry.size}-"})
        assert beyond.status_code == 416
        assert beyond.headers["Content-Range"] == f"bytes */{entry.size}"

    assert alice.get("/v1/toolbox/files/" + "0" * 64).status_code == 404
    assert alice.get("/v1/toolbox/files/..%2Fhub.db").status_code == 404
    assert hub.client(None).get(f"/v1/toolbox/files/{files[0].sha256}").status_code == 401


def test_unknown_addresses_and_failures_answer_json(hub, monkeypatch):
    _member, token = hub.member("Alice")
    alice = hub.client(token)
    response = alice.get("/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"

    def broken(since, limit):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(hub.store, "pull_page", broken)
    failed = alice.get("/v1/pull")
    assert failed.status_code == 500
    assert failed.json()["error"] == "server" and "disk" not in failed.text
