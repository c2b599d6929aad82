"""The map page and what the companion: origin serves: local files only, no data baked in."""

from __future__ import annotations

import json
import re

import folium
import folium.plugins

from companion.domain import ACTOR_KINDS, RELATION_TYPES
from companion.i18n import set_language
from companion.maps import assets
from companion.maps.escape import script_json
from companion.maps.page import _build_page, build_page
from companion.maps.server import MapServer
from companion.maps.style import KIND_COLOURS, RELATION_STYLES


def test_the_page_loads_only_companion_urls() -> None:
    html = build_page()
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links, "the page loads its libraries"
    assert all(link.startswith("companion://map/") for link in links), links
    assert "http://" not in html and "https://" not in html
    for unwanted in ("bootstrap", "font-awesome", "awesome-markers", "jquery"):
        assert unwanted not in html.lower()
    # Font Awesome only as the kind glyphs' font, served by the app from qtawesome's package.
    fonts = re.findall(r"[\w:/.-]*fontawesome[\w.-]*", html.lower())
    assert fonts and all(f.startswith("companion://map/vendor/fonts/") for f in fonts), fonts
    assert "leaflet/leaflet.js" in html and "static/clusters.js" in html
    assert "leaflet.markercluster.js" not in html  # our own clusters (clusters.js)
    assert '"maxZoom": 14' in html and "companionMap.start(" in html


def test_folium_class_defaults_are_left_alone() -> None:
    build_page()
    # The page gets its own lists: other users of folium (the benchmark's
    # baseline) still see folium's defaults.
    assert any("cdn" in url for _name, url in folium.Map.default_js)
    assert any("cdn" in url for _name, url in folium.plugins.MarkerCluster.default_js)


def test_the_page_holds_configuration_not_data(store) -> None:
    store.add_actor("Acteur secret", "association", latitude=45.0, longitude=5.0)
    html = build_page()
    assert "Acteur secret" not in html
    call = html.split("companionMap.start(", 1)[1]
    config = json.loads(call.split("}), ", 1)[1].rsplit(");", 1)[0])
    assert config["urls"]["actors"] == "companion://map/data/actors.json"
    assert config["kindLabels"]["collectivite"] == "Collectivité"


def test_the_page_follows_the_language() -> None:
    set_language("en")
    assert "Open in directory" in build_page()
    set_language("fr")
    assert "Voir dans l'annuaire" in build_page()
    assert _build_page.cache_info().currsize >= 2


def test_script_json_cannot_end_a_script() -> None:
    text = script_json({"name": "</script><script>alert(1)</script>", "line": "\u2028&"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_every_page_asset_is_served_from_the_installed_packages(tmp_path) -> None:
    server = MapServer(tmp_path / "none.db")
    for _name, url in assets.PAGE_JS + assets.PAGE_CSS:
        path = url.removeprefix(assets.ORIGIN + "/")
        if path == assets.QWEBCHANNEL_PATH:
            continue  # served by the Qt layer from Qt's resources
        response = server.respond(path)
        assert response is not None and len(response.body) > 100, path
    leaflet = server.respond("vendor/leaflet/leaflet.js")
    assert leaflet is not None and leaflet.mime == "text/javascript"
    assert b"Leaflet" in leaflet.body[:500]
    assert assets.resolve("vendor/leaflet/leaflet.js").path.is_relative_to(
        assets.mounts()["vendor/leaflet"].resolve()  # a venv reached through a symlink
    )


def test_nothing_outside_the_mounts_is_served(tmp_path) -> None:
    server = MapServer(tmp_path / "none.db")
    for path in (
        "../pyproject.toml",
        "vendor/leaflet/../../__init__.py",
        "static/../../companion/paths.py",
        "/etc/passwd",
        "vendor/leaflet/",
        "data/unknown.geojson",
        "boundaries/..%2F..%2Fgazetteer.sqlite",
    ):
        assert server.respond(path) is None, path


def test_data_answers_read_the_store(store) -> None:
    store.add_actor("Ici", "association", latitude=45.0, longitude=5.0)
    server = MapServer(store.path)
    assert MapServer.is_slow("data/actors.json") and MapServer.is_slow("index.html")
    assert not MapServer.is_slow("vendor/leaflet/leaflet.js")
    actors = server.respond("data/actors.json")
    assert actors is not None and actors.mime == "application/json"
    assert json.loads(actors.body)["name"] == ["Ici"]  # columns: see payload.actors_columns
    labels = server.respond("data/labels.geojson")
    assert labels is not None and len(json.loads(labels.body)["features"]) == 119
    page = server.respond("index.html?x=1")
    assert page is not None and page.mime == "text/html"


def test_every_kind_and_relation_type_has_a_style() -> None:
    assert set(KIND_COLOURS) == set(ACTOR_KINDS)
    assert set(RELATION_STYLES) == set(RELATION_TYPES)


def test_the_pages_stylesheets_are_well_formed() -> None:
    """A brace lost in a merge silently drops every rule after it (the story's caption
    lost its box that way): every block closes, and only @-rules hold others."""
    from companion.paths import resource_path

    for name in ("map.css", "export.css"):
        text = re.sub(r"/\*.*?\*/", "", resource_path("map", name).read_text("utf-8"), flags=re.S)
        depth, inside_at_rule = 0, []
        for match in re.finditer(r"([^{};]*)([{}])", text):
            if match.group(2) == "{":
                at_rule = match.group(1).strip().startswith("@")
                assert depth == 0 or (inside_at_rule and inside_at_rule[-1]), (name, match.group(1))
                inside_at_rule.append(at_rule)
                depth += 1
            else:
                assert depth > 0, name
                inside_at_rule.pop()
                depth -= 1
        assert depth == 0, name
