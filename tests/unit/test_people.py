"""People in the directory (Qt-free): pages, search, the person form's checks, bulk actions."""

from __future__ import annotations

import pytest

from companion.directory import bulk, people
from companion.directory.people import FieldError, check_person_fields, save_person
from companion.store import Store
from tests.french import fr


@pytest.fixture
def folks(store: Store) -> dict[str, str]:
    ecole = store.add_actor("École des Jardins", "association")
    mairie = store.add_actor("Mairie de Brest", "collectivite")
    lea = store.add_person("Léa", "Martin", email="lea@example.org", phone="+33612345678")
    bruno = store.add_person("Bruno", "Durand", notes="Rencontré au forum des associations")
    store.add_person("Chloé", "Zola")
    store.add_affiliation(lea.id, mairie.id, role="Élue")
    store.add_affiliation(lea.id, ecole.id, role="Présidente")
    store.add_interaction("reunion", "2024-05-02", person_id=lea.id)
    store.add_interaction("appel", "2025-01-10", person_id=lea.id, actor_id=ecole.id)
    return {"lea": lea.id, "bruno": bruno.id, "ecole": ecole.id, "mairie": mairie.id}


def test_a_page_lists_people_by_last_name_with_organisations_and_last_exchange(store, folks):
    rows = people.people_page(store)
    assert [row.full_name for row in rows] == ["Bruno Durand", "Léa Martin", "Chloé Zola"]
    lea = rows[1]
    assert lea.organisations == "École des Jardins, Mairie de Brest"
    assert lea.last_interaction == "2025-01-10"
    assert (lea.email, lea.phone) == ("lea@example.org", "+33612345678")
    assert people.count_people(store) == 3
    assert [r.full_name for r in people.people_page(store, offset=1, limit=1)] == ["Léa Martin"]


def test_sorting_by_last_exchange_puts_people_never_met_last(store, folks):
    rows = people.people_page(store, sort="last_interaction", descending=True)
    assert rows[0].id == folks["lea"]
    rows = people.people_page(store, sort="last_interaction")
    assert rows[0].id == folks["lea"]  # NULLs last in both directions


def test_search_uses_the_people_index_accents_and_prefixes(store, folks):
    assert people.count_people(store, "lea") == 1
    assert [r.id for r in people.people_page(store, "lea")] == [folks["lea"]]
    assert [r.id for r in people.people_page(store, "forum assoc", sort="rank")] == [folks["bruno"]]
    assert people.count_people(store, "!!!") == 0
    assert people.people_page(store, "!!!") == []
    assert sorted(people.all_person_ids(store, "martin")) == [folks["lea"]]
    assert len(people.all_person_ids(store)) == 3


def test_affiliations_and_last_exchange_of_a_person(store, folks):
    views = people.affiliations_of(store, folks["lea"])
    assert [(v.actor_name, v.role) for v in views] == [
        ("École des Jardins", "Présidente"),
        ("Mairie de Brest", "Élue"),
    ]
    assert people.last_interaction_of(store, folks["lea"]) == "2025-01-10"
    assert people.last_interaction_of(store, folks["bruno"]) is None


def test_the_form_checks_name_the_field_in_french():
    with pytest.raises(FieldError) as error:
        check_person_fields({"first_name": "Léa", "email": "lea@"})
    assert error.value.field == "email"
    assert str(error.value).startswith(fr("E-mail : « lea@ » n'est pas une adresse e-mail valide"))
    with pytest.raises(FieldError) as error:
        check_person_fields({"first_name": "Léa", "phone": "12"})
    assert error.value.field == "phone"
    assert str(error.value).startswith(fr("Téléphone : "))
    with pytest.raises(FieldError) as error:
        check_person_fields({"first_name": " ", "last_name": ""})
    assert error.value.field == "last_name"
    with pytest.raises(FieldError) as error:
        check_person_fields({"last_name": "Zola", "collected_on": "2024-02-30"})
    assert str(error.value) == fr("Date de collecte : cette date n'existe pas.")
    fields = check_person_fields(
        {
            "first_name": " Léa ",
            "last_name": "Martin",
            "email": "Lea@Example.ORG",
            "phone": "06 12 34 56 78",
            "legal_basis": "consentement",
            "collected_on": "2024-02-29",
        }
    )
    assert fields["first_name"] == "Léa"
    assert fields["email"] == "Lea@example.org"
    assert fields["phone"] == "+33612345678"
    assert fields["visibility"] == "network"


def test_saving_a_person_is_one_undo_step_and_an_error_saves_nothing(store):
    person = save_person(store, {"first_name": "Léa", "last_name": "Martin"})
    assert store.journal.last().label == "Ajouter Léa Martin"
    save_person(store, {"first_name": "Léa", "last_name": "Morel", "notes": "x"}, person.id)
    assert store.get_person(person.id).last_name == "Morel"
    with pytest.raises(FieldError):
        save_person(store, {"first_name": "Léa", "email": "pas un e-mail"}, person.id)
    assert store.get_person(person.id).email is None
    assert store.journal.undo().label == "Modifier Léa Morel"
    assert store.get_person(person.id).last_name == "Martin"
    store.journal.undo()
    assert store.get_person(person.id) is None


def test_bulk_delete_is_one_undo_step(store, folks):
    ids = [folks["lea"], folks["bruno"]]
    assert bulk.delete_records(store, "people", ids) == 2
    assert people.count_people(store) == 1
    assert people.count_people(store, "martin") == 0
    assert store.journal.last().label == "Supprimer 2 personnes"
    assert store.members_of(folks["ecole"]) == []
    assert store.counts(["affiliations"]) == {"affiliations": 0}
    store.journal.undo()
    assert people.count_people(store) == 3
    assert people.count_people(store, "martin") == 1
    assert store.counts(["affiliations"]) == {"affiliations": 2}


def test_bulk_visibility_and_tag_on_actors(store, folks):
    ids = [folks["ecole"], folks["mairie"]]
    assert bulk.set_visibility(store, "actors", ids, "private") == 2
    assert store.get_actor(folks["ecole"]).visibility == "private"
    assert store.journal.last().label == fr("Visibilité « Privé » pour 2 acteurs")
    assert bulk.tag_actors(store, ids, " jardins ") == 2
    assert store.tags_of(folks["mairie"]) == ["jardins"]
    assert {a.id for a in store.actors("jardins")} == set(ids)  # the search index follows
    store.journal.undo()
    assert store.tags_of(folks["mairie"]) == []
    store.journal.undo()
    assert store.get_actor(folks["mairie"]).visibility == "network"
    assert sorted(bulk.all_actor_ids(store)) == sorted(ids)


def test_deleting_actors_takes_their_links_and_undo_brings_them_back(store, folks):
    ecole, mairie = folks["ecole"], folks["mairie"]
    store.add_relation(ecole, mairie, "partenariat")
    assert bulk.delete_records(store, "actors", [mairie]) == 1
    assert store.relations_of(ecole) == []
    assert [a.actor_name for a in people.affiliations_of(store, folks["lea"])] == [
        "École des Jardins"
    ]
    assert store.counts(["relations", "affiliations"]) == {"relations": 0, "affiliations": 1}
    store.journal.undo()
    assert len(store.relations_of(ecole)) == 1
    assert store.counts(["relations", "affiliations"]) == {"relations": 1, "affiliations": 2}


def test_bulk_delete_of_many_actors(store):
    ids = [store.add_actor(f"Acteur {n}", "association").id for n in range(1200)]
    assert bulk.delete_records(store, "actors", ids) == 1200
    assert store.count_actors() == 0
    store.journal.undo()
    assert store.count_actors() == 1200
