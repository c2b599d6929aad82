"""Merging duplicates: every link of both sides is kept, and one undo restores both exactly."""

from __future__ import annotations

import pytest

from companion.directory.merge import (
    DROP,
    KEEP,
    MergeError,
    links_of,
    merge_actors,
    merge_people,
    merged_values,
)
from tests.french import fr

TABLES = ("actors", "people", "affiliations", "relations", "interactions", "tags", "actor_tags")


def snapshot(store) -> dict[str, list[dict]]:
    """Every row of every table the merge may touch, without updated_at."""
    result = {}
    for table in TABLES:
        cursor = store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor]
        result[table] = [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]
    return result


@pytest.fixture
def pair(store):
    """Two records of one association with overlapping links, and their neighbours."""
    keep = store.add_actor(
        "Jardins de Bravelune", "association", commune="Lyon", insee_code="69123",
        departement="69", postcode="69001", email="contact@bravelune.example",
    )  # fmt: skip
    drop = store.add_actor(
        "Asso. Les Jardins de Bravelune", "collectif", commune="Villeurbanne",
        insee_code="69266", departement="69", postcode="69100", phone="+33199001234",
        siret="73282932000074", description="Potagers partagés.",
    )  # fmt: skip
    other = store.add_actor("Mairie de Lyon", "collectivite")
    fund = store.add_actor("Fondation Terres", "fondation")
    store.add_relation(keep.id, other.id, "partenariat")
    store.add_relation(drop.id, other.id, "partenariat")  # a repeat once merged
    store.add_relation(drop.id, fund.id, "adhesion")
    store.add_relation(fund.id, drop.id, "financement")
    store.add_relation(keep.id, drop.id, "partenariat")  # a self-loop once merged
    lea = store.add_person("Léa", "Martin")
    karim = store.add_person("Karim", "Benali")
    store.add_affiliation(lea.id, keep.id, role="Présidente")
    store.add_affiliation(lea.id, drop.id, role="Présidente")  # a repeat
    store.add_affiliation(karim.id, drop.id, role="Trésorier")
    store.add_interaction("reunion", "2025-03-01", actor_id=keep.id, title="Bilan")
    store.add_interaction("appel", "2025-04-02", actor_id=drop.id, title="Appel")
    store.add_interaction("atelier", "2025-05-03", actor_id=drop.id, person_id=karim.id)
    store.tag_actor(keep.id, "alimentation")
    store.tag_actor(drop.id, "alimentation")
    store.tag_actor(drop.id, "éducation")
    return store, keep, drop, {"other": other.id, "fund": fund.id, "lea": lea.id, "karim": karim.id}


def relation_set(store, actor_id):
    return {
        (view.other_id, view.relation.type, view.outgoing) for view in store.relations_of(actor_id)
    }


def test_merge_keeps_every_link_of_both_sides(pair):
    store, keep, drop, ids = pair
    expected_relations = relation_set(store, keep.id) | relation_set(store, drop.id)
    expected_relations -= {(drop.id, "partenariat", True), (keep.id, "partenariat", False)}
    expected_people = {m.person.id for m in store.members_of(keep.id)} | {
        m.person.id for m in store.members_of(drop.id)
    }
    expected_interactions = {i.id for i in store.interactions_of(keep.id)} | {
        i.id for i in store.interactions_of(drop.id)
    }

    result = merge_actors(store, keep.id, drop.id, {"place": DROP, "kind": KEEP})

    assert relation_set(store, keep.id) == expected_relations
    assert {m.person.id for m in store.members_of(keep.id)} == expected_people
    assert [m.role for m in store.members_of(keep.id)].count("Présidente") == 1
    assert {i.id for i in store.interactions_of(keep.id)} == expected_interactions
    assert store.tags_of(keep.id) == ["alimentation", "éducation"]
    assert links_of(store, "actors", keep.id).relations == 3
    assert (result.moved, result.tombstoned) == (2 + 1 + 2 + 2, 2 + 1)
    assert result.label == (
        fr("Fusionner « Jardins de Bravelune » et « Asso. Les Jardins de Bravelune »")
    )


def test_merge_takes_the_chosen_values_and_tombstones_the_dropped_record(pair):
    store, keep, drop, _ids = pair
    merge_actors(store, keep.id, drop.id, {"name": DROP, "place": DROP, "kind": KEEP})
    merged = store.get_actor(keep.id)
    assert merged.name == "Asso. Les Jardins de Bravelune"
    place = (merged.commune, merged.insee_code, merged.postcode)
    assert place == ("Villeurbanne", "69266", "69100")
    assert merged.kind == "association"
    # Fields not chosen keep the kept side, or take the other's where the kept one is empty.
    assert (merged.email, merged.phone, merged.siret) == (
        "contact@bravelune.example", "+33199001234", "73282932000074",
    )  # fmt: skip
    assert merged.description == "Potagers partagés."
    assert merged.updated_at > keep.updated_at
    assert store.get_actor(drop.id) is None
    row = store.conn.execute(
        "SELECT deleted, merged_into FROM actors WHERE id = ?", (drop.id,)
    ).fetchone()
    assert row == (1, keep.id)
    assert [a.id for a in store.actors("villeurbanne")] == [keep.id]
    assert store.count_actors("bravelune") == 1


def test_undo_restores_both_sides_exactly(pair):
    store, keep, drop, _ids = pair
    before = snapshot(store)
    merge_actors(store, keep.id, drop.id, {"name": DROP, "place": DROP})
    assert snapshot(store) != before

    step = store.journal.undo()

    assert step.label.startswith(fr("Fusionner « Jardins de Bravelune »"))
    assert snapshot(store) == before
    assert store.count_actors("bravelune") == 2
    assert store.tags_of(drop.id) == ["alimentation", "éducation"]


def test_merge_refuses_itself_and_deleted_records(pair):
    store, keep, drop, ids = pair
    with pytest.raises(MergeError):
        merge_actors(store, keep.id, keep.id)
    store.delete_actor(ids["other"])
    with pytest.raises(MergeError):
        merge_actors(store, keep.id, ids["other"])
    assert store.journal.last() is None


def test_merge_people_moves_affiliations_and_interactions_and_undoes(pair):
    store, keep, _drop, _ids = pair
    a = store.add_person("Léa", "Morel", email="lea@example.org", legal_basis="consentement")
    b = store.add_person(
        "Lea", "MOREL", phone="+33639981234", notes="Rencontrée au forum.",
        legal_basis="interet_legitime", collected_on="2025-01-10", collection_source="Forum",
    )  # fmt: skip
    other = store.add_actor("Fablab", "association")
    store.add_affiliation(a.id, keep.id, role="Bénévole")
    store.add_affiliation(b.id, keep.id, role="Bénévole")  # a repeat
    store.add_affiliation(b.id, other.id, role="Animatrice")
    store.add_interaction("appel", "2025-02-02", person_id=b.id)
    before = snapshot(store)

    result = merge_people(store, a.id, b.id, {"rgpd": DROP, "name": KEEP})

    merged = store.get_person(a.id)
    assert (merged.first_name, merged.last_name, merged.phone) == ("Léa", "Morel", "+33639981234")
    assert (merged.legal_basis, merged.collected_on, merged.collection_source) == (
        "interet_legitime", "2025-01-10", "Forum",
    )  # fmt: skip
    assert merged.notes == "Rencontrée au forum."
    assert store.get_person(b.id) is None
    assert links_of(store, "people", a.id).people == 2
    assert links_of(store, "people", a.id).interactions == 1
    assert (result.moved, result.tombstoned) == (2, 1)
    row = store.conn.execute("SELECT merged_into FROM people WHERE id = ?", (b.id,)).fetchone()
    assert row == (a.id,)
    assert {m.person.id for m in store.members_of(other.id)} == {a.id}

    store.journal.undo()
    assert snapshot(store) == before


def test_merged_values_validates_choices():
    keep = {"name": "A", "kind": "association", "email": None}
    drop = {"name": "B", "kind": "fondation", "email": "b@example.org"}
    values = merged_values("actors", keep, drop, {"kind": DROP})
    assert (values["name"], values["kind"], values["email"]) == ("A", "fondation", "b@example.org")
    with pytest.raises(ValueError):
        merged_values("actors", keep, drop, {"name": "left"})
