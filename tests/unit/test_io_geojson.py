"""Actors as GeoJSON (uMap-compatible): export, import back, points placed offline."""

import json

import pytest

from companion.geo import Gazetteer
from companion.io.actor_import import apply_import
from companion.io.geojson_io import export_geojson, plan_geojson
from companion.io.textfile import UnreadableFile
from companion.store import Store


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
    assert [str(p) for p in plan.problems] == [
        "Élément 2 : géométrie « LineString » : un point est attendu"
    ]
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
