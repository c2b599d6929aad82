"""A hostile member against the hub (issue #14, items 1 and 6), on SQLite and PostgreSQL.

The member drives the hub over HTTP exactly as a modified laptop would (its own token,
the protocol header, any JSON text it likes): integers past 64 bits, NaN and Infinity,
lone surrogates and NUL, deep nesting, wrong types, values out of range, texts too
long, bad pull parameters. Each is refused (400 naming the part at fault, or an
``invalid`` rejection of that change alone), nothing of it is stored, and a normal
laptop syncs afterwards. A hub of an older version that stored such values anyway does
not stop a laptop either, and logs name records, never their values.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from companion.hub.erasure import iso
from companion.logs import setup_logging
from companion.protocol import fields
from companion.protocol.hlc import Timestamp, physical_ms
from companion.store import Store
from companion.sync import state
from companion.sync.client import SyncClient, rejected
from tests.french import fr

SITE = "0123456789abcdef"


def stamp(offset_ms: int = 0) -> str:
    return str(Timestamp(physical_ms() + offset_ms, 0, SITE))


def good_record(owner: str, table: str) -> dict[str, Any]:
    """Valid values for a new network record of ``table``."""
    common = {
        "owner": owner, "visibility": "network", "created_at": "2025-03-01T09:00:00.000Z",
        "deleted": 0,
    }  # fmt: skip
    values = {
        "actors": {"name": "Atelier", "kind": "association", "description": "",
                   "latitude": 45.76, "longitude": 4.83, "tags": []},
        "people": {"first_name": "Léa", "last_name": "Martin", "notes": "",
                   "collection_source": ""},
        "affiliations": {"person_id": str(uuid.uuid4()), "actor_id": str(uuid.uuid4()),
                         "role": ""},
        "relations": {"source_id": str(uuid.uuid4()), "target_id": str(uuid.uuid4()),
                      "type": "partenariat", "strength": 2, "notes": ""},
        "interactions": {"kind": "reunion", "date": "2025-03-01", "title": "", "notes": ""},
        "tags": {"name": f"Étiquette {uuid.uuid4().hex[:6]}"},
        "map_views": {"name": "Vue", "title": "", "filter": "{}", "south": 45.0,
                      "west": 4.0, "north": 46.0, "east": 5.0, "position": 0},
        "catalyst_profiles": {"actor_id": str(uuid.uuid4()), "structure": "",
                              "metiers": '["dialogue"]', "territories": "[]",
                              "themes": "[]", "public_contact": "", "missions": ""},
    }[table]  # fmt: skip
    return {**common, **values}


def changes_of(table: str, record_id: str, values: dict[str, Any], when: str | None = None):
    when = when or stamp()
    return [
        {"table": table, "id": record_id, "field": name, "value": value, "hlc": when}
        for name, value in values.items()
    ]


def body(changes: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    return {"site": SITE, "batch_id": str(uuid.uuid4()), "changes": changes, **overrides}


def post(client, payload: dict[str, Any] | str | bytes):
    """POST /v1/push with ``payload`` as JSON text written as a modified laptop would:
    Python's json writes NaN and Infinity raw, integers at any size, lone surrogates
    escaped."""
    if isinstance(payload, dict):
        payload = json.dumps(payload)
    content = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
    return client.post("/v1/push", content=content, headers={"Content-Type": "application/json"})


def refused(answer) -> set[tuple[str, str]]:
    assert answer.status_code == 200, answer.text
    return {(r["id"], r["field"]) for r in answer.json()["rejected"] if r["reason"] == "invalid"}


def stored(hub, record_id: str) -> dict[str, Any]:
    with hub.store.backend.transaction() as tx:
        rows = tx.rows("SELECT field, value FROM field_state WHERE id = ?", (record_id,))
    return {name: json.loads(value) for name, value in rows}


def bad_request(answer, *named: str) -> None:
    assert answer.status_code == 400, answer.text
    data = answer.json()
    assert data["error"] == "invalid"
    for where in named:
        assert where in data["message"], (where, data["message"])


@pytest.fixture
def member(hub):
    """The hostile member: its id and an HTTP client holding its token."""
    found, token = hub.member("Mallory")
    return found.id, hub.client(token)


@pytest.fixture
def laptop_syncs(hub, tmp_path):
    """A fresh laptop of another member syncs everything: returns its store."""
    opened: list[Store] = []

    def sync() -> Store:
        name = f"Lecteur {len(opened)}"
        _reader, token = hub.member(name)
        store = Store.open(tmp_path / f"lecteur-{len(opened)}.db")
        opened.append(store)
        SyncClient(store, hub.url, token).sync()
        assert state.cursor(store.conn) == hub.store.state().seq
        return store

    yield sync
    for store in opened:
        store.close()


# -- values the protocol cannot carry --------------------------------------------------


def test_integers_beyond_64_bits_are_refused_and_laptops_still_sync(hub, member, laptop_syncs):
    owner, client = member
    views = {str(uuid.uuid4()): position for position in (2**63, -(2**63) - 1, 2**64)}
    edges = {str(uuid.uuid4()): position for position in (2**63 - 1, -(2**63))}
    actor = str(uuid.uuid4())
    changes = changes_of("actors", actor, {**good_record(owner, "actors"), "name": 2**63})
    for view_id, position in {**views, **edges}.items():
        values = {**good_record(owner, "map_views"), "position": position}
        changes += changes_of("map_views", view_id, values)
    answer = post(client, body(changes))
    assert refused(answer) == {(actor, "name"), *((view_id, "position") for view_id in views)}
    assert "name" not in stored(hub, actor) and stored(hub, actor)["kind"] == "association"
    for view_id in views:
        assert "position" not in stored(hub, view_id)
    for view_id, position in edges.items():
        assert stored(hub, view_id)["position"] == position  # the 64-bit bounds pass

    laptop = laptop_syncs()
    for view_id, position in edges.items():
        [(kept,)] = laptop.conn.execute("SELECT position FROM map_views WHERE id = ?", (view_id,))
        assert kept == position


def test_nan_and_infinity_are_refused_wherever_they_are(hub, member, laptop_syncs):
    owner, client = member
    actor, view = str(uuid.uuid4()), str(uuid.uuid4())
    values = {**good_record(owner, "actors"), "latitude": float("nan"),
              "longitude": float("inf")}  # fmt: skip
    changes = changes_of("actors", actor, values)
    view_values = {**good_record(owner, "map_views"), "position": float("-inf"), "south": 12.375}
    changes += changes_of("map_views", view, view_values)
    text = json.dumps(body(changes)).replace("12.375", "1e400")  # which reads as inf
    assert "NaN" in text and "-Infinity" in text and "1e400" in text
    answer = post(client, text)
    assert refused(answer) == {
        (actor, "latitude"), (actor, "longitude"), (view, "position"), (view, "south"),
    }  # fmt: skip
    messages = {r["field"]: r["message"] for r in answer.json()["rejected"]}
    assert messages["latitude"] == fr("actors.latitude : il faut un nombre de -90 à 90, ou null")
    assert {"latitude", "longitude"}.isdisjoint(stored(hub, actor))
    assert {"position", "south"}.isdisjoint(stored(hub, view))
    bad_request(post(client, json.dumps(body([], site=float("nan")))), "site")
    bad_request(post(client, json.dumps(body([], batch_id=float("inf")))), "batch_id")
    laptop_syncs()


def test_lone_surrogates_and_nul_characters_are_refused(hub, member, laptop_syncs):
    owner, client = member
    actor, other = str(uuid.uuid4()), str(uuid.uuid4())
    values = {**good_record(owner, "actors"), "name": "Atelier \ud800", "description": "a\x00b",
              "tags": ["\udfff"]}  # fmt: skip
    changes = changes_of("actors", actor, values)
    changes += changes_of("actors", other, {**good_record(owner, "actors")}, when="x\x00")
    answer = post(client, body(changes))
    bad_values = {(actor, "name"), (actor, "description"), (actor, "tags")}
    assert refused(answer) == bad_values | {(other, name) for name in good_record(owner, "actors")}
    assert {"name", "description", "tags"}.isdisjoint(stored(hub, actor))
    assert stored(hub, other) == {}
    # A surrogate written as UTF-8 bytes (which Python's json reads) is refused the same way.
    raw = json.dumps(body(changes_of("actors", actor, {"email": "x"})), ensure_ascii=False)
    raw = raw.replace('"value": "x"', '"value": "\ud83d"')
    assert refused(post(client, raw)) == {(actor, "email")}

    one = changes_of("actors", str(uuid.uuid4()), good_record(owner, "actors"))[:1]
    bad_request(post(client, body([{**one[0], "id": "\ud800"}])), "changes[0].id")
    bad_request(post(client, body([one[0], {**one[0], "field": "na\x00me"}])), "changes[1].field")
    bad_request(post(client, body([{**one[0], "table": "act\udc00ors"}])), "changes[0].table")
    bad_request(post(client, body(one, batch_id="lot\x00")), "batch_id")
    bad_request(post(client, body(one, site="\ud800")), "site")
    bad_request(post(client, b'{"site": "\xff"}'))  # not UTF-8
    laptop_syncs()


def test_deep_nesting_is_refused(hub, member, laptop_syncs):
    owner, client = member
    deep = "[" * 100_000 + "]" * 100_000
    bad_request(post(client, deep))
    change = changes_of("actors", str(uuid.uuid4()), {"name": "x"})[0]
    text = json.dumps(body([change])).replace('"value": "x"', f'"value": {deep}')
    bad_request(post(client, text))
    actor = str(uuid.uuid4())
    nested: Any = "Atelier"
    for _level in range(200):
        nested = [nested]
    changes = changes_of("actors", actor, {**good_record(owner, "actors"), "name": nested})
    assert refused(post(client, body(changes))) == {(actor, "name")}
    table: Any = "actors"
    for _level in range(200):
        table = {"t": table}
    bad_request(post(client, body([{**changes[0], "table": table}])), "changes[0].table")
    laptop_syncs()


# -- values of the wrong type, out of range, too long -----------------------------------

WRONG: dict[str, list[Any]] = {
    fields.TEXT: [12, ["x"]], fields.ID: [7, {"id": "x"}], fields.DATE: [20250301, ["x"]],
    fields.TIMESTAMP: [1.5, {}], fields.ENUM: [1, ["network"]],
    fields.INTEGER: ["1", True], fields.FLOAT: ["45.0", True],
    fields.JSON_TEXT: [["dialogue"], {"a": 1}], fields.ID_LIST: ["tag", [1]],
}  # fmt: skip


@pytest.mark.parametrize("round_", [0, 1])
def test_every_field_refuses_a_value_of_the_wrong_type(hub, member, laptop_syncs, round_):
    owner, client = member
    records = {table: str(uuid.uuid4()) for table in fields.SCHEMA}
    changes = []
    for table, specs in fields.SCHEMA.items():
        values = {name: WRONG[spec.kind][round_] for name, spec in specs.items()}
        changes += changes_of(table, records[table], {**values, "owner": owner})
    answer = post(client, body(changes))
    assert refused(answer) == {(c["id"], c["field"]) for c in changes if c["field"] != "owner"}
    assert answer.json()["accepted"] == len(records)  # the owners only
    for record_id in records.values():
        assert stored(hub, record_id) == {"owner": owner}
    laptop_syncs()


def test_out_of_range_numbers_and_unknown_enumerations_are_refused(hub, member, laptop_syncs):
    owner, client = member
    bad = {
        "actors": {"latitude": 90.0001, "longitude": -180.5, "deleted": 2,
                   "visibility": "public"},
        "relations": {"strength": 4},
        "map_views": {"south": -91, "east": 181, "deleted": True},
    }  # fmt: skip
    ids = {table: str(uuid.uuid4()) for table in bad}
    changes = []
    for table, values in bad.items():
        changes += changes_of(table, ids[table], {**good_record(owner, table), **values})
    answer = post(client, body(changes))
    assert refused(answer) == {(ids[t], name) for t, values in bad.items() for name in values}
    for table, values in bad.items():
        assert set(values).isdisjoint(stored(hub, ids[table]))
    # The bounds pass, and so does a code the vocabulary does not know yet (left open).
    edges = str(uuid.uuid4())
    values = {**good_record(owner, "actors"), "latitude": -90, "longitude": 180.0,
              "kind": "tiers-lieu"}  # fmt: skip
    assert refused(post(client, body(changes_of("actors", edges, values)))) == set()
    assert stored(hub, edges)["kind"] == "tiers-lieu"
    laptop = laptop_syncs()
    assert laptop.get_actor(edges).latitude == -90


def test_too_long_texts_and_names_are_refused(hub, member, laptop_syncs):
    owner, client = member
    actor, edges = str(uuid.uuid4()), str(uuid.uuid4())
    too_long = {"name": "x" * (fields.SHORT_TEXT + 1),
                "description": "é" * (fields.LONG_TEXT + 1)}  # fmt: skip
    just_right = {"name": "x" * fields.SHORT_TEXT, "description": "é" * fields.LONG_TEXT}
    changes = changes_of("actors", actor, {**good_record(owner, "actors"), **too_long})
    changes += changes_of("actors", edges, {**good_record(owner, "actors"), **just_right})
    assert refused(post(client, body(changes))) == {(actor, "name"), (actor, "description")}
    assert set(too_long).isdisjoint(stored(hub, actor))
    assert stored(hub, edges)["name"] == just_right["name"]
    one = changes[0]
    bad_request(post(client, body([{**one, "id": "x" * 101}])), "changes[0].id")
    bad_request(post(client, body([one], batch_id="x" * 101)), "batch_id")
    bad_request(post(client, body([one], site="")), "site")
    laptop = laptop_syncs()
    assert laptop.get_actor(edges).name == just_right["name"]


def test_json_texts_must_hold_json_of_their_shape(hub, member, laptop_syncs):
    owner, client = member
    bad = {
        "map_views": [{"filter": "[]"}, {"filter": "{"}, {"filter": '{"kinds": NaN}'},
                      {"steps": "{}"}, {"steps": '[{"bounds": [45, 4]}]'},
                      {"steps": '[{"actors": [1]}]'}],
        "catalyst_profiles": [{"metiers": '{"dialogue": 1}'}, {"territories": "[1]"},
                              {"themes": "pas du JSON"}],
    }  # fmt: skip
    changes, expected = [], set()
    for table, variants in bad.items():
        for values in variants:
            record_id = str(uuid.uuid4())
            changes += changes_of(table, record_id, {**good_record(owner, table), **values})
            expected |= {(record_id, name) for name in values}
    assert refused(post(client, body(changes))) == expected
    laptop_syncs()


def test_bad_since_and_limit_get_400_naming_the_parameter(hub, member):
    _owner, client = member
    for since in (2**63, -1, "1e3", "١٢", " 5", "+5", "0x10", 10**400):
        bad_request(client.get("/v1/pull", params={"since": since}), "since")
    for limit in (2**64, 0, "٣", "many"):
        bad_request(client.get("/v1/pull", params={"limit": limit}), "limit")
    last = client.get("/v1/pull", params={"since": 2**63 - 1})
    assert last.status_code == 200 and last.json()["changes"] == []


# -- a hub of an older version, that stored anything ------------------------------------


def store_raw(hub, owner: str, table: str, record_id: str, values: dict[str, str]) -> None:
    """Put JSON texts straight into the hub's field state, as an older hub accepted them."""
    with hub.store.backend.transaction(write=True) as tx:
        seq = int(tx.one("SELECT value FROM meta WHERE key = 'seq'" + tx.for_update)[0])
        tx.run(
            "INSERT INTO records (tbl, id, owner, visibility, deleted) VALUES (?, ?, ?, ?, 0)",
            (table, record_id, owner, "network"),
        )
        when = stamp(-60_000)
        for name, text in values.items():
            seq += 1
            tx.run(
                "INSERT INTO field_state (tbl, id, field, value, hlc, owner, seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (table, record_id, name, text, when, owner, seq),
            )
        tx.run("UPDATE meta SET value = ? WHERE key = 'seq'", (str(seq),))


def json_texts(values: dict[str, Any]) -> dict[str, str]:
    return {name: json.dumps(value, ensure_ascii=False) for name, value in values.items()}


def test_a_value_an_older_hub_stored_never_stops_a_laptop(hub, member, laptop_syncs):
    owner, _client = member
    poisoned, healthy = str(uuid.uuid4()), str(uuid.uuid4())
    values = json_texts({**good_record(owner, "actors"), "name": "Empoisonné"})
    values.update(latitude=str(2**63), longitude="NaN", description="12")
    store_raw(hub, owner, "actors", poisoned, values)
    store_raw(hub, owner, "actors", healthy, json_texts(good_record(owner, "actors")))
    view = str(uuid.uuid4())
    store_raw(hub, owner, "map_views", view,
              json_texts({**good_record(owner, "map_views"), "position": 2**64}))  # fmt: skip

    laptop = laptop_syncs()  # the cursor reached the hub's last change
    assert laptop.get_actor(healthy).name == "Atelier"
    kept = laptop.get_actor(poisoned)
    assert kept.name == "Empoisonné" and kept.latitude is None and kept.longitude is None
    assert {(r.record_id, r.field, r.reason) for r in rejected(laptop)} == {
        (poisoned, "latitude", "invalid"), (poisoned, "longitude", "invalid"),
        (poisoned, "description", "invalid"), (view, "position", "invalid"),
    }  # fmt: skip
    [(name,)] = laptop.conn.execute("SELECT name FROM map_views WHERE id = ?", (view,))
    assert name == "Vue"


def test_a_batch_answered_by_an_older_hub_is_answered_again_the_same(hub, member):
    owner, client = member
    batch_id, record_id = str(uuid.uuid4()), str(uuid.uuid4())
    names = {"table": "actors", "id": record_id}
    answer = {
        "accepted": 1, "epoch": hub.store.state().epoch, "hub_seq": 0, "server_time_ms": 0,
        "superseded": [{**names, "field": "description", "value": {"vieux": 1}, "hlc": stamp()}],
        "rejected": [{**names, "field": "latitude", "reason": "forbidden",
                      "current": {**names, "field": "latitude", "value": 2**63, "hlc": stamp()}}],
        "overwritten": [],
    }  # fmt: skip
    with hub.store.backend.transaction(write=True) as tx:  # within the answers' retention
        tx.run(
            "INSERT INTO batches (batch_id, member_id, status, response, created_at)"
            " VALUES (?, ?, 200, ?, ?)",
            (batch_id, owner, json.dumps(answer), iso(physical_ms())),
        )
    again = post(client, body(changes_of("actors", record_id, {"name": "x"}), batch_id=batch_id))
    assert again.status_code == 200, again.text
    assert again.json()["superseded"][0]["value"] == {"vieux": 1}
    assert again.json()["rejected"][0]["current"]["value"] == 2**63


# -- logs ---------------------------------------------------------------------------------

PERSONAL = ("alice.martin@example.org", "+33612345678", "Alice Martin", "Zoé Durand")


def test_logs_name_records_never_their_values(hub, member, laptop_syncs, tmp_path, caplog):
    owner, client = member
    root = logging.getLogger()
    level = root.level
    log_file = setup_logging(tmp_path / "journal")
    caplog.set_level(logging.DEBUG, logger="companion")
    try:
        # Refused by the hub: the personal values inside invalid changes.
        person = str(uuid.uuid4())
        values = {**good_record(owner, "people"), "email": ["alice.martin@example.org"],
                  "phone": "+33612345678\x00", "first_name": {"nom": "Alice Martin"}}  # fmt: skip
        hub_answer = post(client, body(changes_of("people", person, values)))
        post(client, body([], site="Zoé Durand\x00"))
        # Refused by the laptop: the same, stored by an older hub.
        actor = str(uuid.uuid4())
        raw = {**good_record(owner, "actors"), "name": {"nom": "Alice Martin"},
               "email": ["alice.martin@example.org"], "phone": "+33612345678\x00",
               "description": "Zoé Durand" * 20_000}  # fmt: skip
        store_raw(hub, owner, "actors", actor, json_texts(raw))
        laptop = laptop_syncs()
        logging.getLogger("companion.sync").debug("sync: log test marker")
    finally:
        for handler in list(root.handlers):
            if handler.get_name() == "companion-file":
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
    written = Path(log_file).read_text(encoding="utf-8") if log_file else ""
    assert "log test marker" in written  # the file handler did receive the sync's records
    for text in (caplog.text, written):
        assert actor in text  # records are named...
        for value in PERSONAL:
            assert value not in text, value  # ...never their values
    assert len(refused(hub_answer)) == 3
    assert {(r.record_id, r.field) for r in rejected(laptop)} == {
        (actor, name) for name in ("name", "email", "phone", "description")
    }


def test_an_upgraded_hub_drops_the_values_an_older_one_could_not_repeat(hub, member, hub_location):
    owner, client = member
    poisoned = str(uuid.uuid4())
    values = json_texts({**good_record(owner, "actors"), "name": "Empoisonné"})
    values.update(latitude=str(2**63), longitude="NaN", description="12")
    store_raw(hub, owner, "actors", poisoned, values)
    with hub.store.backend.transaction(write=True) as tx:  # as the older hub left it
        tx.run("UPDATE meta SET value = '2' WHERE key = 'schema'")

    upgraded = hub_location.open()
    with upgraded.backend.transaction() as tx:
        kept = dict(tx.rows("SELECT field, value FROM field_state WHERE id = ?", (poisoned,)))
    assert {"latitude", "longitude", "description"}.isdisjoint(kept)
    assert json.loads(kept["name"]) == "Empoisonné"
    # An edit that loses to the hub's values is answered without failing on them.
    late = [{"table": "actors", "id": poisoned, "field": "name", "value": "Tard",
             "hlc": stamp(-3_600_000)}]  # fmt: skip
    answer = client.post("/v1/push", json={"site": "s", "batch_id": "b", "changes": late})
    assert answer.status_code == 200 and answer.json()["superseded"][0]["value"] == "Empoisonné"
