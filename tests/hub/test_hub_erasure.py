"""An erasure reaches every copy the hub keeps; stored push answers do not outlive retries
(issue #14, item 5). On SQLite and on PostgreSQL.

A person erased on a laptop (directory/personal_data.erase_person) syncs as blank
tombstones, then as an erasure notice: the hub removes the person's values from the
push answers it remembers, holds the records' personal fields to their blanks, and
leaves none of the old bytes in its database files (docs/SYNC.md, "Erasure").
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sync_helpers import hub_fields, transport, wait_until

from companion.app.erasure import ERASED_NAME, erase_person
from companion.hub import wire
from companion.hub.storage import DATABASE_FILE, SCHEMA_VERSION
from companion.protocol.hlc import Timestamp, physical_ms
from companion.protocol.messages import MAX_ERASED, Change, PushRequest
from companion.store import Store
from companion.sync.client import SyncClient, conflicts

# ASCII on purpose: the hub stores push answers as escaped JSON.
FIRST = "Ombeline"
LAST = "Quenouillard"
LAST_2 = "Quenouillard-Dupuis"  # set on Alice's second laptop
EMAIL = "ombeline.q-7f3a@exemple.org"
EMAIL_2 = "o.quenouillard-9c1e@exemple.org"  # set on the second laptop after the erasure
NOTE = "Allergique aux arachides 5d2b"
TITLE = "Dejeuner avec Ombeline 11aa"
ROLE = "Tresoriere 8e0f"
WITNESS = "bruno.temoin-4c4c@exemple.org"  # someone else's, which stays
SECRETS = (FIRST, LAST, LAST_2, EMAIL, EMAIL_2, NOTE, TITLE, ROLE)


def stamp(offset_ms: int = 0, site: str = "site-a") -> str:
    return str(Timestamp(physical_ms() + offset_ms, 0, site))


def push(client, changes=(), batch_id=None, erased=None):
    request = PushRequest("site-a", batch_id or str(uuid.uuid4()), list(changes))
    body = wire.push_request_to_json(request)
    if erased is not None:
        body["erased"] = erased
    return client.post("/v1/push", json=body)


def person(owner: str, **fields) -> list[Change]:
    record_id, when = str(uuid.uuid4()), stamp(-10_000)
    values = {"owner": owner, "visibility": "network", "deleted": 0, **fields}
    return [Change("people", record_id, name, value, when) for name, value in values.items()]


# -- the raw bytes of the hub's database ------------------------------------------------


def sqlite_bytes(data_dir: Path) -> bytes:
    """hub.db and its write-ahead log (and shared-memory index), as they lie on disk."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob(DATABASE_FILE + "*")))


def postgres_bytes(location) -> bytes:
    """Every file of every hub table, of its TOAST table and of their indexes, after a
    checkpoint has written every changed page out."""
    import psycopg

    with psycopg.connect(location.url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        paths = [
            row[0]
            for row in conn.execute(
                """
                WITH hub AS (
                    SELECT c.oid, c.reltoastrelid FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')),
                toast AS (SELECT reltoastrelid AS oid FROM hub WHERE reltoastrelid <> 0),
                every AS (
                    SELECT oid FROM hub UNION SELECT oid FROM toast
                    UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM toast))
                SELECT pg_relation_filepath(oid) FROM every
                """
            )
        ]
    data = location.cluster.folder / "data"
    found = b""
    for relative in paths:
        main = data / relative
        for path in main.parent.iterdir():  # the segments (.1...) and forks (_fsm, _vm)
            if path.name == main.name or path.name.startswith((main.name + ".", main.name + "_")):
                found += path.read_bytes()
    assert len(paths) >= 14, paths  # seven tables, their keys, TOAST tables
    return found


def hub_bytes(location) -> bytes:
    if location.cluster is None:
        return sqlite_bytes(location.data_dir)
    return postgres_bytes(location)


# -- laptops -----------------------------------------------------------------------------


def later_than(store: Store, record_id: str):
    """True once the clock passed the stamps of a record's last edit here."""
    row = store.conn.execute(
        "SELECT max(hlc) FROM sync_field_clocks WHERE id = ?", (record_id,)
    ).fetchone()
    wall_ms = int(row[0].split("-")[0])
    return lambda: physical_ms() > wall_ms + 5


def test_an_erased_person_leaves_nothing_at_the_hub(hub, hub_location, tmp_path):
    _alice, token = hub.member("Alice")
    opened = [Store.open(tmp_path / name) for name in ("alice-1.db", "alice-2.db")]
    first, second = opened

    def sync(store: Store):
        return SyncClient(store, hub.url, token, transport=transport()).sync()

    try:
        ecole = first.add_actor("Ecole des Jardins", "association")
        lea = first.add_person(FIRST, LAST, email=EMAIL, phone="+33612345678", notes=NOTE)
        first.add_affiliation(lea.id, ecole.id, role=ROLE)
        first.add_interaction("reunion", "2024-05-02", person_id=lea.id, title=TITLE, notes=NOTE)
        first.add_person("Bruno", "Temoin", email=WITNESS)
        sync(first)
        sync(second)
        # On her second laptop Alice renames Ombeline: the erasure replaces a name its
        # laptop never saw (the hub's answer to it returns that name, "overwritten")...
        second.update_record("people", lea.id, last_name=LAST_2)
        sync(second)
        erase_person(first, lea.id)
        # ...and, after the erasure, edits her e-mail there, pushed first: the erasure's
        # blank e-mail loses by stamp (the answer returns the new one, "superseded").
        wait_until(later_than(first, lea.id), what="a stamp later than the erasure")
        second.update_record("people", lea.id, email=EMAIL_2)
        sync(second)
        sync(first)
        sync(second)

        # The network holds the blanks, every laptop shows them.
        held = hub_fields(hub.store, lea.id)
        assert (held["first_name"], held["last_name"], held["email"], held["phone"]) == (
            "", ERASED_NAME, None, None
        )  # fmt: skip
        assert (held["notes"], held["deleted"]) == ("", 1)
        for store in opened:
            row = store.conn.execute(
                "SELECT first_name, last_name, email, notes, deleted FROM people WHERE id = ?",
                (lea.id,),
            ).fetchone()
            assert row == ("", ERASED_NAME, None, "", 1)
        # The erasing laptop kept none of the values the hub's answers brought back.
        kept = json.dumps([c.__dict__ for c in conflicts(first, include_resolved=True)])
        assert EMAIL_2 not in kept and LAST_2 not in kept
        with hub.store.backend.transaction() as tx:
            answers = "\n".join(row[0] for row in tx.rows("SELECT response FROM batches"))
        assert lea.id not in answers or all(s not in answers for s in SECRETS)

        raw = hub_bytes(hub_location)
        assert WITNESS.encode() in raw  # the files read are the ones that hold the data
        for secret in SECRETS:
            assert secret.encode() not in raw, secret
    finally:
        for store in opened:
            store.close()


def test_an_answer_pruned_before_the_erasure_leaves_no_bytes_either(hub, hub_location):
    """A value can be in an answer pruned long before its record is erased: SQLite
    zeroed it when the row was deleted, PostgreSQL rewrites the table at the erasure."""
    alice, token = hub.member("Alice")
    client = hub.client(token)
    created = person(alice.id, last_name=LAST, email=EMAIL)
    push(client, [*created, *person(alice.id, last_name="Temoin", email=WITNESS)])
    # Another laptop of Alice's writes the e-mail without having seen it: the answer
    # returns the value it replaced ("overwritten").
    answer = str(uuid.uuid4())
    replaced = push(
        client, [Change("people", created[0].id, "email", EMAIL_2, stamp(site="b"))], answer
    )
    assert [c["value"] for c in replaced.json()["overwritten"]] == [EMAIL]
    age(hub, answer, minutes=120)
    hub.store.backend.compact(())  # as SQLite's own checkpoints do: the file has the answer
    push(client, [])  # pruned
    assert answer not in batch_ids(hub)

    notice = push(client, erased=[{"table": "people", "id": created[0].id}])
    assert notice.status_code == 200 and notice.json()["rejected"] == []
    raw = hub_bytes(hub_location)
    assert WITNESS.encode() in raw
    for secret in (EMAIL, EMAIL_2, LAST):
        assert secret.encode() not in raw, secret


# -- the erasure notice ----------------------------------------------------------------------


def test_only_the_owner_or_an_admin_may_send_an_erasure_notice(hub):
    alice, alice_token = hub.member("Alice")
    _bob, bob_token = hub.member("Bob")
    _admin, admin_token = hub.member("Coordination", role="admin")
    alice_client, bob_client = hub.client(alice_token), hub.client(bob_token)
    kept = person(alice.id, last_name="Garde", email="garde@exemple.org")
    erased = person(alice.id, last_name=LAST, email=EMAIL)
    assert push(alice_client, [*kept, *erased]).json()["rejected"] == []

    notice = [{"table": "people", "id": kept[0].id}]
    answer = push(bob_client, erased=notice)
    assert answer.status_code == 200
    assert [(r["id"], r["reason"]) for r in answer.json()["rejected"]] == [
        (kept[0].id, "forbidden")
    ]
    assert hub_fields(hub.store, kept[0].id)["email"] == "garde@exemple.org"

    # The coordination may: the record's personal fields take their blanks, with a new
    # stamp, so that every laptop pulls them; a record the hub never had is no matter.
    before = {c["field"]: c for c in hub.client(admin_token).get("/v1/pull").json()["changes"]
              if c["id"] == erased[0].id}  # fmt: skip
    unknown = {"table": "interactions", "id": str(uuid.uuid4())}
    answer = push(
        hub.client(admin_token), erased=[{"table": "people", "id": erased[0].id}, unknown]
    )
    assert answer.status_code == 200 and answer.json()["rejected"] == []
    held = hub_fields(hub.store, erased[0].id)
    assert (held["email"], held["last_name"], held["deleted"]) == (None, ERASED_NAME, 1)
    after = {c["field"]: c for c in hub.client(admin_token).get("/v1/pull").json()["changes"]
             if c["id"] == erased[0].id}  # fmt: skip
    assert after["email"]["hlc"] > before["email"]["hlc"]
    assert after["owner"]["hlc"] == before["owner"]["hlc"]  # not a personal field: left alone


@pytest.mark.parametrize(
    "erased",
    [
        "people",
        [["people", "x"]],
        [{"table": "actors", "id": "x"}],
        [{"table": "nope", "id": "x"}],
        [{"table": "people", "id": ""}],
        [{"table": "people", "id": "x" * 101}],
        [{"table": "people", "id": 12}],
        [{"table": "people", "id": str(n)} for n in range(MAX_ERASED + 1)],
    ],
)
def test_a_malformed_erasure_notice_is_refused(hub, erased):
    _alice, token = hub.member("Alice")
    answer = push(hub.client(token), erased=erased)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid"


# -- how long push answers are kept ---------------------------------------------------------


def age(hub, batch_id: str, minutes: int) -> None:
    when = datetime.now(UTC) - timedelta(minutes=minutes)
    with hub.store.backend.transaction(write=True) as tx:
        tx.run(
            "UPDATE batches SET created_at = ? WHERE batch_id = ?",
            (when.isoformat(timespec="seconds").replace("+00:00", "Z"), batch_id),
        )


def batch_ids(hub) -> set[str]:
    with hub.store.backend.transaction() as tx:
        return {row[0] for row in tx.rows("SELECT batch_id FROM batches")}


def test_a_push_answer_serves_retries_for_an_hour_then_is_pruned(hub):
    alice, token = hub.member("Alice")
    client = hub.client(token)
    old, recent, latest = (str(uuid.uuid4()) for _ in range(3))
    push(client, person(alice.id, first_name="Ancien"), batch_id=old)
    recent_answer = push(client, person(alice.id, first_name="Recent"), batch_id=recent).json()
    age(hub, old, minutes=61)
    age(hub, recent, minutes=59)

    push(client, [], batch_id=latest)  # any push prunes
    assert batch_ids(hub) == {recent, latest}
    seq = hub.store.state().seq
    # A retry within the hour: answered from memory, nothing applied again.
    again = push(client, person(alice.id, first_name="Autre"), batch_id=recent).json()
    assert {**again, "server_time_ms": 0} == {**recent_answer, "server_time_ms": 0}
    assert hub.store.state().seq == seq
    # The old batch id is unknown again: what it brings is merged like any batch.
    assert push(client, person(alice.id, first_name="Neuf"), batch_id=old).json()["accepted"] == 4


def test_a_hub_database_of_the_first_schema_upgrades(hub_location):
    store = hub_location.open()
    member, _token = store.add_member("Alice", "member")
    store.push(member, PushRequest("site", str(uuid.uuid4()), person(member.id, first_name="A")))
    with store.backend.transaction(write=True) as tx:  # as a hub of schema 1 left it
        tx.run("DROP INDEX IF EXISTS batches_created")
        tx.run("UPDATE meta SET value = '1' WHERE key = 'schema'")
    state = store.state()
    store.close()

    upgraded = hub_location.open()
    with upgraded.backend.transaction() as tx:
        schema = tx.one("SELECT value FROM meta WHERE key = 'schema'")[0]
        if upgraded.backend.postgres:
            index = tx.one("SELECT 1 FROM pg_indexes WHERE indexname = 'batches_created'")
        else:
            index = tx.one("SELECT 1 FROM sqlite_master WHERE name = 'batches_created'")
        batches = tx.one("SELECT count(*) FROM batches")[0]
    assert (schema, index, batches) == (str(SCHEMA_VERSION), (1,), 0)  # answers pruned (3)
    assert upgraded.state() == state  # the same history, the same epoch
    upgraded.close()
    assert hub_location.open().state() == state  # opening again changes nothing
