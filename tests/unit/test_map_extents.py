"""« Cadrer sur »: territories found by name or code, framed by their communes."""

from __future__ import annotations

import pytest

from companion.geo import Gazetteer
from companion.maps.extents import METROPOLE, find_place


@pytest.fixture(scope="module")
def gazetteer():
    gazetteer = Gazetteer.open()
    yield gazetteer
    gazetteer.close()


@pytest.mark.parametrize(
    ("text", "level", "name"),
    [
        ("94", "departement", "Val-de-Marne"),
        ("val de marne", "departement", "Val-de-Marne"),
        ("Bretagne", "region", "Bretagne"),
        ("Métropole du Grand Paris", "epci", "Métropole du Grand Paris"),
        ("fontenay-sous-bois", "commune", "Fontenay-sous-Bois"),
        ("94120", "commune", "Fontenay-sous-Bois"),
    ],
)
def test_a_territory_is_found_by_its_name_or_code(gazetteer, text, level, name) -> None:
    place = find_place(gazetteer, text)
    assert place is not None and (place.level, place.name) == (level, name)
    south, west, north, east = place.bounds
    assert south < north and west < east


def test_every_metropolitan_departement_lies_in_the_metropole_frame(gazetteer) -> None:
    departements = gazetteer.departements()
    assert len(departements) == 101
    for code, _name, _region in departements:
        bounds = gazetteer.bounds("departement", code)
        inside = (
            METROPOLE[0] <= bounds[0] and METROPOLE[1] <= bounds[1]
            and bounds[2] <= METROPOLE[2] and bounds[3] <= METROPOLE[3]
        )  # fmt: skip
        assert inside == (not code.startswith("97")), code


def test_nothing_is_found_for_nothing(gazetteer) -> None:
    assert find_place(gazetteer, "   ") is None
    assert find_place(gazetteer, "zzzqqq") is None
