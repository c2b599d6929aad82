"""The core behind the directory's forms: dates, actor checks, people lookup, card queries."""

from __future__ import annotations

import pytest

from companion.directory.actor_checks import (
    check_actor_fields,
    check_legal_ids,
    format_siren,
    format_siret,
)
from companion.directory.dates import check_period, format_date, parse_date
from companion.directory.editing import (
    actor_links,
    affiliation_exists,
    by_year,
    excerpt,
    members_of,
    relation_exists,
    tag_names,
    timeline_of,
)
from companion.directory.people_lookup import find_people, person_label, person_with_email
from companion.directory.validate import InvalidValue


def test_dates_are_typed_the_french_way_and_stored_iso():
    assert parse_date("14/03/2025") == "2025-03-14"
    assert parse_date(" 1/2/2024 ") == "2024-02-01"
    assert parse_date("01.02.2024") == "2024-02-01"
    assert parse_date("2024-02-01") == "2024-02-01"
    assert parse_date("") is None and parse_date(None) is None
    with pytest.raises(InvalidValue, match="jj/mm/aaaa"):
        parse_date("mars 2024")
    with pytest.raises(InvalidValue, match="n'existe pas"):
        parse_date("31/02/2024")
    assert format_date("2025-03-14") == "14/03/2025"
    assert format_date("2025-03-14T10:00:00Z") == "14/03/2025"
    assert format_date(None) == "" and format_date("bientôt") == "bientôt"
    check_period("2024-01-01", None)
    with pytest.raises(InvalidValue, match="précède"):
        check_period("2024-05-01", "2024-01-01")


def test_actor_fields_are_normalised_and_every_problem_is_named():
    clean, problems = check_actor_fields(
        {
            "name": "École",
            "website": "exemple.fr",
            "email": "Contact@Exemple.FR",
            "phone": "06 12 34 56 78",
            "siren": "",
            "siret": "732 829 320 00074",
            "rna": "w751234567",
        }
    )
    assert problems == []
    assert clean["website"] == "https://exemple.fr"
    assert clean["email"] == "Contact@exemple.fr"
    assert clean["phone"] == "+33612345678"
    assert (clean["siren"], clean["siret"]) == ("732829320", "73282932000074")
    assert clean["rna"] == "W751234567" and clean["name"] == "École"

    _clean, problems = check_actor_fields(
        {"email": "pas-une-adresse", "phone": "12", "rna": "123", "siren": "123"}
    )
    assert [p.field for p in problems] == ["email", "phone", "siren", "rna"]
    assert "adresse e-mail" in problems[0].message


def test_a_siret_must_belong_to_the_siren_given():
    assert check_legal_ids(None, "73282932000074") == ("732829320", "73282932000074")
    assert check_legal_ids("732829320", None) == ("732829320", None)
    with pytest.raises(InvalidValue, match="n'appartient pas"):
        check_legal_ids("356000000", "73282932000074")
    _clean, problems = check_actor_fields({"siren": "356000000", "siret": "73282932000074"})
    assert [p.field for p in problems] == ["siret"]


def test_legal_identifiers_are_spaced_for_reading():
    assert format_siren("732829320") == "732 829 320"
    assert format_siret("73282932000074") == "732 829 320 00074"
    assert format_siret(None) == "" and format_siren("abc") == "abc"


def test_people_are_found_by_name_or_email_prefix(store):
    alice = store.add_person("Alice", "Martin", email="alice@jardins.example")
    store.add_person("Bruno", "Durand")
    gone = store.add_person("Alice", "Oubliée")
    store.delete_record("people", gone.id)
    assert [p.id for p in find_people(store.conn, "ali mar")] == [alice.id]
    assert [p.id for p in find_people(store.conn, "jardins")] == [alice.id]
    assert [p.full_name for p in find_people(store.conn, "alice")] == ["Alice Martin"]
    assert find_people(store.conn, '" OR *') == []
    assert person_with_email(store.conn, "ALICE@jardins.example").id == alice.id
    assert person_label(alice) == "Alice Martin (alice@jardins.example)"


def test_card_queries(store):
    ecole = store.add_actor("École", "association")
    tiers = store.add_actor("Tiers-lieu", "collectif")
    alice = store.add_person("Alice", "Martin")
    link = store.add_affiliation(alice.id, ecole.id, role="Présidente")
    relation = store.add_relation(ecole.id, tiers.id, "partenariat")
    store.tag_actor(ecole.id, "éducation")
    store.tag_actor(tiers.id, "Alimentation")
    [member] = members_of(store.conn, ecole.id)
    assert (member.affiliation.id, member.affiliation.role, member.person.id) == (
        link.id,
        "Présidente",
        alice.id,
    )
    assert tag_names(store.conn) == ["Alimentation", "éducation"]
    assert sorted(actor_links(store.conn, ecole.id)) == sorted(
        [("relations", relation.id), ("affiliations", link.id)]
    )
    assert relation_exists(store.conn, tiers.id, ecole.id, "partenariat")
    assert not relation_exists(store.conn, ecole.id, tiers.id, "partenariat", relation.id)
    assert not relation_exists(store.conn, ecole.id, tiers.id, "financement")
    assert affiliation_exists(store.conn, alice.id, ecole.id)
    assert not affiliation_exists(store.conn, alice.id, tiers.id)


def test_timeline_newest_first_by_year_with_names(store):
    ecole = store.add_actor("École", "association")
    alice = store.add_person("Alice", "Martin")
    store.add_interaction("appel", "2024-11-02", actor_id=ecole.id, title="Premier appel")
    store.add_interaction("reunion", "2025-03-14", actor_id=ecole.id, person_id=alice.id)
    store.add_interaction("visite", "2025-01-20", person_id=alice.id, title="Visite seule")
    gone = store.add_interaction("atelier", "2025-06-01", actor_id=ecole.id)
    store.delete_record("interactions", gone.id)

    entries = timeline_of(store.conn, actor_id=ecole.id)
    assert [e.interaction.date for e in entries] == ["2025-03-14", "2024-11-02"]
    assert entries[0].person_name == "Alice Martin" and entries[0].actor_name == "École"
    assert [(year, len(group)) for year, group in by_year(entries)] == [("2025", 1), ("2024", 1)]
    for_alice = timeline_of(store.conn, person_id=alice.id)
    assert [e.interaction.date for e in for_alice] == ["2025-03-14", "2025-01-20"]
    assert timeline_of(store.conn) == []


def test_excerpt_cuts_at_a_word():
    assert excerpt("Court.") == "Court."
    assert excerpt("un  deux\ntrois") == "un deux trois"
    long = "mot " * 100
    cut = excerpt(long, 20)
    assert cut.endswith("…") and len(cut) <= 21 and "mo…" not in cut
