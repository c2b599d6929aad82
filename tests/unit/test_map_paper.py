"""Printed maps, without Qt: sheets of paper, the filter said in words, overseas insets."""

from __future__ import annotations

import json
import re

import pytest

from companion.maps.export_html import (
    FRANCE_BOUNDS,
    ExportOptions,
    build_export_html,
    overseas_insets,
)
from companion.maps.filter_summary import describe_filter
from companion.maps.filters import MapFilter
from companion.maps.paper import (
    CSS_PX_PER_MM,
    PaperError,
    check_paper,
    paper_sheet,
    picture_sheet,
)
from tests.french import fr


def test_paper_sheets_have_the_iso_sizes_and_a_type_scale() -> None:
    a4 = paper_sheet("a4")
    assert a4.size_mm == pytest.approx((297, 210))
    assert (round(a4.width), round(a4.height)) == (1123, 794)  # CSS pixels, 96 an inch
    assert paper_sheet("a4", "portrait").size_mm == pytest.approx((210, 297))
    assert paper_sheet("a3").size_mm == pytest.approx((420, 297))
    a0 = paper_sheet("a0", "portrait")
    assert a0.size_mm == pytest.approx((841, 1189))
    # Read from 1-2 m: everything three times the A4 size, margins wider.
    assert a0.scale == 3 * a4.scale and a0.margin > 2 * a4.margin
    assert a4.margin == pytest.approx(10 * CSS_PX_PER_MM)
    assert not a4.picture and a4.to_json()["widthMm"] == pytest.approx(297)


def test_a_picture_is_scaled_by_its_size() -> None:
    assert picture_sheet(1123, 794).scale == pytest.approx(1.0, abs=0.01)
    assert picture_sheet(1600, 1000).scale == pytest.approx(1.26, abs=0.01)
    assert picture_sheet(800, 1200).orientation == "portrait"
    assert picture_sheet(200, 200).scale == 0.7  # never below legible
    assert picture_sheet(4000, 4000).scale == 3.0
    assert picture_sheet(1600, 1000).picture


def test_unknown_paper_or_orientation_are_french_errors() -> None:
    with pytest.raises(PaperError, match=fr("Format de papier inconnu : « a5 »")):
        check_paper("a5")
    with pytest.raises(PaperError, match=fr("Orientation inconnue : « diagonal »")):
        paper_sheet("a4", "diagonal")


def test_the_filter_in_words() -> None:
    assert describe_filter(MapFilter()) == ""
    spec = MapFilter(
        departement="74",
        kinds=frozenset({"association", "catalyseur"}),
        tags=frozenset({"Vélo", "Alimentation"}),
        visibility="network",
        text="  jardins   partagés ",
        relation_types=frozenset({"financement"}),
    )
    assert describe_filter(spec) == (
        fr(
            "Département : Haute-Savoie (74) · Types : Catalyseur, Association · "
            "Étiquettes : Alimentation, Vélo · Fiches du réseau seulement · "
            "Recherche : « jardins partagés » · Relations : Financement"
        )
    )
    assert describe_filter(MapFilter(region="84")) == fr("Région : Auvergne-Rhône-Alpes")
    # Relation types say nothing when no relation is drawn.
    assert describe_filter(MapFilter(relation_types=frozenset(), relations="none")) == ""


def _actor(departement: str, lon: float, lat: float) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"departement": departement},
    }


def test_overseas_insets_only_beside_the_whole_country() -> None:
    actors = {
        "features": [
            _actor("69", 4.83, 45.76),
            _actor("974", 55.45, -20.88),
            _actor("974", 55.53, -21.11),
            _actor("971", -61.55, 16.24),
        ]
    }
    insets = overseas_insets(actors, FRANCE_BOUNDS)
    assert [inset["code"] for inset in insets] == ["971", "974"]
    reunion = insets[1]
    assert reunion["name"] == "La Réunion"
    (south, west), (north, east) = reunion["bounds"]
    # Framed on the island's outline, not only on its two actors.
    assert south < -21.3 and north > -20.9 and west < 55.3 and east > 55.8
    # A local view (Lyon) gets none; nor does a view that already shows them.
    assert overseas_insets(actors, (45.5, 4.6, 46.0, 5.1)) == []
    assert overseas_insets(actors, (-22.0, 55.0, -20.0, 56.0)) == []


def _blocks(page: str) -> dict:
    found = re.findall(
        r'<script type="application/json" id="companion-([a-z-]+)">(.*?)</script>', page, re.S
    )
    return {name: json.loads(text) for name, text in found}


def test_a_sheet_page_draws_vectors_without_clusters_and_never_contacts(store) -> None:
    store.add_actor("Pôle", "catalyseur", latitude=45.9, longitude=6.1, departement="74")
    store.add_actor(
        "Maison",
        "association",
        latitude=-21.0,
        longitude=55.5,
        departement="974",
        email="a@b.example",
    )
    interactive = build_export_html(store.conn)
    assert "window.companionPaper =" not in interactive  # paper's scripts only on paper
    config = _blocks(interactive)["map-config"]
    assert "clusters" not in config and "vector" not in config
    assert _blocks(interactive)["export-settings"]["sheet"] is None

    page = build_export_html(store.conn, ExportOptions(static=True, sheet=paper_sheet("a3")))
    blocks = _blocks(page)
    assert blocks["map-config"]["clusters"] is False and blocks["map-config"]["vector"] is True
    settings = blocks["export-settings"]
    assert settings["sheet"]["paper"] == "a3" and settings["sheet"]["scale"] == 1.25
    assert [inset["code"] for inset in settings["insets"]] == ["974"]
    assert settings["paper"]["indexTitle"] == "Index des acteurs"
    assert "window.companionPaper =" in page and "window.companionSheet =" in page
    assert "a@b.example" not in page
