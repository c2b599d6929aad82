"""Street addresses offline, from a file in the Base Adresse Nationale's format (generated
here, never downloaded)."""

import gzip
import json
import stat
import threading

import pytest

from companion.cli import main
from companion.errors import CompanionError
from companion.geo import Gazetteer
from companion.geo.addresses import AddressIndex, build_index, index_path, street_key
from companion.store import Store
from tests.french import fr

HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;"
    "code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;"
    "libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;"
    "cad_parcelles"
)


def ban_row(number, rep, street, postcode, insee, commune, lon, lat):
    return (
        f"{insee}_x_{number:05d};;{number};{rep};{street};{postcode};{insee};{commune};;;0;0;"
        f"{lon};{lat};entrée;;;{commune.upper()};{street.upper()};commune;commune;1;"
    )


def ban_file(path, rows):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write("\n".join([HEADER, *rows]) + "\n")
    return path


NOGENT = [
    ban_row(10, "", "Rue des Écoles", "94130", "94052", "Nogent-sur-Marne", 2.4801, 48.8371),
    ban_row(12, "", "Rue des Écoles", "94130", "94052", "Nogent-sur-Marne", 2.4803, 48.8372),
    ban_row(12, "bis", "Rue des Écoles", "94130", "94052", "Nogent-sur-Marne", 2.4804, 48.8373),
    ban_row(14, "", "Rue des Écoles", "94130", "94052", "Nogent-sur-Marne", 2.4806, 48.8374),
    ban_row(3, "", "Avenue de la République", "94130", "94052", "Nogent-sur-Marne", 2.47, 48.84),
    ban_row(1, "", "Rue des Écoles", "94120", "94033", "Fontenay-sous-Bois", 2.48, 48.85),
]


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def index(tmp_path, gazetteer):
    build_index(ban_file(tmp_path / "adresses-94.csv.gz", NOGENT), tmp_path)
    opened = AddressIndex.open(tmp_path, gazetteer)
    yield opened
    opened.close()


def test_street_keys_expand_short_words_and_drop_small_ones():
    assert street_key("Av. de la République") == "avenue republique"
    assert street_key("R des Ecoles") == street_key("rue des Écoles") == "rue ecoles"
    assert street_key("Bd St-Michel") == "boulevard saint michel"


@pytest.mark.parametrize(
    ("text", "position", "precision"),
    [
        ("12 rue des Écoles 94130 Nogent", (48.8372, 2.4803), "adresse"),
        ("12 Rue des Ecoles, Nogent-sur-Marne 94130", (48.8372, 2.4803), "adresse"),
        ("12 r des ecoles nogent sur marne", (48.8372, 2.4803), "adresse"),  # no postcode
        ("12 bis rue des écoles 94130", (48.8373, 2.4804), "adresse"),
        ("12b rue des écoles 94130", (48.8373, 2.4804), "adresse"),
        ("16 rue des écoles 94130", (48.8374, 2.4806), "numero_proche"),  # 14, same side
        ("rue des écoles 94130", (48.83725, 2.48035), "rue"),  # the street's middle
        ("3 av de la republique 94130", (48.84, 2.47), "adresse"),
        ("3 avenue de la republiqe 94130", (48.84, 2.47), "adresse"),  # a typo
        ("1 rue des écoles 94120", (48.85, 2.48), "adresse"),  # another commune's street
    ],
)
def test_typed_addresses_are_placed_at_their_door(index, text, position, precision):
    found = index.lookup(text)
    assert found is not None
    assert (round(found.latitude, 5), round(found.longitude, 5)) == position
    assert found.precision == precision


def test_unknown_streets_find_nothing(index):
    assert index.lookup("12 rue inconnue 94130") is None
    assert index.lookup("12 rue des écoles 75011") is None  # not in the imported département


def test_a_departement_imported_again_replaces_its_addresses(tmp_path, gazetteer):
    build_index(ban_file(tmp_path / "a.csv.gz", NOGENT), tmp_path)
    moved = [ban_row(12, "", "Rue des Écoles", "94130", "94052", "Nogent-sur-Marne", 2.5, 48.9)]
    assert build_index(ban_file(tmp_path / "b.csv.gz", moved), tmp_path) == ("94", 1)
    index = AddressIndex.open(tmp_path, gazetteer)
    try:
        assert index.departements() == [("94", 1)]
        found = index.lookup("12 rue des écoles 94130")
        assert (found.latitude, found.longitude) == (48.9, 2.5)
        assert index.lookup("3 avenue de la république 94130") is None
    finally:
        index.close()


def test_a_file_that_is_not_the_bans_is_refused_in_french_and_changes_nothing(tmp_path):
    build_index(ban_file(tmp_path / "a.csv.gz", NOGENT), tmp_path)
    before = index_path(tmp_path).read_bytes()
    wrong = tmp_path / "autre.csv.gz"
    with gzip.open(wrong, "wt", encoding="utf-8") as handle:
        handle.write("nom;ville\nA;B\n")
    with pytest.raises(CompanionError, match="colonnes numero, rep, nom_voie"):
        build_index(wrong, tmp_path)
    broken = ban_file(tmp_path / "casse.csv.gz", [NOGENT[0].replace(";2.4801;", ";est;")])
    with pytest.raises(CompanionError, match=fr("ligne 2 : adresse illisible")):
        build_index(broken, tmp_path)
    with pytest.raises(
        CompanionError, match=fr("absent.csv.gz » est illisible : fichier introuvable")
    ):
        build_index(tmp_path / "absent.csv.gz", tmp_path)
    cancel = threading.Event()
    cancel.set()
    many = [
        ban_row(n, "", "Rue Longue", "94130", "94052", "Nogent", 2.4, 48.8)
        for n in range(1, 20_001)
    ]
    with pytest.raises(CompanionError, match="annulé"):
        build_index(ban_file(tmp_path / "long.csv.gz", many), tmp_path, cancel=cancel)
    index = AddressIndex.open(tmp_path, Gazetteer.open())
    try:
        assert index.departements() == [("94", 6)]  # as before each refusal
    finally:
        index.close()
    assert before  # the file was there before the refusals


def test_the_command_line_imports_addresses_and_geocodes_them(tmp_path, capsys):
    data = tmp_path / "donnees"
    source = ban_file(tmp_path / "adresses-94.csv.gz", NOGENT)
    assert main(["import-addresses", str(source), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"departement": "94", "addresses": 6}
    assert stat.S_IMODE(index_path(data).stat().st_mode) == 0o600  # the data folder's files
    assert main(["geocode", "12 rue des Écoles 94130 Nogent", "--data", str(data)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["label"] == "12 Rue des Écoles, 94130 Nogent-sur-Marne"
    assert (found["latitude"], found["precision"]) == (48.8372, "adresse")
    # A commune still finds the commune.
    assert main(["geocode", "Nogent-sur-Marne", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["insee"] == "94052"


def test_an_import_places_actors_at_their_address(tmp_path, capsys):
    data = tmp_path / "donnees"
    source = tmp_path / "acteurs.csv"
    source.write_bytes(
        "\r\n".join(
            [
                "Nom;Adresse;Code postal;Ville",
                "Épicerie;12 rue des Écoles;94130;Nogent-sur-Marne",
                "Garage;3 av. de la République;94130;Nogent-sur-Marne",
                "Atelier;1 rue inconnue;94130;Nogent-sur-Marne",  # stays at the commune's centre
            ]
        ).encode("cp1252")
    )
    assert main(["import", str(source), "--data", str(data)]) == 0  # no index yet: the commune
    capsys.readouterr()
    store = Store.open(data / "companion.db")
    try:
        centre = (store.actors("epicerie")[0].latitude, store.actors("epicerie")[0].longitude)
    finally:
        store.close()
    assert main(["import-addresses", str(ban_file(tmp_path / "a.csv.gz", NOGENT)),
                 "--data", str(data)]) == 0  # fmt: skip
    assert main(["import", str(source), "--data", str(data)]) == 0  # again: updated, placed
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["updated"] == 3
    store = Store.open(data / "companion.db")
    try:
        place = {a.name: (a.latitude, a.longitude) for a in store.actors()}
    finally:
        store.close()
    assert place["Épicerie"] == (48.8372, 2.4803)
    assert place["Garage"] == (48.84, 2.47)
    assert place["Atelier"] == centre
