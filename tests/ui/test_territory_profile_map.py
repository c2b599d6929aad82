"""The territory profile's map (drawn offline, on screen and in the PDF) and its catalysts:
those based in the territory and those acting in it from outside, by name."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtPdf import QPdfDocument

from companion.geo import Gazetteer
from companion.insights.places import find_territory
from companion.insights.report_html import territory_profile_html
from companion.insights.territory import catalysts_summary
from companion.insights.territory_data import load_profile
from companion.maps.style import KIND_COLOURS
from companion.store.records import new_id, now_iso
from companion.ui.territory.profile_doc import profile_html
from companion.ui.territory.profile_map import BACKGROUND, MAP_URL, render_map
from companion.ui.territory.profile_view import TerritoryProfileView, write_profile_pdf
from tests.french import fr

VALLEY = "200023372"  # Chamonix-Mont-Blanc, Les Houches, Servoz, Vallorcine
CHAMONIX, LES_HOUCHES, LYON, PARIS = "74056", "74143", "69123", "75056"


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def add_profile(store, actor_id: str, territories: list[str]) -> None:
    now = now_iso()
    store.db["catalyst_profiles"].insert(
        {
            "id": new_id(), "actor_id": actor_id, "owner": store.member_id,
            "visibility": "network", "created_at": now, "updated_at": now,
            "structure": "Structure", "metiers": json.dumps(["dialogue"]),
            "territories": json.dumps(territories),
        }
    )  # fmt: skip


@pytest.fixture
def valley(store, gazetteer):
    """In the valley: an association with its coordinates, a company placed only by its
    commune, the catalyst of Les Houches. Acting on the valley from outside: the catalysts
    of Lyon and of Paris. Not acting there: a catalyst of Lyon working on the Rhône."""

    def add(name: str, kind: str, insee: str, **fields) -> str:
        commune = gazetteer.by_insee(insee)
        return store.add_actor(
            name, kind, insee_code=insee, commune=commune.name,
            departement=commune.departement, **fields,
        ).id  # fmt: skip

    add("Association du Mont", "association", CHAMONIX, latitude=46.0, longitude=6.93)
    add("Lumiplast", "entreprise", CHAMONIX)
    here = add("Pôle de catalyse Houches", "catalyseur", LES_HOUCHES)
    lyon = add("Pôle Confluences", "catalyseur", LYON)
    paris = add("Pôle Seine", "catalyseur", PARIS)
    rhone = add("Pôle du Rhône", "catalyseur", LYON)
    add_profile(store, here, [])
    add_profile(store, lyon, [f"epci:{VALLEY}"])
    add_profile(store, paris, ["departement:74"])
    add_profile(store, rhone, ["departement:69"])
    return store


def profile_of(store, gazetteer):
    territory = find_territory(gazetteer, "epci", VALLEY)
    return load_profile(store.path, gazetteer, territory, lambda *_a: None, threading.Event())


def test_the_catalyst_counts_agree_and_say_who_acts_from_outside(qtbot, valley, gazetteer) -> None:
    profile = profile_of(valley, gazetteer)
    assert [c.name for c in profile.based] == ["Pôle de catalyse Houches"]
    assert [c.name for c in profile.from_outside] == [
        "Pôle Confluences",
        "Pôle Seine",
    ]
    assert profile.figures.actors_by_kind["catalyseur"] == len(profile.based) == 1
    assert catalysts_summary(profile) == (
        fr(
            "1 catalyseur est basé dans le territoire (compté parmi ses acteurs) ; "
            "2 autres y agissent depuis l'extérieur : "
            "Pôle Confluences (Lyon), Pôle Seine (Paris)."
        )
    )
    assert "2 autres y agissent depuis l&#x27;extérieur" in territory_profile_html(profile)
    chamonix = find_territory(gazetteer, "commune", CHAMONIX)
    no_one_here = load_profile(
        valley.path, gazetteer, chamonix, lambda *_a: None, threading.Event()
    )
    assert catalysts_summary(no_one_here) == (
        fr(
            "Aucun catalyseur n'est basé dans le territoire ; 2 y agissent depuis l'extérieur : "
            "Pôle Confluences (Lyon), Pôle Seine (Paris)."
        )
    )
    view = TerritoryProfileView()
    qtbot.addWidget(view)
    view.show_profile(profile)
    text = view.text()
    assert "Catalyseur (basé ici)" in text  # the bar of « Acteurs par type »
    assert "Catalyseurs qui agissent ici (3)" in text
    assert "2 autres y agissent depuis l'extérieur" in text
    assert "basé à Paris" in text  # in the table's « Lieu » column


def test_the_profile_shows_a_map_of_the_territory_and_its_actors(
    qtbot, valley, gazetteer, tmp_path
):
    profile = profile_of(valley, gazetteer)
    drawing = profile.map
    assert drawing is not None and drawing.outline
    assert len(drawing.areas) >= 4  # the valley's communes and those around
    assert sorted(kind for _x, _y, kind in drawing.dots) == [
        "association",
        "catalyseur",
        "entreprise",
    ]
    image = render_map(drawing)
    scale = image.width() / drawing.width
    for x, y, kind in drawing.dots:  # the company, placed at its commune's centre, too
        colour = image.pixelColor(round(x * scale), round(y * scale))
        assert colour.name() == QColor(KIND_COLOURS[kind]).name(), kind
    # The page on screen holds the image.
    view = TerritoryProfileView()
    qtbot.addWidget(view)
    view.show_profile(profile)
    assert f'src="{MAP_URL}"' in profile_html(profile)
    shown = view.browser.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl(MAP_URL)
    )
    assert isinstance(shown, QImage) and shown.size() == image.size()
    # And so does the PDF: the map's sea-grey background is printed.
    path = tmp_path / "fiche.pdf"
    assert write_profile_pdf(profile, path)
    assert map_pixels(path) > 2_000
    assert map_pixels(write_without_map(profile, tmp_path)) == 0  # a check that can fail


def write_without_map(profile, folder: Path) -> Path:
    from dataclasses import replace

    path = folder / "sans-carte.pdf"
    assert write_profile_pdf(replace(profile, map=None), path)
    return path


def map_pixels(path: Path) -> int:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    page = document.render(0, QSize(620, 877))
    document.close()
    wanted = BACKGROUND.rgb() & 0xFFFFFF
    return sum(
        1
        for y in range(page.height())
        for x in range(page.width())
        if page.pixel(x, y) & 0xFFFFFF == wanted
    )
