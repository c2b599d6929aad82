"""Actors as GeoJSON (uMap-compatible): export, import back, points placed offline."""

import json

import pytest

from companion.geo import Gazetteer
from companion.io.actor_import import apply_import
from companion.io.geojson_io import export_geojson, plan_geojson
from companion.io.textfile import UnreadableFile
from companion.store import Store
from tests.french import fr


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_umap_points_import_with_their_commune_found_offline(store, gazetteer, tmp_path):
    path = write(
        tmp_path / "umap.geojson",
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [4.8357, 45.764]},
                    "properties": {
                        "name": "Tiers-lieu des Pentes",
                        "description": "Café associatif",
                    },
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[4.8, 45.7], [4.9, 45.8]]},
                    "properties": {"name": "Un tracé"},
                },
            ],
        },
    )
    plan = plan_geojson(store, gazetteer, path)
    assert plan.problems == [] and plan.set_aside == []  # a line never refuses the file
    assert [(zone.line, zone.name) for zone in plan.zones] == [(2, "Un tracé")]
    [planned] = plan.actors
    assert planned.values["commune"].startswith("Lyon") and planned.values["departement"] == "69"
    assert (planned.values["latitude"], planned.values["longitude"]) == (45.764, 4.8357)


def test_export_then_import_round_trip_without_private_actors(store, gazetteer, tmp_path):
    shared = store.add_actor(
        "Ressourcerie <Le Grenier>", "association", latitude=48.8512, longitude=2.476,
        commune="Fontenay-sous-Bois", postcode="94120", insee_code="94033", departement="94",
    )  # fmt: skip
    store.tag_actor(shared.id, "Économie circulaire")
    store.add_actor("Carnet privé", "autre", visibility="private", latitude=45.0, longitude=5.0)
    store.add_actor("Sans position", "fondation")
    out = tmp_path / "acteurs.geojson"
    assert export_geojson(store, out) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    [feature] = data["features"]
    assert feature["properties"]["name"] == "Ressourcerie <Le Grenier>"
    assert feature["geometry"]["coordinates"] == [2.476, 48.8512]

    fresh = Store.open(tmp_path / "autre.db")
    try:
        plan = plan_geojson(fresh, gazetteer, out)
        assert plan.problems == []
        apply_import(fresh, plan)
        [copy] = fresh.actors()
        assert copy.id == shared.id and copy.kind == "association"
        assert (copy.commune, copy.postcode, copy.latitude) == (
            "Fontenay-sous-Bois",
            "94120",
            48.8512,
        )
        assert fresh.tags_of(copy.id) == ["Économie circulaire"]
    finally:
        fresh.close()
    assert export_geojson(store, out, include_private=True) == 2


def test_broken_files_are_named(store, gazetteer, tmp_path):
    broken = tmp_path / "casse.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [', encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"casse\.geojson.*ligne 2"):
        plan_geojson(store, gazetteer, broken)
    other = write(tmp_path / "liste.json", [1, 2, 3])
    with pytest.raises(UnreadableFile, match="FeatureCollection"):
        plan_geojson(store, gazetteer, other)


def point(name, longitude, latitude, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {"name": name, **properties},
    }


def line(coordinates, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coordinates},
        "properties": properties,
    }


def test_lines_between_actors_become_relations_and_the_others_zones(store, gazetteer, tmp_path):
    existing = store.add_actor(
        "Mairie de Lyon", "collectivite", latitude=45.76765, longitude=4.83566
    )
    path = write(
        tmp_path / "carte.geojson",
        {
            "type": "FeatureCollection",
            "features": [
                point("Tiers-lieu des Pentes", 4.8357, 45.764),
                point("Épicerie solidaire", 4.8400, 45.7600),
                # between the file's two points, its type named in French
                line([[4.8357, 45.764], [4.838, 45.762], [4.84, 45.76]], type="Financement"),
                # to an actor already in the directory, 10 m from its end; no type: the default
                line([[4.8400, 45.7600], [4.83578, 45.76771]], name="Lien"),
                # one end in the void
                line([[4.8357, 45.764], [5.5, 46.5]], name="Vers nulle part"),
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.8, 45.7]]],
                    },
                    "properties": {"name": "Quartier prioritaire"},
                },
            ],
        },
    )
    plan = plan_geojson(store, gazetteer, path, relation_type="partenariat")
    assert plan.problems == [] and len(plan.actors) == 2
    pentes, epicerie = (actor.actor_id for actor in plan.actors)
    assert [(r.line, r.source_id, r.target_id, r.type) for r in plan.relations] == [
        (3, pentes, epicerie, "financement"),
        (4, epicerie, existing.id, "partenariat"),
    ]
    assert plan.set_aside == []
    assert [(zone.line, zone.name) for zone in plan.zones] == [
        (5, "Vers nulle part"),
        (6, "Quartier prioritaire"),
    ]

    report = apply_import(store, plan)
    assert (report.created, report.relations, report.zones) == (2, 2, 2)

    def relations():
        rows = store.conn.execute(
            "SELECT source_id, target_id, type FROM relations WHERE deleted = 0"
        ).fetchall()
        return {(source, target): type_ for source, target, type_ in rows}

    types = relations()
    assert types[(pentes, epicerie)] == "financement"
    assert types[(epicerie, existing.id)] == "partenariat"
    # The same file again: the relations are there already, none is added twice.
    replan = plan_geojson(store, gazetteer, path, relation_type="partenariat")
    assert replan.zones == [] and [str(note) for note in replan.set_aside] == [
        fr("Élément 5 : zone « Vers nulle part » déjà présente"),
        fr("Élément 6 : zone « Quartier prioritaire » déjà présente"),
    ]
    again = apply_import(store, replan)
    assert again.relations == 0 and len(relations()) == 2
    assert again.zones == 0  # nor a zone
    assert store.conn.execute("SELECT count(*) FROM zones").fetchone()[0] == 2


def test_a_umap_file_imports_its_layers_each_name_a_tag(store, gazetteer, tmp_path):
    path = write(
        tmp_path / "reseau.umap",
        {
            "type": "umap",
            "properties": {"name": "Réseau du quartier"},
            "layers": [
                {
                    "type": "FeatureCollection",
                    "_umap_options": {"name": "Associations", "color": "Blue"},
                    "features": [point("Tiers-lieu des Pentes", 4.8357, 45.764, tags="Culture")],
                },
                {
                    "type": "FeatureCollection",
                    "_umap_options": {"name": "Entreprises"},
                    "features": [point("Garage solidaire", 4.84, 45.76)],
                },
            ],
        },
    )
    from companion.io.sources import GEOJSON, detect_kind

    assert detect_kind(path) == GEOJSON
    plan = plan_geojson(store, gazetteer, path)
    assert plan.problems == []
    assert [(a.values["name"], a.tags) for a in plan.actors] == [
        ("Tiers-lieu des Pentes", ["Culture", "Associations"]),
        ("Garage solidaire", ["Entreprises"]),
    ]


def test_a_broken_file_is_named_with_its_line_in_french(store, gazetteer, tmp_path):
    path = tmp_path / "casse.umap"
    path.write_text('{"type": "umap",\n  "layers": [oops]}', encoding="utf-8")
    with pytest.raises(UnreadableFile) as refused:
        plan_geojson(store, gazetteer, path)
    assert str(refused.value) == (
        fr(f"« {path} », ligne 2 : fichier illisible (ce n'est pas du JSON valide).")
    )
