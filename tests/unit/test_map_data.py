"""The map's data: GeoJSON payloads built by SQL, the filter model and its SQL."""

from __future__ import annotations

import json

import pytest

from companion.maps import basemap
from companion.maps.filters import MapFilter, page_state, tag_names, visible_actor_keys
from companion.maps.payload import (
    actor_tag_columns,
    actors_columns,
    actors_geojson,
    relations_columns,
    relations_geojson,
)
from companion.store import Store

PLACES = {
    "lyon": ("Lyon", "69", 45.764, 4.836),
    "dijon": ("Dijon", "21", 47.322, 5.041),
    "paris": ("Paris", "75", 48.857, 2.352),
    "brest": ("Brest", "29", 48.390, -4.486),
}


def located(store: Store, name: str, kind: str, place: str, **fields) -> str:
    commune, departement, latitude, longitude = PLACES[place]
    actor = store.add_actor(
        name,
        kind,
        commune=commune,
        departement=departement,
        latitude=latitude,
        longitude=longitude,
        **fields,
    )
    return actor.id


@pytest.fixture
def ids(store: Store) -> dict[str, str]:
    found = {
        "ecole": located(
            store, "École des Jardins", "association", "lyon", email="a@x.example", phone="063998"
        ),
        "fabrique": located(store, "Tiers-lieu La Fabrique", "collectif", "dijon"),
        "fondation": located(store, "Fondation Terres", "fondation", "paris", visibility="private"),
        "catalyst": located(store, "Pôle de catalyse Brest", "catalyseur", "brest"),
        "nowhere": store.add_actor("Sans adresse", "entreprise").id,
    }
    gone = located(store, "Disparu", "entreprise", "lyon")
    store.delete_actor(gone)
    store.tag_actor(found["ecole"], "alimentation")
    store.tag_actor(found["ecole"], "éducation")
    store.tag_actor(found["fabrique"], "numérique")
    store.add_relation(found["fondation"], found["ecole"], "financement")
    store.add_relation(found["ecole"], found["fabrique"], "partenariat")
    store.add_relation(found["catalyst"], found["nowhere"], "partenariat")  # no position
    store.add_relation(found["catalyst"], gone, "adhesion")  # deleted end
    return found


def seq_of(store: Store, actor_id: str) -> int:
    return store.conn.execute("SELECT seq FROM actors WHERE id = ?", (actor_id,)).fetchone()[0]


def test_actor_features_carry_what_the_map_shows_and_no_personal_data(store, ids) -> None:
    collection = json.loads(actors_geojson(store.conn))
    assert collection["type"] == "FeatureCollection"
    by_actor = {f["properties"]["actor_id"]: f for f in collection["features"]}
    # Located, live actors only: no "nowhere", no deleted one.
    assert set(by_actor) == {ids["ecole"], ids["fabrique"], ids["fondation"], ids["catalyst"]}
    ecole = by_actor[ids["ecole"]]
    assert ecole["id"] == seq_of(store, ids["ecole"])
    assert ecole["geometry"] == {"type": "Point", "coordinates": [4.836, 45.764]}
    assert set(ecole["properties"]) == {
        "actor_id",
        "name",
        "kind",
        "commune",
        "departement",
        "private",
        "approximate",
        "tags",
    }
    assert ecole["properties"]["name"] == "École des Jardins"
    assert ecole["properties"]["approximate"] is False  # no commune code: not at a centre
    assert sorted(ecole["properties"]["tags"]) == ["alimentation", "éducation"]
    assert ecole["properties"]["private"] is False
    assert by_actor[ids["fondation"]]["properties"]["private"] is True
    assert by_actor[ids["fabrique"]]["properties"]["tags"] == ["numérique"]
    text = actors_geojson(store.conn).decode()
    assert "x.example" not in text and "063998" not in text


def test_the_pages_columns_hold_what_the_geojson_holds(store, ids) -> None:
    """The live page loads columns (smaller, parsed sooner); an export embeds GeoJSON:
    the same actors and relations, field for field, and no personal data in either."""
    store.add_actor("Près du centre", "autre", latitude=45.0, longitude=5.0)
    columns = json.loads(actors_columns(store.conn))
    features = json.loads(actors_geojson(store.conn))["features"]
    tag_pairs = json.loads(actor_tag_columns(store.conn))
    assert len(columns["seq"]) == len(features) == 5
    for i, feature in enumerate(features):
        p = feature["properties"]
        assert columns["seq"][i] == feature["id"]
        place = [columns["lon"][i] / 1e5, columns["lat"][i] / 1e5]
        assert place == feature["geometry"]["coordinates"]
        assert columns["id"][i] == p["actor_id"] and columns["name"][i] == p["name"]
        assert columns["kind"][i] == p["kind"]
        assert columns["commune"][i] == p["commune"]
        assert columns["departement"][i] == p["departement"]
        assert columns["flags"][i] == p["private"] + 2 * p["approximate"]
        tags = [
            tag_pairs["tagNames"][str(tag)]
            for seq, tag in zip(tag_pairs["seq"], tag_pairs["tag"], strict=True)
            if seq == feature["id"]
        ]
        assert sorted(tags) == sorted(p["tags"])
    assert any(p["properties"]["tags"] for p in features)  # the test compares some
    assert b"x.example" not in actors_columns(store.conn)
    lines = json.loads(relations_columns(store.conn))
    geojson = json.loads(relations_geojson(store.conn))["features"]
    assert [
        (lines["source"][i], lines["target"][i], lines["type"][i]) for i in range(len(lines["seq"]))
    ] == [
        (f["properties"]["source"], f["properties"]["target"], f["properties"]["type"])
        for f in geojson
    ]


def test_hostile_names_survive_the_json_round_trip(store) -> None:
    names = ['<img src=x onerror="alert(1)">', "</script>\\'\"\u2028", "Émile & fils"]
    for name in names:
        store.add_actor(name, "autre", latitude=45.0, longitude=5.0)
    collection = json.loads(actors_geojson(store.conn))
    assert sorted(f["properties"]["name"] for f in collection["features"]) == sorted(names)


def test_relations_are_lines_between_located_live_actors(store, ids) -> None:
    collection = json.loads(relations_geojson(store.conn))
    lines = {
        (f["properties"]["source"], f["properties"]["target"]): f for f in collection["features"]
    }
    funding = (seq_of(store, ids["fondation"]), seq_of(store, ids["ecole"]))
    partnership = (seq_of(store, ids["ecole"]), seq_of(store, ids["fabrique"]))
    assert set(lines) == {funding, partnership}
    assert lines[funding]["properties"]["type"] == "financement"
    assert lines[funding]["geometry"] == {
        "type": "LineString",
        "coordinates": [[2.352, 48.857], [4.836, 45.764]],
    }
    assert "notes" not in lines[funding]["properties"]


def test_no_filter_shows_everything(store, ids) -> None:
    assert MapFilter().filters_actors() is False
    assert visible_actor_keys(store.conn, MapFilter()) is None
    state = page_state(store.conn, MapFilter())
    assert state == {
        "actors": None, "match": None, "relationTypes": None, "relations": "auto",
        "territory": False, "zones": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (MapFilter(kinds=frozenset({"association", "collectif"})), {"ecole", "fabrique"}),
        (MapFilter(kinds=frozenset()), set()),
        (MapFilter(tags=frozenset({"numérique", "alimentation"})), {"ecole", "fabrique"}),
        (MapFilter(tags=frozenset({"inconnue"})), set()),
        (MapFilter(region="84"), {"ecole"}),  # Auvergne-Rhône-Alpes
        (MapFilter(region="27", departement="21"), {"fabrique"}),
        (MapFilter(visibility="private"), {"fondation"}),
        (MapFilter(visibility="network"), {"ecole", "fabrique", "catalyst"}),
        (MapFilter(text="ecole jardin"), {"ecole"}),  # accents and case ignored
        (MapFilter(text="dijon"), {"fabrique"}),  # the place is indexed too
        (MapFilter(text="éducation"), {"ecole"}),  # and the tags
        (MapFilter(text="?!"), set()),
        (MapFilter(kinds=frozenset({"association", "fondation"}), region="84"), {"ecole"}),
    ],
)
def test_filters_keep_the_right_actors(store, ids, spec: MapFilter, expected: set[str]) -> None:
    keys = visible_actor_keys(store.conn, spec)
    assert keys == sorted(seq_of(store, ids[name]) for name in expected)


def test_relation_settings_pass_through_to_the_page(store, ids) -> None:
    spec = MapFilter(relation_types=frozenset({"partenariat"}), relations="none")
    state = page_state(store.conn, spec)
    assert state["relationTypes"] == ["partenariat"] and state["relations"] == "none"
    assert page_state(store.conn, MapFilter(departement="69"))["territory"] is True


def test_tag_names_for_the_panel(store, ids) -> None:
    assert tag_names(store.conn) == ["alimentation", "éducation", "numérique"]


def test_territories_come_from_the_outlines() -> None:
    regions = {r.code: r.name for r in basemap.regions()}
    assert regions["84"] == "Auvergne-Rhône-Alpes" and len(regions) == 18
    assert "69" in basemap.departements_of("84") and "21" not in basemap.departements_of("84")
    labels = basemap.label_points()["features"]
    assert {f["properties"]["level"] for f in labels} == {"region", "departement"}
    assert len(labels) == 18 + 101
