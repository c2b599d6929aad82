"""Capture: every write path puts the changed fields of network records in the outbox."""

from __future__ import annotations

import pytest
from sync_helpers import fields_of, pushed, queued

from companion.app.erasure import erase_person
from companion.directory.merge import merge_actors
from companion.geo import Gazetteer
from companion.io.actor_import import apply_import, plan_import
from companion.maps.filters import MapFilter
from companion.maps.views import delete_view, move_view, rename_view, save_view
from companion.protocol.hlc import Timestamp
from companion.protocol.messages import SYNCED_FIELDS
from companion.store import Store
from companion.sync import state

ACTOR_FIELDS = {*SYNCED_FIELDS["actors"], "tags"}


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def test_new_records_go_whole_and_private_ones_never(store):
    actor = store.add_actor("Tiers-lieu des Pentes", "association", commune="Lyon")
    person = store.add_person("Léa", "Martin", email="lea@example.org")
    secret = store.add_person("Karim", "Benali", visibility="private")
    hidden = store.add_actor("Projet confidentiel", "autre", visibility="private")
    affiliation = store.add_affiliation(person.id, actor.id, role="Présidente")
    other = store.add_actor("Mairie de Lyon", "collectivite")
    relation = store.add_relation(actor.id, other.id, "partenariat", strength=2)
    interaction = store.add_interaction("reunion", "2025-03-01", actor_id=actor.id, title="Bilan")

    assert fields_of(store, "actors", actor.id) == ACTOR_FIELDS
    assert fields_of(store, "people", person.id) == set(SYNCED_FIELDS["people"])
    assert fields_of(store, "affiliations", affiliation.id) == set(SYNCED_FIELDS["affiliations"])
    assert fields_of(store, "relations", relation.id) == set(SYNCED_FIELDS["relations"])
    assert fields_of(store, "interactions", interaction.id) == set(SYNCED_FIELDS["interactions"])
    ids = {record_id for _table, record_id, _field in queued(store)}
    assert secret.id not in ids and hidden.id not in ids

    changes = {(c.table, c.id, c.field): c for c in pushed(store)}
    assert changes[("actors", actor.id, "name")].value == "Tiers-lieu des Pentes"
    assert changes[("relations", relation.id, "strength")].value == 2
    assert changes[("actors", actor.id, "tags")].value == []
    # One creation, one stamp: the same for every field of the record.
    assert len({c.hlc for k, c in changes.items() if k[:2] == ("actors", actor.id)}) == 1


def test_updates_send_only_the_changed_fields_with_a_newer_stamp(store):
    actor = store.add_actor("Bravelune", "association")
    created = {c.field: c.hlc for c in pushed(store)}
    store.update_actor(actor.id, description="Potagers partagés", name="Bravelune")
    assert queued(store) == {("actors", actor.id, "description")}
    store.update_actor(actor.id, description="Potagers")  # the same field again: one row
    [change] = pushed(store)
    assert change.value == "Potagers" and change.hlc > created["description"]
    assert change.base == created["description"]  # the value both edits started from
    store.update_actor(actor.id, description="Jardins")
    [again] = pushed(store)
    assert again.base == change.hlc

    store.delete_actor(actor.id)
    assert queued(store) == {("actors", actor.id, "deleted")}
    pushed(store)
    person = store.add_person("Léa", "Martin")
    pushed(store)
    store.update_record("people", person.id, email="lea@example.org", notes="Rencontrée")
    assert fields_of(store, "people", person.id) == {"email", "notes"}
    store.delete_record("people", person.id)
    assert fields_of(store, "people", person.id) == {"email", "notes", "deleted"}


def test_tags_travel_as_a_field_of_the_actor(store):
    actor = store.add_actor("Bravelune", "association")
    created = {c.field: c.hlc for c in pushed(store)}
    store.tag_actor(actor.id, "Alimentation")
    [tag_id] = [row[0] for row in store.conn.execute("SELECT id FROM tags")]
    assert queued(store) == {("actors", actor.id, "tags")} | {
        ("tags", tag_id, name) for name in SYNCED_FIELDS["tags"]
    }
    [tagged] = [c for c in pushed(store) if c.table == "actors"]
    assert (tagged.field, tagged.value, tagged.base) == ("tags", [tag_id], created["tags"])
    store.untag_actor(actor.id, "Alimentation")
    [untagged] = pushed(store)
    assert (untagged.value, untagged.base) == ([], tagged.hlc)


def test_visibility_changes(store):
    actor = store.add_actor("Bravelune", "association", email="contact@bravelune.example")
    pushed(store)
    store.update_actor(actor.id, visibility="private", email="prive@bravelune.example")
    changes = pushed(store)
    assert [(c.field, c.value) for c in changes] == [("visibility", "private")]
    store.update_actor(actor.id, phone="+33199001234")  # private: nothing goes
    assert queued(store) == set()
    store.update_actor(actor.id, visibility="network")  # shared again: everything goes
    changes = {c.field: c for c in pushed(store)}
    assert set(changes) == ACTOR_FIELDS
    assert changes["phone"].value == "+33199001234"
    assert changes["visibility"].hlc > changes["name"].hlc  # fields keep their stamps

    secret = store.add_person("Karim", "Benali", visibility="private")
    store.update_record("people", secret.id, visibility="network")
    assert fields_of(store, "people", secret.id) == set(SYNCED_FIELDS["people"])
    never = store.add_person("Inès", "Roux")
    store.update_record("people", never.id, visibility="private")  # before any sync
    assert fields_of(store, "people", never.id) == set()


def test_an_import_queues_new_actors_and_the_changes_of_matched_ones(store, gazetteer, tmp_path):
    known = store.add_actor("Garage Étienne", "entreprise", commune="Lyon", insee_code="69123")
    store.tag_actor(known.id, "Mobilité")
    pushed(store)
    path = tmp_path / "acteurs.csv"
    lines = [
        "Nom;Type;Ville;E-mail;Étiquettes",
        "Épicerie solidaire;Association;Lyon;contact@epicerie.example;Alimentation",
        "Garage Étienne;Entreprise;Lyon;garage@etienne.example;Mobilité, Réemploi",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    plan = plan_import(store, gazetteer, path)
    assert plan.problems == []
    apply_import(store, plan)
    [new] = [a for a in store.actors("épicerie")]
    assert fields_of(store, "actors", new.id) == ACTOR_FIELDS
    known_fields = fields_of(store, "actors", known.id)
    assert {"email", "tags"} <= known_fields and "name" not in known_fields
    values = {(c.id, c.field): c.value for c in pushed(store)}
    assert len(values[(known.id, "tags")]) == 2
    assert values[(new.id, "email")] == "contact@epicerie.example"


def test_a_merge_and_its_undo_are_captured(store):
    keep = store.add_actor("Jardins de Bravelune", "association", commune="Lyon")
    drop = store.add_actor("Asso. Jardins de Bravelune", "collectif", phone="+33199001234")
    other = store.add_actor("Mairie de Lyon", "collectivite")
    relation = store.add_relation(drop.id, other.id, "partenariat")
    store.tag_actor(drop.id, "alimentation")
    pushed(store)

    merge_actors(store, keep.id, drop.id)
    found = queued(store)
    assert {f for t, i, f in found if i == keep.id} == {"phone", "tags"}
    assert {f for t, i, f in found if i == drop.id} == {"deleted", "merged_into", "tags"}
    assert {f for t, i, f in found if i == relation.id} == {"source_id"}
    changes = {(c.id, c.field): c for c in pushed(store)}
    assert changes[(drop.id, "merged_into")].value == keep.id

    store.journal.undo()
    found = queued(store)
    assert {f for t, i, f in found if i == drop.id} == {"deleted", "merged_into", "tags"}
    undone = {(c.id, c.field): c for c in pushed(store)}
    assert undone[(drop.id, "deleted")].value == 0
    assert undone[(drop.id, "deleted")].hlc > changes[(drop.id, "deleted")].hlc  # a new edit
    assert undone[(relation.id, "source_id")].value == drop.id


def test_undo_of_an_edit_is_a_new_edit(store):
    actor = store.add_actor("Bravelune", "association")
    pushed(store)
    with store.undoable("Modifier"):
        store.update_actor(actor.id, description="Nouvelle")
    edited = pushed(store)
    store.journal.undo()
    [undone] = pushed(store)
    assert (undone.field, undone.value) == ("description", "")
    assert undone.hlc > edited[0].hlc


def test_erasing_a_person_sends_the_blanked_fields(store):
    actor = store.add_actor("Bravelune", "association")
    person = store.add_person("Léa", "Martin", email="lea@example.org", phone="+33199001234")
    affiliation = store.add_affiliation(person.id, actor.id, role="Présidente")
    alone = store.add_interaction("appel", "2025-04-02", person_id=person.id, title="Appel")
    shared = store.add_interaction("reunion", "2025-03-01", actor_id=actor.id, person_id=person.id)
    pushed(store)
    erase_person(store, person.id)
    changes = {(c.id, c.field): c.value for c in pushed(store)}
    assert changes[(person.id, "email")] is None and changes[(person.id, "deleted")] == 1
    assert changes[(person.id, "first_name")] == ""
    assert changes[(affiliation.id, "role")] == "" and changes[(affiliation.id, "deleted")] == 1
    assert changes[(alone.id, "deleted")] == 1 and changes[(alone.id, "title")] == ""
    assert changes[(shared.id, "person_id")] is None
    assert (shared.id, "deleted") not in changes


def test_map_views_go_once_shared(store):
    view = save_view(store, "Lyon", "", MapFilter(), None)  # private by default
    assert queued(store) == set()
    store.update_record("map_views", view.id, visibility="network")
    assert fields_of(store, "map_views", view.id) == set(SYNCED_FIELDS["map_views"])
    pushed(store)
    rename_view(store, view.id, "Lyon et environs", "Atelier")
    assert fields_of(store, "map_views", view.id) == {"name", "title"}
    second = save_view(store, "France", "", MapFilter(), None)
    move_view(store, view.id, 1)
    assert ("map_views", second.id, "position") not in queued(store)  # private
    assert fields_of(store, "map_views", view.id) == {"name", "title", "position"}
    delete_view(store, view.id)
    assert "deleted" in fields_of(store, "map_views", view.id)


def test_records_made_before_sync_existed_go_with_the_first_sync(tmp_path):
    from companion.store.connection import open_database
    from companion.store.migrations import MIGRATIONS
    from companion.store.upgrade import migrate

    path = tmp_path / "companion.db"
    conn = open_database(path)
    migrate(conn, path, migrations=[m for m in MIGRATIONS if m.name < "0008_sync"])
    conn.execute(
        "INSERT INTO actors (id, name, sort_name, kind, created_at, updated_at) "
        "VALUES ('a1', 'Ancien', 'ancien', 'autre', '2024-01-01', '2024-01-01')"
    )
    conn.close()
    store = Store.open(path)
    try:
        assert fields_of(store, "actors", "a1") == ACTOR_FIELDS
    finally:
        store.close()


def test_stamps_grow_and_follow_the_hub_offset(store):
    actor = store.add_actor("Bravelune", "association")
    pushed(store)
    ahead = 3_600_000 // 2  # the hub's clock is half an hour ahead of this laptop's
    with store.db.atomic():
        state.put(store.conn, state.OFFSET, ahead)
    before = Timestamp.parse(state.get(store.conn, state.CLOCK))
    store.update_actor(actor.id, description="Après")
    [change] = pushed(store)
    stamp = Timestamp.parse(change.hlc)
    assert stamp > before and stamp.site == state.site(store.conn)
    assert stamp.wall_ms >= before.wall_ms + ahead - 60_000


def test_counter_orders_stamps_within_one_millisecond(store):
    site = state.site(store.conn)
    with store.db.atomic():  # a clock far ahead: every stamp now reuses its millisecond
        state.put(store.conn, state.CLOCK, f"9000000000000000-99998-{site}")
    actor = store.add_actor("Bravelune", "association")
    pushed(store)  # the creation takes 9000000000000000-99999
    store.update_actor(actor.id, description="Un")
    [change] = pushed(store)
    assert change.hlc == f"9000000000000001-00000-{site}"  # the counter borrowed a ms


def test_pending_counts_what_the_next_sync_sends(store):
    from companion.sync import outbox

    actor = store.add_actor("Bravelune", "association")
    store.add_person("Karim", "Benali", visibility="private")
    assert outbox.pending(store.conn) == 1  # the new actor, not queued yet
    pushed(store)
    assert outbox.pending(store.conn) == 0
    store.update_actor(actor.id, description="Un", email="a@b.fr")
    assert outbox.pending(store.conn) == 2


def test_the_frozen_copies_agree_with_the_protocol():
    from companion.protocol import hlc
    from companion.protocol import messages as protocol
    from companion.sync import capture, outbox

    assert capture.CAPTURED_FIELDS == protocol.SYNCED_FIELDS, (
        "protocol.SYNCED_FIELDS changed: add a migration that runs capture.trigger_sql() "
        "with the new fields, then update capture.CAPTURED_FIELDS"
    )
    assert capture.LINK_FIELD == protocol.LINK_FIELDS
    assert outbox.MAX_BATCH_CHANGES == protocol.MAX_BATCH_CHANGES
    assert (capture.WALL_DIGITS, capture.COUNTER_DIGITS, capture.MAX_COUNTER) == (
        hlc.WALL_DIGITS, hlc.COUNTER_DIGITS, hlc.MAX_COUNTER)  # fmt: skip
