"""Zones: a map file's areas and lines that are not relations, kept with the data (io/zones.py,
store/zones.py), checked feature by feature, exported back to uMap and GeoJSON."""

import json
import math

import pytest
from zone_maps import (
    GARAGE,
    PERIMETRE,
    QUARTIER,
    TIERS_LIEU,
    feature,
    point,
    quartier_umap,
    write_map,
)

from companion.geo import Gazetteer
from companion.io import zones as zone_checks
from companion.io.actor_import import apply_import
from companion.io.geojson_io import export_geojson, plan_geojson
from companion.io.peer_exports import export_umap
from companion.store import Store
from companion.store.zones import delete_zone, list_zones, rename_zone, zones_geojson
from tests.french import fr


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def test_a_umap_file_brings_its_zones_in_their_layer_and_style(store, gazetteer, tmp_path):
    path = write_map(tmp_path / "pentes.umap", quartier_umap())
    plan = plan_geojson(store, gazetteer, path, relation_type="partenariat")
    assert plan.problems == [] and plan.set_aside == []
    assert len(plan.actors) == 2 and len(plan.relations) == 1
    assert [(zone.line, zone.name, zone.category) for zone in plan.zones] == [
        (4, "QPV Pentes de la Croix-Rousse", "Politique de la ville"),
        (5, "Périmètre du contrat de ville", "Politique de la ville"),  # « nom »
    ]
    report = apply_import(store, plan)
    assert (report.created, report.relations, report.zones) == (2, 1, 2)
    quartier, perimetre = list_zones(store.conn)
    assert quartier.geometry == {"type": "Polygon", "coordinates": [QUARTIER]}
    assert quartier.description == "Quartier prioritaire de la politique de la ville"
    # The feature's own options over its layer's.
    assert quartier.style == {"color": "#d35400", "dashArray": "6,4", "fillOpacity": 0.3,
                              "weight": 3}  # fmt: skip
    assert perimetre.geometry == {"type": "LineString", "coordinates": PERIMETRE}
    assert perimetre.style == {"color": "#8e44ad", "weight": 3}
    # The map's payload: the live zones, their style as objects.
    collection = json.loads(zones_geojson(store.conn))
    assert [f["properties"]["name"] for f in collection["features"]] == [
        "QPV Pentes de la Croix-Rousse",
        "Périmètre du contrat de ville",
    ]
    assert collection["features"][0]["properties"]["style"]["color"] == "#d35400"


def test_skipping_zones_notes_each_one_and_keeps_none(store, gazetteer, tmp_path):
    path = write_map(tmp_path / "pentes.umap", quartier_umap())
    plan = plan_geojson(store, gazetteer, path, zones=False)
    assert plan.zones == [] and plan.skipped_zones == 2 and len(plan.relations) == 1
    assert [str(note) for note in plan.set_aside] == [
        fr("Élément 4 : zone « QPV Pentes de la Croix-Rousse » ignorée"),
        fr("Élément 5 : zone ignorée"),
    ]
    report = apply_import(store, plan)
    assert report.zones == 0 and list_zones(store.conn) == []


def test_a_zone_without_a_name_is_numbered_and_a_multipolygon_is_a_zone(store, gazetteer, tmp_path):
    square = [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1], [2.0, 48.0]]]
    data = {
        "type": "FeatureCollection",
        "features": [
            point("Mairie", (2.35, 48.85)),
            feature("MultiPolygon", [square, square], categorie="Projets"),
            feature("MultiLineString", [[[2.0, 48.0], [2.2, 48.2]]], title="Tracé"),
            {"type": "Feature", "geometry": {"type": "GeometryCollection", "geometries": []}},
        ],
    }
    plan = plan_geojson(store, gazetteer, write_map(tmp_path / "carte.geojson", data))
    assert [(z.name, z.category) for z in plan.zones] == [("Zone 2", "Projets"), ("Tracé", "")]
    assert [str(note) for note in plan.set_aside] == [
        fr("Élément 4 : géométrie « GeometryCollection » mise de côté")
    ]


BAD_GEOMETRIES = [
    ({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 95.8], [4.8, 45.7]]]},
     "point hors du globe (longitude 4.9, latitude 95.8)"),
    ({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.7, 45.7]]]},
     "un contour n'est pas fermé (son premier et son dernier point diffèrent)"),
    ({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.8, 45.7]]]},
     "un contour a 3 point(s), il en faut au moins 4 (le premier répété à la fin)"),
    ({"type": "LineString", "coordinates": [[4.8, 45.7]]},
     "une ligne n'a qu'un point, il en faut au moins deux"),
    ({"type": "LineString", "coordinates": [["4.8", "45.7"], [4.9, 45.8]]},
     "un point n'est pas une paire de nombres (longitude, latitude)"),
    ({"type": "LineString", "coordinates": [[4.8, 45.7], [4.9, math.nan]]},
     "un point a une coordonnée non finie"),
    ({"type": "LineString", "coordinates": [[4.8, 45.7], [4.9, math.inf]]},
     "un point a une coordonnée non finie"),
    ({"type": "MultiPolygon", "coordinates": "partout"}, "coordonnées absentes ou illisibles"),
    ({"type": "LineString", "coordinates": [[[[[4.8, 45.7]]]], [4.9, 45.8]]},
     "un point n'est pas une paire de nombres (longitude, latitude)"),
    ({"type": "Polygon"}, "coordonnées absentes ou illisibles"),
    ({"type": "LineString", "coordinates": [[4.8, 10**400], [4.9, 45.8]]},
     "un point a une coordonnée non finie"),
]  # fmt: skip


def test_a_bad_geometry_is_a_problem_of_its_feature_never_of_the_file(store, gazetteer, tmp_path):
    features = [point("Mairie", (2.35, 48.85))]
    features += [
        {"type": "Feature", "geometry": bad, "properties": {}} for bad, _ in BAD_GEOMETRIES
    ]
    path = tmp_path / "abimee.geojson"
    # NaN and Infinity are what Python's JSON writes them as (and reads back).
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    plan = plan_geojson(store, gazetteer, path)
    assert [str(problem) for problem in plan.problems] == [
        fr(f"Élément {number}, géométrie : {message}")
        for number, (_bad, message) in enumerate(BAD_GEOMETRIES, start=2)
    ]
    assert plan.skippable and len(plan.actors) == 1 and plan.zones == []
    # Around them, the point still comes in.
    report = apply_import(store, plan, around=True)
    assert report.created == 1 and list_zones(store.conn) == []


def test_sizes_are_bounded(monkeypatch):
    monkeypatch.setattr(zone_checks, "MAX_POSITIONS", 3)
    with pytest.raises(zone_checks.BadGeometry, match="trop de points"):
        zone_checks.check_geometry(
            {"type": "LineString", "coordinates": [[0, 0], [1, 1], [2, 2], [3, 3]]}
        )
    # A detailed outline has more points than a multi-part zone may have parts.
    monkeypatch.setattr(zone_checks, "MAX_POSITIONS", 100)
    monkeypatch.setattr(zone_checks, "MAX_PARTS", 10)
    ring = [[0, 0], *[[1, n / 100] for n in range(60)], [0, 0]]
    polygon = zone_checks.check_geometry({"type": "Polygon", "coordinates": [ring]})
    assert len(polygon["coordinates"][0]) == 62
    monkeypatch.setattr(zone_checks, "MAX_PARTS", 2)
    with pytest.raises(zone_checks.BadGeometry, match="trop de parties"):
        zone_checks.check_geometry(
            {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]]] * 3}
        )


def test_only_styles_the_map_can_draw_are_kept():
    style = zone_checks.zone_style(
        {"color": "red;background:url(//x)", "weight": 300, "fillOpacity": "0.4"},
        {"fillColor": "#12ab34", "opacity": True, "dashArray": "5, 10", "weight": "2"},
    )
    assert style == {"fillOpacity": 0.4, "fillColor": "#12ab34", "dashArray": "5, 10", "weight": 2}
    assert zone_checks.zone_style({"dashArray": "</script>"}, None) == {}


def test_rename_and_delete_are_undone_like_other_records(store, gazetteer, tmp_path):
    apply_import(
        store, plan_geojson(store, gazetteer, write_map(tmp_path / "p.umap", quartier_umap()))
    )
    quartier = list_zones(store.conn)[0]
    rename_zone(store, quartier.id, "  QPV   des Pentes ")
    assert list_zones(store.conn)[0].name == "QPV des Pentes"
    delete_zone(store, quartier.id)
    assert [zone.name for zone in list_zones(store.conn)] == ["Périmètre du contrat de ville"]
    assert store.journal.undo().label == fr("Supprimer la zone « QPV des Pentes »")
    assert list_zones(store.conn)[0].name == "QPV des Pentes"
    assert store.journal.undo().label == fr("Renommer la zone « QPV des Pentes »")
    assert list_zones(store.conn)[0].name == "QPV Pentes de la Croix-Rousse"
    with pytest.raises(ValueError, match="ne peut pas être vide"):
        rename_zone(store, quartier.id, "   ")


@pytest.mark.parametrize("kind", ["umap", "geojson"])
def test_zones_export_and_import_back_the_same(store, gazetteer, tmp_path, kind):
    apply_import(
        store, plan_geojson(store, gazetteer, write_map(tmp_path / "p.umap", quartier_umap()))
    )
    out = tmp_path / f"export.{kind}"
    if kind == "umap":
        export_umap(store, out)
        layers = json.loads(out.read_text(encoding="utf-8"))["layers"]
        [zone_layer] = [
            layer for layer in layers if layer["_umap_options"]["name"] == "Politique de la ville"
        ]
        assert [f["properties"]["name"] for f in zone_layer["features"]] == [
            "QPV Pentes de la Croix-Rousse",
            "Périmètre du contrat de ville",
        ]
    else:
        export_geojson(store, out)
    (tmp_path / "autre").mkdir()
    other = Store.open(tmp_path / "autre" / "companion.db")
    try:
        report = apply_import(other, plan_geojson(other, gazetteer, out))
        assert report.zones == 2
        assert list_zones(other.conn) == [
            zone.__class__(**{**zone.__dict__, "id": mine.id})
            for zone, mine in zip(list_zones(store.conn), list_zones(other.conn), strict=True)
        ]
    finally:
        other.close()


def test_the_umap_points_around_the_zones_stay_actors(store, gazetteer, tmp_path):
    plan = plan_geojson(store, gazetteer, write_map(tmp_path / "p.umap", quartier_umap()))
    places = {a.values["name"]: (a.values["longitude"], a.values["latitude"]) for a in plan.actors}
    assert places == {"Tiers-lieu des Pentes": TIERS_LIEU, "Garage solidaire": GARAGE}
