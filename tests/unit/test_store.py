import pytest

from companion.store.store import InvalidRecord


def test_actor_round_trip_and_tombstone(store):
    actor = store.add_actor(
        "Association Bravelune", "association", commune="Lyon", departement="69"
    )
    assert store.get_actor(actor.id).name == "Association Bravelune"
    assert len(actor.id) == 36 and actor.owner == store.member_id and actor.visibility == "network"

    updated = store.update_actor(actor.id, description="Jardins partagés")
    assert updated.description == "Jardins partagés"
    assert updated.updated_at >= actor.updated_at

    store.delete_actor(actor.id)
    assert store.get_actor(actor.id) is None
    # A tombstone, not a hard delete: the row stays for sync.
    assert (
        store.db.execute("SELECT deleted FROM actors WHERE id = ?", [actor.id]).fetchone()[0] == 1
    )
    assert store.count_actors() == 0


@pytest.mark.parametrize(
    ("name", "kind", "visibility", "fragment"),
    [
        ("", "association", "network", "nom de l'acteur est obligatoire"),
        ("X", "vaisseau", "network", "Type d'acteur inconnu"),
        ("X", "association", "public", "Visibilité inconnue"),
    ],
)
def test_invalid_actor_is_refused_in_french(store, name, kind, visibility, fragment):
    with pytest.raises(InvalidRecord, match=fragment):
        store.add_actor(name, kind, visibility=visibility)
    assert store.count_actors() == 0


def test_card_data_people_relations_tags(store):
    hub = store.add_actor("Pôle de catalyse Trémoline", "catalyseur")
    school = store.add_actor("École Saint-Roch", "association")
    person = store.add_person("Camille", "Durivaud", email="camille@exemple.example")
    store.add_affiliation(person.id, school.id, role="Présidente")
    store.add_relation(hub.id, school.id, "accompagnement", strength=2)
    store.tag_actor(school.id, "Éducation")
    store.tag_actor(school.id, "Éducation")  # twice: no duplicate

    [membership] = store.members_of(school.id)
    assert (membership.person.full_name, membership.role) == ("Camille Durivaud", "Présidente")
    [seen_from_school] = store.relations_of(school.id)
    assert (
        seen_from_school.other_name == "Pôle de catalyse Trémoline"
        and not seen_from_school.outgoing
    )
    [seen_from_hub] = store.relations_of(hub.id)
    assert seen_from_hub.outgoing and seen_from_hub.relation.type == "accompagnement"
    assert store.tags_of(school.id) == ["Éducation"]


def test_relation_rules(store):
    a = store.add_actor("A", "association")
    with pytest.raises(InvalidRecord, match="lui-même"):
        store.add_relation(a.id, a.id, "partenariat")
    with pytest.raises(InvalidRecord, match="Type de relation inconnu"):
        store.add_relation(a.id, store.add_actor("B", "entreprise").id, "amitié")


def test_foreign_keys_are_enforced(store):
    from companion.store.database import errors

    person = store.add_person("Lou", "Marin")
    with pytest.raises(errors("IntegrityError")):
        store.add_affiliation(person.id, "no-such-actor")


def test_actor_pages_sorted_and_paged(store):
    for name in ["Zèbre", "abeille", "Élan", "Castor"]:
        store.add_actor(name, "association")
    names = [a.name for a in store.actors(sort="name")]
    assert names == ["abeille", "Castor", "Élan", "Zèbre"]  # accents and case folded for sorting
    assert [a.name for a in store.actors(sort="name", descending=True, limit=2)] == [
        "Zèbre",
        "Élan",
    ]
    assert [a.name for a in store.actors(sort="name", offset=3)] == ["Zèbre"]


def test_settings_identity_is_stable(tmp_path):
    from companion.store import Store

    first = Store.open(tmp_path / "c.db")
    member = first.member_id
    first.close()
    again = Store.open(tmp_path / "c.db")
    assert again.member_id == member and len(member) == 36
    again.close()


def test_tagging_with_a_deleted_tags_name_brings_the_tag_back(store):
    actor = store.add_actor("Fablab", "association")
    store.tag_actor(actor.id, "Numérique")
    tag_id = store.conn.execute("SELECT id FROM tags").fetchone()[0]
    store.delete_record("tags", tag_id)
    assert store.tags_of(actor.id) == []
    store.tag_actor(actor.id, "numérique")
    assert store.tags_of(actor.id) == ["Numérique"]
    assert [a.id for a in store.actors("numerique")] == [actor.id]
