"""Suggested links ranked on a small valley ecosystem, with their one-line reasons."""

from __future__ import annotations

import pytest

from companion.geo import Gazetteer
from companion.i18n import set_language
from companion.insights.graph import build_graph
from companion.insights.suggestions import suggest_links
from companion.insights.vocabulary import COMPLEMENTARY_KINDS, complementary
from tests.french import fr

CHAMONIX, LES_HOUCHES, ANNECY = "74056", "74143", "74010"
VALLEY = "Communauté de communes de la Vallée de Chamonix-Mont-Blanc"


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def valley(store, gazetteer):
    def add(name, kind, insee, tags=(), description=""):
        commune = gazetteer.by_insee(insee)
        actor = store.add_actor(
            name, kind, insee_code=insee, commune=commune.name,
            departement=commune.departement, description=description,
        )  # fmt: skip
        for tag in tags:
            store.tag_actor(actor.id, tag)
        return actor.id

    ids = {
        "bravelune": add("Bravelune", "association", CHAMONIX, ["Emploi", "Insertion"]),
        "lumiplast": add("Lumiplast", "entreprise", CHAMONIX, ["Emploi", "Insertion"]),
        "verdure": add("Fondation Verdure", "fondation", LES_HOUCHES, ["Emploi"]),
        "mairie": add("Mairie fictive", "collectivite", CHAMONIX, ["Emploi"]),
        "cousine": add("Cousine solidaire", "association", CHAMONIX, ["Emploi", "Insertion"]),
        "lointaine": add("Lac Conseil", "entreprise", ANNECY, ["Emploi", "Insertion"]),
        "velo": add(
            "Roue libre", "association", LES_HOUCHES,
            description="Atelier de réparation de vélos et réemploi.",
        ),
        "cycles": add(
            "Cycles Montagne", "entreprise", CHAMONIX,
            description="Vente et réparation de vélos, réemploi des pièces.",
        ),
        "collectif": add("Habitants du Tour", "collectif", LES_HOUCHES),
    }  # fmt: skip
    store.add_relation(ids["mairie"], ids["bravelune"], "financement")
    store.add_relation(ids["lumiplast"], ids["cousine"], "partenariat")
    return ids


def suggestions(store, gazetteer, ids):
    graph = build_graph(store.conn, ids.values())
    return suggest_links(store.conn, gazetteer, graph)


def names(suggestion):
    return {suggestion.first_name, suggestion.second_name}


def test_suggestions_rank_shared_tags_in_one_commune_first(store, gazetteer, valley):
    found = suggestions(store, gazetteer, valley)
    assert names(found[0]) == {"Bravelune", "Lumiplast"}
    # The rarer tag first: it tells more.
    assert found[0].tags == ("insertion", "emploi") and found[0].place == "Chamonix-Mont-Blanc"
    assert found[0].reason == (
        fr(
            "Bravelune (association) et Lumiplast (entreprise) partagent les étiquettes "
            "« insertion » et « emploi » à Chamonix-Mont-Blanc, sans lien entre eux."
        )
    )
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    pairs = [names(s) for s in found]
    # A tag shared in one commune weighs more than the same tag across the valley.
    assert pairs.index({"Lumiplast", "Mairie fictive"}) < pairs.index(
        {"Bravelune", "Fondation Verdure"}
    )
    verdure = found[pairs.index({"Bravelune", "Fondation Verdure"})]
    assert verdure.reason == (
        fr(
            "Bravelune (association) et Fondation Verdure (fondation) partagent l'étiquette "
            f"« emploi » dans le même territoire ({VALLEY}), sans lien entre eux."
        )
    )


def test_suggestions_leave_out_related_same_kind_and_distant_pairs(store, gazetteer, valley):
    pairs = [names(s) for s in suggestions(store, gazetteer, valley)]
    assert {"Mairie fictive", "Bravelune"} not in pairs  # related already
    assert {"Lumiplast", "Cousine solidaire"} not in pairs  # related, the other way round
    assert {"Bravelune", "Cousine solidaire"} not in pairs  # two associations
    assert not any("Lac Conseil" in pair for pair in pairs)  # another EPCI
    assert not any("Habitants du Tour" in pair for pair in pairs)  # shares nothing
    for suggestion in suggestions(store, gazetteer, valley):
        assert complementary(suggestion.first_kind, suggestion.second_kind)


def test_words_of_descriptions_count_too(store, gazetteer, valley):
    found = suggestions(store, gazetteer, valley)
    bikes = next(s for s in found if names(s) == {"Roue libre", "Cycles Montagne"})
    assert set(bikes.words) == {"réparation", "vélos", "réemploi"}
    assert fr("les mots « ") in bikes.reason and "dans le même territoire" in bikes.reason


def test_reasons_are_translated(store, gazetteer, valley):
    set_language("en")
    found = suggestions(store, gazetteer, valley)
    assert found[0].reason.startswith("Bravelune (association) and Lumiplast (company) share")


def test_the_complementarity_table_is_symmetric():
    assert complementary("association", "entreprise") and complementary("entreprise", "association")
    assert not complementary("association", "association")
    assert all(len(pair) == 2 for pair in COMPLEMENTARY_KINDS)
