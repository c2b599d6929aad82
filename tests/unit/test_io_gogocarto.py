"""GoGoCarto exports (``/api/elements.json``) imported as actors, checked like spreadsheets."""

import json

import pytest

from companion.geo import Gazetteer
from companion.io.actor_import import apply_import
from companion.io.gogocarto import actor_id_for, is_gogocarto, plan_gogocarto
from companion.io.sources import GOGOCARTO, detect_kind
from companion.io.textfile import UnreadableFile
from tests.french import fr


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def element(identifier, name, **fields):
    return {"id": identifier, "name": name, "status": 1, "createdAt": "2024-03-01", **fields}


CAGETTE = element(
    "Bx3",
    "Épicerie « La Cagette »",
    geo={"latitude": 45.7676, "longitude": 4.8344},
    address={
        "streetAddress": "3 rue de l'Arbre Sec",
        "postalCode": "69001",
        "addressLocality": "Lyon",
        "addressCountry": "FR",
    },
    categories=["Alimentation", "Épicerie solidaire"],
    categoriesFull=[{"id": 1, "name": "Alimentation"}, {"id": 7, "name": "Épicerie solidaire"}],
    description="<p>Épicerie <b>participative</b> &amp; solidaire</p>",
    email="Contact@Cagette.example",
    website="https://cagette.example",
)
RESSOURCERIE = element(
    "Zk9",
    "Ressourcerie de l'Est",
    geo={"latitude": 48.8512, "longitude": 2.476},
    address={"postalCode": "94120", "addressLocality": "Fontenay-sous-Bois"},
    categories=["Réemploi", "Entreprise"],
)
SANS_GEO = element(
    "Q1",
    "Café des Pentes",
    address={"postalCode": "69001", "addressLocality": "Lyon", "addressCountry": "FR"},
    email="hidden",
)


def export(path, elements, bare=False):
    data = elements if bare else {"licence": "ODbL", "ontology": "gogofull", "data": elements}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_elements_become_actors_with_tags_kind_and_commune(store, gazetteer, tmp_path):
    path = export(tmp_path / "elements.json", [CAGETTE, RESSOURCERIE, SANS_GEO])
    assert detect_kind(path) == GOGOCARTO
    plan = plan_gogocarto(store, gazetteer, path)
    assert plan.problems == []
    assert (plan.creates, plan.updates) == (3, 0)
    apply_import(store, plan)

    cagette = store.get_actor(actor_id_for("Bx3"))
    assert cagette.name == "Épicerie « La Cagette »"
    assert cagette.kind == "association"  # the default: no category names a kind
    assert (cagette.commune, cagette.insee_code, cagette.postcode) == ("Lyon", "69123", "69001")
    assert (cagette.latitude, cagette.longitude) == (45.7676, 4.8344)
    assert cagette.description == "Épicerie participative & solidaire"
    assert cagette.email == "contact@cagette.example"
    assert store.tags_of(cagette.id) == ["Alimentation", "Épicerie solidaire"]

    ressourcerie = store.get_actor(actor_id_for("Zk9"))
    assert ressourcerie.kind == "entreprise"  # guessed from a category
    assert ressourcerie.commune == "Fontenay-sous-Bois"

    cafe = store.get_actor(actor_id_for("Q1"))  # no point: placed by postcode and town
    assert cafe.insee_code == "69123" and cafe.latitude is not None
    assert cafe.email is None  # GoGoCarto hid it


def test_a_bare_list_and_the_default_kind(store, gazetteer, tmp_path):
    path = export(tmp_path / "liste.json", [SANS_GEO], bare=True)
    assert detect_kind(path) == GOGOCARTO
    plan = plan_gogocarto(store, gazetteer, path, default_kind="collectif")
    assert [actor.values["kind"] for actor in plan.actors] == ["collectif"]


def test_problems_are_numbered_by_element_and_nothing_is_written(store, gazetteer, tmp_path):
    bad_email = element(
        "A2", "Atelier vélo", email="pas-un-courriel", address={"postalCode": "94120"}
    )
    nameless = element("A3", "", geo={"latitude": 45.76, "longitude": 4.83})
    path = export(tmp_path / "elements.json", [CAGETTE, bad_email, nameless, "pas un objet"])
    plan = plan_gogocarto(store, gazetteer, path)
    assert [str(problem) for problem in plan.problems] == [
        fr("Élément 2, Courriel : adresse « pas-un-courriel » invalide"),
        fr("Élément 3, Nom : valeur manquante"),
        fr("Élément 4 : élément illisible (objet JSON attendu)"),
    ]
    assert plan.problems[0].line == 2 and plan.problems[0].field == "Courriel"


def test_reimport_updates_by_gogocarto_id(store, gazetteer, tmp_path):
    path = export(tmp_path / "elements.json", [CAGETTE, RESSOURCERIE])
    apply_import(store, plan_gogocarto(store, gazetteer, path))
    renamed = {**CAGETTE, "name": "La Cagette, épicerie participative", "email": ""}
    again = plan_gogocarto(store, gazetteer, export(tmp_path / "v2.json", [renamed, RESSOURCERIE]))
    assert (again.creates, again.updates) == (0, 2)
    assert [actor.match for actor in again.actors] == ["id", "id"]
    assert again.actors[0].existing_name == "Épicerie « La Cagette »"
    apply_import(store, again)
    assert store.count_actors() == 2
    assert store.get_actor(actor_id_for("Bx3")).name == "La Cagette, épicerie participative"


def test_two_elements_with_the_same_name_and_town_are_two_actors(store, gazetteer, tmp_path):
    twin = {**SANS_GEO, "id": "Q2"}
    plan = plan_gogocarto(store, gazetteer, export(tmp_path / "e.json", [SANS_GEO, twin]))
    assert plan.problems == [] and plan.creates == 2


def test_a_wrong_postcode_gives_way_to_the_point_and_foreign_addresses_stay_foreign(
    store, gazetteer, tmp_path
):
    typo = element(
        "T1",
        "Tiers-lieu",
        geo={"latitude": 45.7529, "longitude": 4.8268},
        address={"postalCode": "69099", "addressLocality": "Lyon"},
    )
    brussels = element(
        "B1",
        "Maison bruxelloise",
        geo={"latitude": 50.85, "longitude": 4.35},
        address={"postalCode": "1000", "addressLocality": "Bruxelles", "addressCountry": "BE"},
    )
    plan = plan_gogocarto(store, gazetteer, export(tmp_path / "e.json", [typo, brussels]))
    assert plan.problems == []
    placed, foreign = plan.actors
    assert placed.values["insee_code"] == "69382"  # Lyon 2e, from the point
    assert "insee_code" not in foreign.values and foreign.values["latitude"] == 50.85


def test_not_a_gogocarto_export(store, gazetteer, tmp_path):
    path = tmp_path / "autre.json"
    path.write_text('{"data": 3}', encoding="utf-8")
    with pytest.raises(UnreadableFile, match="GoGoCarto"):
        plan_gogocarto(store, gazetteer, path)
    assert not is_gogocarto({"type": "FeatureCollection", "features": []})
    assert is_gogocarto([{"name": "x"}])
