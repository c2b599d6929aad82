"""Gazetteer behaviour on the real built data (``make data`` builds it first)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from companion.geo import Commune, Gazetteer, GazetteerMissing
from companion.geo.build import is_up_to_date
from companion.geo.gazetteer import haversine_km
from companion.paths import built_data_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gazetteer():
    gazetteer = Gazetteer.open()
    yield gazetteer
    gazetteer.close()


def test_built_data_is_up_to_date():
    assert is_up_to_date(built_data_path())


def test_the_four_saint_denis_come_first_by_population(gazetteer):
    found = gazetteer.by_name("saint denis")
    first = found[:4]
    assert {c.name for c in first} == {"Saint-Denis"}
    assert {c.departement for c in first} == {"11", "30", "93", "974"}
    assert {c.insee for c in first} == {"11339", "30247", "93066", "97411"}
    assert [c.population for c in first] == sorted((c.population for c in first), reverse=True)
    assert all(c.kind == "COM" for c in first)
    assert all(c.name != "Saint-Denis" for c in found[4:])  # then prefix matches
    assert all(c.name.startswith("Saint-Denis") for c in found[4:])
    reunion = next(c for c in first if c.departement == "974")
    assert reunion.departement_name == "La Réunion" and reunion.region == "04"


def test_st_and_ste_abbreviations(gazetteer):
    assert [c.insee for c in gazetteer.by_name("st denis")[:4]] == [
        c.insee for c in gazetteer.by_name("saint denis")[:4]
    ]
    assert gazetteer.by_name("ste maxime")[0].name == "Sainte-Maxime"
    assert gazetteer.by_name("St-Étienne")[0].insee == "42218"


@pytest.mark.parametrize(
    "text", ["Saint-Étienne", "saint etienne", "SAINT ETIENNE", " Saint  Étienne "]
)
def test_matching_ignores_case_accents_and_punctuation(gazetteer, text):
    assert gazetteer.by_name(text)[0].insee == "42218"


@pytest.mark.parametrize(
    "text", ["L'Haÿ-les-Roses", "l hay les roses", "L’HAY LES ROSES", "hay les roses"]
)
def test_apostrophes_and_articles(gazetteer, text):
    assert gazetteer.by_name(text)[0].insee == "94038"


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("Lhay les Roses", "94038"),  # the elided article glued on
        ("lhay-les-roses", "94038"),
        ("Lhay", "94038"),  # while typing
        ("Lisle sur la Sorgue", "84054"),
        ("Villeneuve dAscq", "59009"),  # no apostrophe inside the name
        ("Villeneuve Dascq", "59009"),
        ("Nogentsur Marne", "94052"),  # a space left out
        ("Fontenaysousbois", "94033"),
        ("Lehavre", "76351"),
        ("Saintdenis 93", "93066"),
    ],
)
def test_names_typed_glued_or_without_hyphens(gazetteer, text, insee):
    assert gazetteer.by_name(text)[0].insee == insee
    assert gazetteer.lookup(text)[0].insee == insee


def test_glued_names_can_be_left_out_for_callers_trying_many_texts(gazetteer):
    assert gazetteer.by_name("lhay les roses", glued=False) == []
    assert gazetteer.by_name("l hay les roses", glued=False)[0].insee == "94038"


def test_words_as_typed_come_before_glued_ones(gazetteer):
    # "Lisle" is a commune of its own: the glued "L'Isle-…" names only when nothing else is.
    assert {c.name for c in gazetteer.by_name("lisle")[:2]} == {"Lisle"}


def test_a_postcode_that_lost_its_leading_zero(gazetteer):
    assert gazetteer.lookup("1000")[0].insee == "01053"  # 01000 Bourg-en-Bresse
    assert gazetteer.lookup(" 1 000 ")[0].insee == "01053"
    assert gazetteer.by_name("bourg en bresse 1000")[0].insee == "01053"
    assert gazetteer.by_name("saint denis 1")[0].departement == "01"  # département 01
    # Four digits are a postcode, never an INSEE code padded: 9413 is not Ariège's 09413.
    assert all("09413" != c.insee for c in gazetteer.lookup("9413"))


def test_article_is_part_of_the_name_but_optional_in_queries(gazetteer):
    havre = gazetteer.by_name("havre")[0]
    assert (havre.name, havre.insee) == ("Le Havre", "76351")
    assert gazetteer.by_name("le havre")[0] == havre


def test_fontenay_sous_bois(gazetteer):
    commune = gazetteer.by_name("fontenay sous bois")[0]
    assert (commune.insee, commune.name, commune.departement) == (
        "94033",
        "Fontenay-sous-Bois",
        "94",
    )
    assert commune.postcodes == ("94120",)
    assert commune.region == "11" and commune.region_name == "Île-de-France"
    assert commune.epci is not None and commune.epci_name


def test_evry_accent_insensitive(gazetteer):
    for text in ("evry", "EVRY", "Évry"):
        found = gazetteer.by_name(text)
        assert found[0].name == "Évry" and found[0].departement == "89"
        assert "Évry-Courcouronnes" in {c.name for c in found}


def test_prefix_matches_follow_exact_ones_by_population(gazetteer):
    found = gazetteer.by_name("fontenay", limit=50)
    assert len(found) > 5
    assert all(c.name.lower().startswith("fontenay") for c in found)
    exact = [c for c in found if c.name == "Fontenay"]
    assert exact and found[: len(exact)] == exact
    rest = [(c.kind in ("COMD", "COMA"), -c.population) for c in found[len(exact) :]]
    assert rest == sorted(rest)  # communes by population, then communes déléguées
    assert "Fontenay-sous-Bois" in {c.name for c in found}
    assert len(gazetteer.by_name("fontenay", limit=3)) == 3


def test_departement_or_postcode_narrows_homonyms(gazetteer):
    assert [c.insee for c in gazetteer.by_name("saint denis 93")] == ["93066"]
    assert [c.insee for c in gazetteer.by_name("Saint-Denis (974)")] == ["97411"]
    assert [c.insee for c in gazetteer.by_name("saint denis 11310")] == ["11339"]
    assert gazetteer.by_name("paris 11")[0].insee == "75111"  # not the Aude (11)


def test_postcode_94120(gazetteer):
    assert [c.insee for c in gazetteer.by_postcode("94120")] == ["94033"]


def test_paris_postcode_gives_the_arrondissement(gazetteer):
    (commune,) = gazetteer.by_postcode("75011")
    assert (commune.insee, commune.kind, commune.parent_insee) == ("75111", "ARM", "75056")
    assert commune.name == "Paris 11e Arrondissement" and commune.departement == "75"
    paris = gazetteer.by_insee("75056")
    assert "75011" in paris.postcodes and paris.kind == "COM"


def test_commune_deleguee(gazetteer):
    commune = gazetteer.by_name("Saint-Martin-de-Belleville")[0]
    assert commune.kind == "COMD"
    assert commune.postcodes == ("73440",)
    assert commune.parent_insee == "73257"
    assert gazetteer.by_insee(commune.parent_insee).name == "Les Belleville"
    assert commune.departement == "73" and commune.region == "84"
    assert commune in gazetteer.by_postcode("73440")


def test_a_shared_insee_code_gives_the_commune_nouvelle(gazetteer):
    assert gazetteer.by_insee("73257").kind == "COM"


def test_insee_codes(gazetteer):
    ajaccio = gazetteer.by_insee("2A004")
    assert ajaccio.name == "Ajaccio" and ajaccio.departement == "2A" and ajaccio.region == "94"
    assert gazetteer.by_insee("2a004") == ajaccio
    assert gazetteer.by_insee("99999") is None


def test_lookup_dispatch(gazetteer):
    assert [c.insee for c in gazetteer.lookup("94120")] == ["94033"]
    assert [c.insee for c in gazetteer.lookup("75056")] == ["75056"]  # not a postcode: INSEE
    assert [c.insee for c in gazetteer.lookup("2A004")] == ["2A004"]
    assert gazetteer.lookup("fontenay-sous-bois")[0].insee == "94033"
    assert gazetteer.lookup("00000") == []
    assert gazetteer.lookup("   ") == []
    assert gazetteer.lookup("zzzzqqq") == []


def test_reverse_central_lyon(gazetteer):
    commune = gazetteer.reverse(45.7640, 4.8357)
    assert commune is not None
    assert commune.insee == "69123" or commune.parent_insee == "69123"
    assert commune.kind == "ARM"


def test_reverse_paris_and_fontenay(gazetteer):
    assert gazetteer.reverse(48.8530, 2.3499).insee == "75104"  # Notre-Dame, 4e
    assert gazetteer.reverse(48.8514, 2.4770).insee == "94033"


def test_reverse_at_sea_or_abroad(gazetteer):
    assert gazetteer.reverse(46.0, -8.0) is None  # Atlantic
    assert gazetteer.reverse(40.4168, -3.7038) is None  # Madrid


def test_reverse_overseas(gazetteer):
    assert gazetteer.reverse(-20.8823, 55.4504).insee == "97411"


def test_near(gazetteer):
    fontenay = gazetteer.by_insee("94033")
    found = gazetteer.near(fontenay.latitude, fontenay.longitude, 5)
    assert found[0].insee == "94033"
    assert {"94080", "94052"} <= {c.insee for c in found}  # Vincennes, Nogent-sur-Marne
    assert "94076" not in {c.insee for c in found}  # Villejuif (misplaced town hall in the source)
    distances = [
        haversine_km(fontenay.latitude, fontenay.longitude, c.latitude, c.longitude) for c in found
    ]
    assert distances == sorted(distances) and distances[-1] <= 5
    assert all(c.kind == "COM" for c in found)
    assert len(gazetteer.near(fontenay.latitude, fontenay.longitude, 5, limit=3)) == 3
    assert gazetteer.near(46.0, -8.0, 20) == []


def test_listings(gazetteer):
    communes = gazetteer.communes()
    assert len(communes) > 34_000 and all(c.kind == "COM" for c in communes)
    deleguees = gazetteer.communes(kinds=("COMD", "COMA"))
    assert {c.kind for c in deleguees} == {"COMD", "COMA"}
    assert all(c.parent_insee for c in deleguees)
    assert len(gazetteer.communes(kinds=("ARM",))) == 45
    departements = gazetteer.departements()
    assert len(departements) == 101 and ("2A", "Corse-du-Sud", "94") in departements
    assert ("976", "Mayotte", "06") in departements
    assert len(gazetteer.regions()) == 18 and ("11", "Île-de-France") in gazetteer.regions()


def test_commune_value_and_json(gazetteer):
    commune = gazetteer.by_insee("94033")
    assert dataclasses.is_dataclass(commune) and hash(commune) == hash(gazetteer.by_insee("94033"))
    data = commune.to_json()
    assert set(data) == {
        "insee",
        "name",
        "departement",
        "departement_name",
        "region",
        "postcodes",
        "latitude",
        "longitude",
        "population",
        "kind",
        "parent_insee",
    }
    assert data["postcodes"] == ["94120"] and isinstance(data["latitude"], float)
    assert 48.8 < commune.latitude < 48.9 and 2.4 < commune.longitude < 2.5
    assert commune.population > 50_000
    assert isinstance(commune, Commune)


def test_missing_file_message_is_french(tmp_path):
    with pytest.raises(GazetteerMissing) as raised:
        Gazetteer.open(tmp_path / "absent.sqlite")
    message = str(raised.value)
    assert "introuvables" in message and "make data" in message and "companion.geo.build" in message


def test_unreadable_file_is_reported_as_missing(tmp_path):
    broken = tmp_path / "gazetteer.sqlite"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(GazetteerMissing) as raised:
        Gazetteer.open(broken)
    assert "make data" in str(raised.value)


def test_geo_package_does_not_import_qt():
    code = (
        "import companion.geo, sys; "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_bounds_of_a_commune_an_epci_a_departement_and_a_region(gazetteer):
    fontenay = gazetteer.bounds("commune", "94033")
    south, west, north, east = fontenay
    assert south < 48.851 < north and west < 2.477 < east and north - south < 0.1

    def holds(outer, inner):
        return (
            outer[0] <= inner[0]
            and outer[1] <= inner[1]
            and outer[2] >= inner[2]
            and (outer[3] >= inner[3])
        )

    grand_paris = gazetteer.bounds("epci", gazetteer.by_insee("94033").epci)
    assert holds(grand_paris, fontenay) and grand_paris[2] - grand_paris[0] < 0.5
    val_de_marne = gazetteer.bounds("departement", "94")
    assert holds(val_de_marne, fontenay) and not holds(val_de_marne, grand_paris)
    idf = gazetteer.bounds("region", "11")
    assert holds(idf, val_de_marne) and holds(idf, grand_paris) and idf[2] - idf[0] < 2.5
    reunion = gazetteer.bounds("departement", "974")
    assert -21.5 < reunion[0] < reunion[2] < -20.8  # overseas, on its own
    assert gazetteer.bounds("departement", "00") is None
