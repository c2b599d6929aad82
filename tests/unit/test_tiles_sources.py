"""Tile sources: the OpenStreetMap default and tile_sources.json, checked field by field."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from companion.maps.tiles import (
    DEFAULT_SOURCES,
    OSM_STANDARD,
    TileError,
    TileSource,
    available_sources,
    read_sources_file,
)
from tests.french import fr

GOOD = {
    "id": "plan-reseau",
    "name": "Plan du réseau",
    "url": "https://{s}.tuiles.example/{z}/{x}/{y}.jpg",
    "subdomains": ["a", "b"],
    "attribution": "© le réseau",
    "max_zoom": 17,
    "bulk_download_allowed": True,
}


def write(folder, document) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    (folder / "tile_sources.json").write_text(text, encoding="utf-8")


def test_openstreetmap_is_the_only_default_and_forbids_bulk_download():
    assert DEFAULT_SOURCES == (OSM_STANDARD,)
    assert OSM_STANDARD.url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert OSM_STANDARD.attribution == "© les contributeurs d'OpenStreetMap"
    assert not OSM_STANDARD.bulk_download_allowed and OSM_STANDARD.user_agent_required
    assert OSM_STANDARD.max_zoom == 19 and not OSM_STANDARD.read_only
    assert OSM_STANDARD.tile_url(12, 2074, 1409) == (
        "https://tile.openstreetmap.org/12/2074/1409.png"
    )


def test_sources_are_added_from_the_data_folder(tmp_path):
    assert available_sources(tmp_path) == [OSM_STANDARD]  # no file: the defaults
    write(tmp_path, {"sources": [GOOD]})
    osm, added = available_sources(tmp_path)
    assert osm == OSM_STANDARD
    assert added == TileSource(
        id="plan-reseau",
        name="Plan du réseau",
        url=GOOD["url"],
        attribution="© le réseau",
        max_zoom=17,
        bulk_download_allowed=True,
        subdomains=("a", "b"),
        format="jpg",
    )
    assert {added.tile_url(3, 1, 2), added.tile_url(3, 2, 2)} == {
        "https://b.tuiles.example/3/1/2.jpg",
        "https://a.tuiles.example/3/2/2.jpg",
    }


@pytest.mark.parametrize(
    ("entry", "field", "problem"),
    [
        ({k: v for k, v in GOOD.items() if k != "url"}, "sources[0].url", "manquant"),
        ({**GOOD, "url": "ftp://x/{z}/{x}/{y}"}, "sources[0].url", "http:// ou https://"),
        ({**GOOD, "url": "https://x/{z}/{x}.png"}, "sources[0].url", "doit contenir {z}"),
        ({**GOOD, "subdomains": []}, "sources[0].subdomains", "{s}"),
        ({**GOOD, "id": "Plan Réseau"}, "sources[0].id", "minuscules"),
        ({**GOOD, "id": "osm"}, "sources[0].id", "déjà utilisé"),
        ({**GOOD, "max_zoom": "17"}, "sources[0].max_zoom", "nombre entier"),
        ({**GOOD, "max_zoom": 30}, "sources[0].max_zoom", "entre 0 et 22"),
        ({**GOOD, "min_zoom": 18}, "sources[0].min_zoom", "max_zoom"),
        ({**GOOD, "bulk_download_allowed": "oui"}, "sources[0].bulk_download_allowed", "true"),
        ({**GOOD, "bulk_download_alowed": True}, "sources[0].bulk_download_alowed", "inconnu"),
        ({**GOOD, "attribution": " "}, "sources[0].attribution", "non vide"),
    ],
)
def test_a_wrong_field_is_named_in_french(tmp_path, entry, field, problem):
    write(tmp_path, {"sources": [entry]})
    with pytest.raises(TileError) as refused:
        available_sources(tmp_path)
    message = str(refused.value)
    assert str(tmp_path / "tile_sources.json") in message
    assert fr(f"champ « {field} »") in message and problem in message


def test_a_file_that_is_not_a_source_list_is_refused(tmp_path):
    path = tmp_path / "tile_sources.json"
    write(tmp_path, '{"sources": [')
    with pytest.raises(TileError, match="ce n'est pas du JSON valide \\(ligne 1"):
        read_sources_file(path)
    write(tmp_path, [GOOD])
    with pytest.raises(TileError, match=fr("une liste « sources »")):
        read_sources_file(path)
    write(tmp_path, {"sources": [GOOD, GOOD]})
    with pytest.raises(TileError, match=fr(r"sources\[1\]\.id » : identifiant déjà utilisé")):
        read_sources_file(path)


def test_the_tile_layer_is_qt_free():
    code = (
        "import sys, companion.maps.tiles\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
