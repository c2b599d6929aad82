"""A person's other phones and e-mails travel through the real hub (issue #17, item 5).

On SQLite and PostgreSQL (``hub_store``), over HTTP on loopback: ``people.other_contacts``
reaches another laptop with its labels, its edits follow field by field, an erasure
blanks it everywhere; the hub refuses a malformed value (an ``invalid`` rejection of that
change alone, or a 400 for a malformed request, never a 5xx) and stores none of it; a
malformed value an older hub stored does not stop a laptop's sync.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from loopback import serving
from sync_helpers import hub_fields, transport

from companion.app.erasure import erase_person
from companion.directory.contact_details import Contact, contacts_of
from companion.directory.people import save_person
from companion.hub.app import create_app
from companion.protocol.hlc import Timestamp, physical_ms
from companion.protocol.messages import PROTOCOL, PROTOCOL_HEADER
from companion.store import Store
from companion.sync import outbox, state
from companion.sync.client import SyncClient, rejected

SITE = "0123456789abcdef"


def stamp(offset_ms: int = 0) -> str:
    return str(Timestamp(physical_ms() + offset_ms, 0, SITE))


@pytest.fixture
def network(hub_store, tmp_path):
    """Alice's and Bob's laptops and the hub's URL, with Alice's token for raw requests."""
    alice_member, alice_token = hub_store.add_member("Alice", "member")
    _bob, bob_token = hub_store.add_member("Bob", "member")
    alice, bob = Store.open(tmp_path / "alice.db"), Store.open(tmp_path / "bob.db")
    with serving(create_app(hub_store)) as url:

        def sync(store: Store) -> None:
            token = alice_token if store is alice else bob_token
            report = SyncClient(store, url, token, transport=transport()).sync()
            assert report.rejected == 0, rejected(store)

        yield alice, bob, sync, url, alice_member.id, alice_token
    alice.close()
    bob.close()


def contacts(store: Store, person_id: str) -> tuple[list[Contact], list[Contact]]:
    person = store.get_person(person_id)
    assert person is not None
    return contacts_of(person.email, person.phone, person.other_contacts)


def test_other_phones_and_emails_reach_another_laptop_and_follow_edits(hub_store, network):
    alice, bob, sync, *_rest = network
    person = save_person(
        alice,
        {
            "first_name": "Inès",
            "last_name": "Valmorin",
            "emails": [("travail", "ines@fourmi.example"), ("domicile", "ines@perso.example")],
            "phones": [("travail", "04 65 71 00 03"), ("mobile", "06 39 98 00 01")],
        },
    )
    sync(alice)
    sync(bob)
    emails, phones = contacts(bob, person.id)
    assert emails == [
        Contact("email", "travail", "ines@fourmi.example"),
        Contact("email", "domicile", "ines@perso.example"),
    ]
    assert phones == [
        Contact("phone", "travail", "+33465710003"),
        Contact("phone", "mobile", "+33639980001"),
    ]
    stored = json.loads(hub_fields(hub_store, person.id)["other_contacts"])
    assert {"kind": "phone", "label": "mobile", "value": "+33639980001"} in stored

    # Alice drops the home address and adds a home phone: only that field travels.
    save_person(
        alice,
        {
            "first_name": "Inès",
            "last_name": "Valmorin",
            "emails": [("travail", "ines@fourmi.example")],
            "phones": [
                ("travail", "04 65 71 00 03"),
                ("mobile", "06 39 98 00 01"),
                ("domicile", "+32 2 123 45 67"),
            ],
        },
        person.id,
    )
    assert outbox.pending(alice.conn) == 1  # other_contacts alone: the primaries are the same
    sync(alice)
    sync(bob)
    emails, phones = contacts(bob, person.id)
    assert [c.value for c in emails] == ["ines@fourmi.example"]
    assert phones[-1] == Contact("phone", "domicile", "+3221234567")
    assert bob.conn.execute(
        "SELECT count(*) FROM people_fts WHERE people_fts MATCH '\"0639980001\"'"
    ).fetchone() == (1,)  # Bob's search finds her by her second phone

    # Erased on Alice's laptop: blank on the hub and on Bob's laptop.
    erase_person(alice, person.id)
    sync(alice)
    sync(bob)
    assert hub_fields(hub_store, person.id)["other_contacts"] is None
    row = bob.conn.execute(
        "SELECT email, phone, other_contacts, deleted FROM people WHERE id = ?", (person.id,)
    ).fetchone()
    assert tuple(row) == (None, None, None, 1)


def push(url: str, token: str, changes: list[dict[str, Any]]) -> httpx.Response:
    body = {"site": SITE, "batch_id": str(uuid.uuid4()), "changes": changes}
    headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL)}
    return httpx.post(f"{url}/v1/push", json=body, headers=headers, timeout=30)


def person_changes(owner: str, person_id: str, other_contacts: Any) -> list[dict[str, Any]]:
    values = {
        "owner": owner, "visibility": "network", "created_at": "2025-03-01T09:00:00.000Z",
        "deleted": 0, "first_name": "Léa", "last_name": "Martin", "notes": "",
        "collection_source": "", "other_contacts": other_contacts,
    }  # fmt: skip
    when = stamp()
    return [
        {"table": "people", "id": person_id, "field": name, "value": value, "hlc": when}
        for name, value in values.items()
    ]


MALFORMED = [
    "{}",  # not a list
    "pas du JSON",
    '[{"kind": "fax", "label": "travail", "value": "0465710003"}]',  # unknown kind
    '[{"kind": "phone", "label": "mobile", "value": ""}]',  # empty value
    '[{"kind": "email", "label": 3, "value": "a@b.example"}]',  # label not a text
    '[{"kind": "email", "label": "travail"}]',  # no value
    '[{"kind": "phone", "label": "mobile", "value": "0612345678", "x": NaN}]',
    json.dumps([{"kind": "phone", "label": "", "value": "06"}] * 51),  # too many
    json.dumps([{"kind": "email", "label": "", "value": "a" * 321}]),  # too long
    ["a list, not a JSON text"],
    42,
]


def test_the_hub_refuses_malformed_other_contacts_and_stores_none(hub_store, network):
    alice, bob, sync, url, owner, token = network
    good, bad = str(uuid.uuid4()), {str(uuid.uuid4()): value for value in MALFORMED}
    changes = person_changes(owner, good, '[{"kind":"phone","label":"mobile","value":"+33612"}]')
    for person_id, value in bad.items():
        changes += person_changes(owner, person_id, value)
    answer = push(url, token, changes)
    assert answer.status_code == 200, answer.text  # the batch's valid changes land
    refused = {(r["id"], r["field"], r["reason"]) for r in answer.json()["rejected"]}
    assert refused == {(person_id, "other_contacts", "invalid") for person_id in bad}
    for person_id in bad:
        assert "other_contacts" not in hub_fields(hub_store, person_id)
    assert hub_fields(hub_store, good)["other_contacts"].startswith("[")

    # A change that cannot be named is a 400 naming the part at fault, never a 5xx.
    broken = person_changes(owner, str(uuid.uuid4()), "[]")
    broken[-1]["field"] = {"other_contacts": 1}
    answer = push(url, token, broken)
    assert answer.status_code == 400 and "changes[" in answer.json()["message"], answer.text

    sync(bob)  # what the hub took reaches Bob; the rest never existed for him
    assert contacts(bob, good)[1][0].value == "+33612"
    assert all(bob.get_person(person_id).other_contacts is None for person_id in bad)


def test_a_malformed_value_an_older_hub_stored_never_stops_a_laptop(hub_store, network):
    alice, bob, _sync, _url, owner, token = network
    poisoned, healthy = str(uuid.uuid4()), str(uuid.uuid4())
    with hub_store.backend.transaction(write=True) as tx:  # as an older hub took anything
        seq = int(tx.one("SELECT value FROM meta WHERE key = 'seq'" + tx.for_update)[0])
        for person_id, others in ((poisoned, '[{"kind": "fax"}]'), (healthy, None)):
            tx.run(
                "INSERT INTO records (tbl, id, owner, visibility, deleted) VALUES (?, ?, ?, ?, 0)",
                ("people", person_id, owner, "network"),
            )
            for change in person_changes(owner, person_id, others):
                seq += 1
                tx.run(
                    "INSERT INTO field_state (tbl, id, field, value, hlc, owner, seq)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ("people", person_id, change["field"], json.dumps(change["value"]),
                     stamp(-60_000), owner, seq),
                )  # fmt: skip
        tx.run("UPDATE meta SET value = ? WHERE key = 'seq'", (str(seq),))
    _bob_member, bob_token = hub_store.add_member("Lecteur", "member")
    SyncClient(bob, url_of(network), bob_token, transport=transport()).sync()
    assert state.cursor(bob.conn) == hub_store.state().seq  # the sync went to the end
    assert bob.get_person(healthy).full_name == "Léa Martin"
    kept = bob.get_person(poisoned)
    assert kept.full_name == "Léa Martin" and kept.other_contacts is None
    assert {(r.record_id, r.field, r.reason) for r in rejected(bob)} == {
        (poisoned, "other_contacts", "invalid")
    }


def url_of(network) -> str:
    return network[3]
