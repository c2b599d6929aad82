"""No record received from a hub stops a laptop's sync (issue #14, item 1).

A hub of an older version, or a compromised one, may serve anything: an integer
SQLite cannot hold, NaN, a value of the wrong type, a malformed record. Each is
refused and kept for the user (``sync_rejected``), the rest of the page applies and
the cursor moves on; a laptop never gets stuck re-pulling the same page.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sync_helpers import FakeHub

from companion.protocol import fields
from companion.protocol.hlc import Timestamp, physical_ms
from companion.sync import state
from companion.sync.client import SyncClient, rejected
from companion.sync.labels import field_label, rejection_reason

URL = "https://hub.example.org"


def stamp(ms_ago: int = 1000) -> str:
    return str(Timestamp(physical_ms() - ms_ago, 0, "0123456789abcdef"))


def serve(hub: FakeHub, table: str, record_id: str, values: dict, when: str | None = None):
    """Put a record in the fake hub's feed, as a hub that checked nothing would hold it."""
    when = when or stamp()
    for name, value in values.items():
        hub.seq += 1
        hub.state[(table, record_id, name)] = (value, when, hub.seq)


def actor(name: str, **values) -> dict:
    return {
        "owner": "m-remote", "visibility": "network", "created_at": "2025-01-01T00:00:00Z",
        "deleted": 0, "name": name, "kind": "association", "description": "",
        "insee_code": None, "commune": "Lyon", "departement": None, "postcode": None,
        "address": None, "latitude": None, "longitude": None, "website": None, "email": None,
        "phone": None, "siren": None, "siret": None, "rna": None, "merged_into": None,
        "tags": [], **values,
    }  # fmt: skip


def sync(store, hub: FakeHub):
    return SyncClient(store, URL, hub.token, transport=hub.transport(), sleep=lambda s: None).sync()


def refusals(store) -> set[tuple[str, str, str]]:
    return {(r.record_id, r.field, r.reason) for r in rejected(store)}


def test_an_integer_sqlite_cannot_hold_no_longer_stops_the_pull(store):
    hub = FakeHub()
    before, poisoned, after = (str(uuid.uuid4()) for _ in range(3))
    serve(hub, "actors", before, actor("Avant"))
    serve(hub, "actors", poisoned, actor("Empoisonné", latitude=2**63, longitude=float("nan")))
    serve(hub, "actors", after, actor("Après"))
    view = str(uuid.uuid4())
    serve(hub, "map_views", view, {
        "owner": "m-remote", "visibility": "network", "created_at": "2025", "deleted": 0,
        "name": "Vue", "title": "", "filter": "{}", "south": None, "west": None,
        "north": None, "east": None, "position": -(2**63) - 1,
    })  # fmt: skip

    report = sync(store, hub)  # used to die with OverflowError, and again at every sync
    assert state.cursor(store.conn) == hub.seq
    assert [store.get_actor(i).name for i in (before, poisoned, after)] == [
        "Avant", "Empoisonné", "Après",
    ]  # fmt: skip
    assert store.get_actor(poisoned).latitude is None
    assert refusals(store) == {
        (poisoned, "latitude", "invalid"), (poisoned, "longitude", "invalid"),
        (view, "position", "invalid"),
    }  # fmt: skip
    assert report.rejected == 3
    again = sync(store, hub)
    assert (again.pulled, again.rejected) == (0, 0)


def test_any_write_error_refuses_its_record_only(store, monkeypatch):
    # Were the field schema to miss a case, the write itself fails: still only that record.
    monkeypatch.setitem(fields.VALIDATORS, ("map_views", "position"), lambda value: True)
    hub = FakeHub()
    views = [str(uuid.uuid4()) for _ in range(3)]
    for number, view in enumerate(views):
        serve(hub, "map_views", view, {
            "owner": "m-remote", "visibility": "network", "created_at": "2025", "deleted": 0,
            "name": f"Vue {number}", "title": "", "filter": "{}", "south": None,
            "west": None, "north": None, "east": None,
            "position": 2**64 if number == 1 else number,
        })  # fmt: skip
    sync(store, hub)  # the bulk insert fails (OverflowError): one by one, the others pass
    names = [row[0] for row in store.conn.execute("SELECT name FROM map_views ORDER BY name")]
    assert names == ["Vue 0", "Vue 2"]
    assert {(r, reason) for r, _f, reason in refusals(store)} == {(views[1], "invalid")}
    assert state.cursor(store.conn) == hub.seq

    # An update of a record this laptop holds fails the same way, alone.
    serve(hub, "map_views", views[0], {"position": 2**63, "title": "Nouveau"}, stamp(0))
    serve(hub, "actors", "a1", actor("Voisin"), stamp(0))
    sync(store, hub)
    assert store.get_actor("a1").name == "Voisin" and state.cursor(store.conn) == hub.seq
    [(title, position)] = store.conn.execute(
        "SELECT title, position FROM map_views WHERE id = ?", (views[0],)
    ).fetchall()
    assert (title, position) == ("", 0)  # rolled back whole: no half-written record
    assert {(views[0], "position"), (views[0], "title")} <= {(r, f) for r, f, _ in refusals(store)}


class PageHub(FakeHub):
    """A fake hub whose first pull page is the JSON text given."""

    page: str = ""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/pull" and self.page:
            page, self.page = self.page, ""
            return httpx.Response(200, text=page)
        return super().handle(request)


def test_malformed_records_are_refused_or_skipped_without_failing_the_page(store):
    hub = PageHub()
    good, bad_fields, bad_stamps, odd_name = (str(uuid.uuid4()) for _ in range(4))
    when = stamp()
    records = [
        {"table": "actors", "id": good, "hlc": when, "fields": actor("Bon"), "stamps": {}},
        {"table": "actors", "id": bad_fields, "hlc": when, "fields": "pas un objet"},
        {"table": "actors", "id": bad_stamps, "hlc": when, "fields": actor("X"), "stamps": []},
        {"table": "actors", "id": odd_name, "hlc": when,
         "fields": {**actor("Bizarre"), "na\ud800me": "x", "phone": {"n": 1}}, "stamps": {}},
        {"table": 12, "id": "sans-table", "fields": {}},
        {"table": "actors", "id": "\ud800"},
        "pas un enregistrement",
        [1, 2],
        {"table": "actors", "id": "sans-tampon", "fields": {"name": "Y"}},
    ]  # fmt: skip
    hub.page = json.dumps(
        {"records": records, "next": 40, "more": False, "epoch": hub.epoch,
         "server_time_ms": physical_ms()}
    )  # fmt: skip
    sync(store, hub)
    assert state.cursor(store.conn) == 40
    assert store.get_actor(good).name == "Bon" and store.get_actor(odd_name).name == "Bizarre"
    assert refusals(store) == {
        (bad_fields, "*", "malformed"), (bad_stamps, "*", "malformed"),
        (odd_name, "*", "invalid"), (odd_name, "phone", "invalid"),
        ("sans-tampon", "name", "invalid"),
    }  # fmt: skip
    assert rejection_reason("malformed") != "malformed"  # a French label, translated
    assert field_label("*") != "*"


class AnsweringHub(FakeHub):
    """A fake hub whose push answers carry values no field takes (as an older hub stored)."""

    def push(self, body: dict) -> dict:
        answer = super().push(body)
        sent = body["changes"][0]
        names = {key: sent[key] for key in ("table", "id")}
        answer["superseded"] = [
            {**names, "field": "description", "value": {"texte": 1}, "hlc": stamp(0)},
        ]
        answer["rejected"] = [
            {**names, "field": "latitude", "reason": "forbidden",
             "current": {**names, "field": "latitude", "value": 2**63, "hlc": stamp(0)}},
        ]  # fmt: skip
        return answer


def test_a_push_answer_holding_values_no_field_takes_does_not_stop_the_sync(store):
    hub = AnsweringHub()
    mine = store.add_actor("Atelier", "association", latitude=45.0)
    report = sync(store, hub)  # used to fail: "Réponse illisible du hub"
    assert report.rejected == 1 and report.conflicts == 0
    assert store.get_actor(mine.id).latitude == 45.0
    assert refusals(store) == {(mine.id, "latitude", "forbidden")}


@pytest.mark.parametrize("value", [2**63, float("inf"), "1", "\udc00", True, None])
def test_the_laptop_checks_each_value_with_the_field_schema(store, value):
    hub = FakeHub()
    serve(hub, "actors", "a1", actor("Atelier", deleted=value))
    sync(store, hub)
    assert refusals(store) == {("a1", "deleted", "invalid")}
    assert store.get_actor("a1").name == "Atelier"  # the rest of the record is here
    assert state.cursor(store.conn) == hub.seq
