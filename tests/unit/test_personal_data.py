"""Personal data (RGPD): export everything about a person, erase it for good, review."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from companion.app.erasure import ERASED_NAME, erase_person
from companion.directory import people
from companion.directory.personal_data import (
    export_person,
    people_to_review,
    review_years,
    set_review_years,
    write_person_export,
)
from companion.store import Store
from companion.store.store import InvalidRecord

EMAIL = "lea.secret-7f3a@example.org"
NOTE = "Allergique aux arachides, préfère les appels le matin"


@pytest.fixture
def lea(store: Store) -> dict[str, str]:
    ecole = store.add_actor("École des Jardins", "association")
    person = store.add_person(
        "Léa",
        "Martin",
        email=EMAIL,
        phone="+33612345678",
        notes=NOTE,
        legal_basis="consentement",
        collected_on="2023-04-01",
        collection_source="Forum des associations",
    )
    store.add_affiliation(person.id, ecole.id, role="Présidente")
    alone = store.add_interaction(
        "reunion", "2024-05-02", person_id=person.id, title="Déjeuner avec Léa", notes=NOTE
    )
    shared = store.add_interaction(
        "appel", "2025-01-10", person_id=person.id, actor_id=ecole.id, title="Point budget"
    )
    other = store.add_person("Bruno", "Durand", email="bruno@example.org")
    return {
        "person": person.id,
        "ecole": ecole.id,
        "alone": alone.id,
        "shared": shared.id,
        "other": other.id,
    }


def database_bytes(store: Store) -> bytes:
    """Every byte SQLite keeps on disk for this store: the file and its WAL."""
    return b"".join(path.read_bytes() for path in store.path.parent.glob(store.path.name + "*"))


def test_export_holds_everything_about_the_person(store, lea):
    data = export_person(store, lea["person"])
    assert data["person"]["email"] == EMAIL
    assert data["person"]["id"] == lea["person"]
    assert "seq" not in data["person"]  # a local row number, not data about anyone
    assert data["rgpd"] == {
        "legal_basis": "consentement",
        "legal_basis_label": "Consentement",
        "collected_on": "2023-04-01",
        "collection_source": "Forum des associations",
    }
    assert [(a["actor_name"], a["role"]) for a in data["affiliations"]] == [
        ("École des Jardins", "Présidente")
    ]
    assert [i["id"] for i in data["interactions"]] == [lea["alone"], lea["shared"]]
    assert data["interactions"][1]["actor_name"] == "École des Jardins"
    assert data["tags"] == []
    assert data["record_ids"]["people"] == [lea["person"]]
    assert data["record_ids"]["interactions"] == [lea["alone"], lea["shared"]]
    with pytest.raises(InvalidRecord):
        export_person(store, "nobody")


def test_export_includes_records_merged_into_the_person(store, lea):
    twin = store.add_person("L.", "Martin", email="l.martin@example.org")
    store.conn.execute(  # what a merge leaves: a tombstone pointing at the survivor
        "UPDATE people SET merged_into = ?, deleted = 1 WHERE id = ?", (lea["person"], twin.id)
    )
    data = export_person(store, lea["person"])
    assert [row["email"] for row in data["merged_records"]] == ["l.martin@example.org"]
    assert data["record_ids"]["people"] == [lea["person"], twin.id]
    assert erase_person(store, lea["person"]).people == 2  # the merged record is erased too
    twin_row = store.conn.execute("SELECT email FROM people WHERE id = ?", (twin.id,)).fetchone()
    assert twin_row == (None,)


def test_export_files_json_and_french_text(store, lea, tmp_path: Path):
    paths = write_person_export(store, lea["person"], tmp_path / "export")
    assert [p.suffix for p in paths] == [".json", ".txt"]
    assert paths[0].name.startswith("donnees-lea-martin-")
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert data["person"]["notes"] == NOTE
    text = paths[1].read_text(encoding="utf-8")
    for expected in (
        "Données personnelles détenues sur Léa Martin",
        "  E-mail : " + EMAIL,
        "  Téléphone : 06 12 34 56 78",
        "  Base légale : Consentement",
        "  Source de la collecte : Forum des associations",
        "  - École des Jardins — Présidente",
        "  - 2025-01-10 · Appel · Point budget (École des Jardins)",
        "  Personne : " + lea["person"],
    ):
        assert expected in text.splitlines(), expected
    again = write_person_export(store, lea["person"], tmp_path / "export")
    assert again[0] != paths[0]  # never overwrites an earlier export


def test_erasure_blanks_every_personal_field_and_keeps_tombstones(store, lea):
    result = erase_person(store, lea["person"])
    assert (result.people, result.affiliations) == (1, 1)
    assert (result.interactions_erased, result.interactions_unlinked) == (1, 1)
    row = store.conn.execute(
        "SELECT first_name, last_name, email, phone, notes, legal_basis, collected_on, "
        "collection_source, deleted FROM people WHERE id = ?",
        (lea["person"],),
    ).fetchone()
    assert row == ("", ERASED_NAME, None, None, "", None, None, "", 1)
    assert store.conn.execute(
        "SELECT role, deleted FROM affiliations WHERE person_id = ?", (lea["person"],)
    ).fetchall() == [("", 1)]
    alone = store.get_record("interactions", lea["alone"])
    assert alone is None
    assert store.conn.execute(
        "SELECT title, notes, deleted FROM interactions WHERE id = ?", (lea["alone"],)
    ).fetchone() == ("", "", 1)
    shared = store.get_record("interactions", lea["shared"])
    assert (shared["actor_id"], shared["person_id"]) == (lea["ecole"], None)
    assert store.get_person(lea["other"]).email == "bruno@example.org"  # others untouched
    assert store.members_of(lea["ecole"]) == []


def test_erasure_leaves_nothing_in_search_or_in_the_file(store, lea):
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert EMAIL.encode() in database_bytes(store)  # the test can see it before
    assert people.count_people(store, "lea") == 1
    assert store.search("arachides")

    result = erase_person(store, lea["person"])

    assert result.file_clean
    assert people.count_people(store, "lea") == 0
    assert people.count_people(store, "martin") == 0
    assert store.search("arachides") == []
    assert store.search("dejeuner") == []
    raw = database_bytes(store)
    for secret in (EMAIL, "arachides", "Forum des associations", "Déjeuner avec Léa", "+3361234"):
        assert secret.encode() not in raw, secret
    assert b"bruno@example.org" in raw


def test_the_erased_records_the_hub_may_hold_are_remembered_for_it(store, lea):
    from companion.sync import erasure

    secret = store.add_person("Zoé", "Privée", visibility="private", email="zoe@example.org")
    erase_person(store, secret.id)  # never shared: the hub never heard of it
    assert erasure.pending(store.conn) == []
    erase_person(store, lea["person"])
    affiliation = store.conn.execute(
        "SELECT id FROM affiliations WHERE person_id = ?", (lea["person"],)
    ).fetchone()[0]
    # The exchange that also concerns the school stays, without Léa: it is not erased.
    assert erasure.pending(store.conn) == [
        ("people", lea["person"]), ("affiliations", affiliation), ("interactions", lea["alone"]),
    ]  # fmt: skip


def test_erasure_cannot_be_undone_and_clears_the_history(store, lea):
    with store.undoable("Modifier Léa"):
        store.update_record("people", lea["person"], notes="autre chose")
    erase_person(store, lea["person"])
    assert store.journal.last() is None  # undoing the edit would bring the old values back
    assert store.journal.undo() is None
    assert store.get_person(lea["person"]) is None


def test_people_to_review_after_years_without_exchange(store, lea):
    today = date(2028, 3, 1)
    # Léa's last exchange is 2025-01-10: due after three years, not after five.
    due = people_to_review(store, years=3, today=today)
    assert [(item.name, item.last_interaction) for item in due] == [("Léa Martin", "2025-01-10")]
    assert people_to_review(store, years=5, today=today) == []
    # Bruno was never met: due once his record is older than the delay.
    later = people_to_review(store, years=3, today=date(2099, 1, 1))
    assert [item.name for item in later] == ["Léa Martin", "Bruno Durand"]
    assert later[1].last_interaction is None
    recent = store.add_person("Zoé", "Neuve", collected_on="2027-12-01")
    assert recent.id not in {item.person_id for item in people_to_review(store, today=today)}


def test_review_delay_is_a_setting(store, lea):
    assert review_years(store) == 3
    set_review_years(store, 5)
    assert review_years(store) == 5
    assert people_to_review(store, today=date(2028, 3, 1)) == []
    store.set_setting("rgpd.review_years", "beaucoup")
    assert review_years(store) == 3


def test_erasure_also_forgets_sync_conflicts_holding_the_values(store, lea):
    from companion.sync.conflicts import conflicts, record_conflict

    with store.conn:
        record_conflict(store.conn, "people", lea["person"], "email", (EMAIL, "a"), ("x", "b"))
        record_conflict(store.conn, "interactions", lea["alone"], "notes", (NOTE, "a"), ("", "b"))
        record_conflict(store.conn, "people", lea["other"], "notes", ("gardé", "a"), ("", "b"))
    erase_person(store, lea["person"])
    assert [(c.table, c.record_id) for c in conflicts(store)] == [("people", lea["other"])]
    data = database_bytes(store)
    assert EMAIL.encode() not in data and NOTE.encode("utf-8") not in data


def test_erasure_forgets_the_refused_and_losing_values_of_every_erased_record(store, lea):
    from companion.sync.conflicts import record_conflict, record_rejection

    affiliation = store.conn.execute(
        "SELECT id FROM affiliations WHERE person_id = ?", (lea["person"],)
    ).fetchone()[0]
    with store.db.atomic():  # what syncs may have left: a refused e-mail, a lost role
        record_rejection(store.conn, "people", lea["person"], "email", "forbidden", EMAIL)
        record_conflict(
            store.conn, "affiliations", affiliation, "role",
            ("Présidente d'honneur", "0001-a"), ("Présidente", "0002-b"),
        )  # fmt: skip
        record_rejection(store.conn, "people", lea["other"], "notes", "forbidden", "garde")
    erase_person(store, lea["person"])
    left = store.conn.execute(
        "SELECT record_id FROM sync_rejected UNION ALL SELECT record_id FROM sync_conflicts"
    ).fetchall()
    assert left == [(lea["other"],)]  # someone else's refusal stays
    assert EMAIL.encode() not in database_bytes(store)
    assert "Présidente d'honneur".encode() not in database_bytes(store)
