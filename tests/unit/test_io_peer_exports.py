"""Exports that peers read (issue #17, item 7): Kumu's workbook, GoGoCarto's JSON and a
uMap map, each read back from the file it wrote; private records and contacts stay out."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass

import openpyxl
import pytest

from companion.domain import KIND_COLOURS, RELATION_STYLES
from companion.geo import Gazetteer
from companion.io.actor_import import apply_import
from companion.io.gogocarto import is_gogocarto, plan_gogocarto
from companion.io.peer_exports import Options, export_gogocarto, export_kumu, export_umap
from companion.store import Store

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@dataclass
class Network:
    ressourcerie: str
    mairie: str
    evil: str
    unplaced: str
    private: str
    shared_relation: str
    private_relation: str
    relation_to_private: str


def make_network(store: Store) -> Network:
    ressourcerie = store.add_actor(
        "Ressourcerie <Le Grenier>", "association", latitude=48.8512, longitude=2.476,
        commune="Fontenay-sous-Bois", postcode="94120", insee_code="94033", departement="94",
        address="12 rue des Écoles", description="Réemploi & ateliers\nle samedi",
        email="contact@grenier.example", phone="+33612345678", website="https://grenier.example",
    )  # fmt: skip
    store.tag_actor(ressourcerie.id, "Économie circulaire")
    store.tag_actor(ressourcerie.id, "Réemploi | réparation")
    mairie = store.add_actor(
        "Mairie de Montreuil", "collectivite", latitude=48.8611, longitude=2.4437,
        commune="Montreuil", postcode="93100", insee_code="93048", departement="93",
    )  # fmt: skip
    evil = store.add_actor(
        EVIL, "collectif", latitude=45.764, longitude=4.8357, commune="Lyon", postcode="69001",
        insee_code="69123", departement="69", description="-2 à prévoir",
    )  # fmt: skip
    unplaced = store.add_actor("Fondation sans adresse", "fondation")
    private = store.add_actor(
        "Carnet privé", "entreprise", visibility="private", latitude=45.0, longitude=5.0
    )
    return Network(
        ressourcerie.id,
        mairie.id,
        evil.id,
        unplaced.id,
        private.id,
        store.add_relation(ressourcerie.id, mairie.id, "financement", strength=3).id,
        store.add_relation(mairie.id, evil.id, "partenariat", visibility="private").id,
        store.add_relation(ressourcerie.id, private.id, "prestation").id,
    )


def test_kumu_workbook_has_elements_and_connections_as_kumu_reads_them(store, tmp_path):
    network = make_network(store)
    out = tmp_path / "kumu.xlsx"
    assert export_kumu(store, out) == 4

    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Elements", "Connections"]
    elements = [[cell.value for cell in row] for row in workbook["Elements"].iter_rows()]
    header = elements[0]
    assert header[:5] == ["ID", "Label", "Type", "Description", "Tags"]  # Kumu's own fields
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in elements[1:]}
    assert set(rows) == {network.ressourcerie, network.mairie, network.evil, network.unplaced}
    grenier = rows[network.ressourcerie]
    assert grenier["Label"] == "Ressourcerie <Le Grenier>" and grenier["Type"] == "Association"
    assert grenier["Description"] == "Réemploi & ateliers\nle samedi"
    assert grenier["Tags"] == "Économie circulaire|Réemploi / réparation"  # Kumu splits on |
    assert (grenier["Commune"], grenier["Code postal"], grenier["Latitude"]) == (
        "Fontenay-sous-Bois",
        "94120",
        48.8512,
    )
    assert rows[network.unplaced]["Latitude"] is None
    values = {str(value) for row in elements for value in row}
    assert not {"contact@grenier.example", "+33612345678", "Carnet privé"} & values

    connections = [[cell.value for cell in row] for row in workbook["Connections"].iter_rows()]
    assert connections[0][:4] == ["ID", "From", "To", "Type"]
    assert connections[1:] == [
        [network.shared_relation, network.ressourcerie, network.mairie, "Financement", 3, None,
         None],
    ]  # fmt: skip
    # From and To name elements by the IDs of the Elements sheet, as Kumu asks.
    assert {connections[1][1], connections[1][2]} <= set(rows)


def test_kumu_cells_never_run_as_formulas(store, tmp_path):
    network = make_network(store)
    out = tmp_path / "kumu.xlsx"
    export_kumu(store, out)
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    sheet = openpyxl.load_workbook(out)["Elements"]
    header = [cell.value for cell in sheet[1]]
    [row] = [row for row in sheet.iter_rows(min_row=2) if row[0].value == network.evil]
    name, description = row[header.index("Label")], row[header.index("Description")]
    assert (name.value, name.data_type, name.quotePrefix) == (EVIL, "s", True)
    assert (description.value, description.quotePrefix) == ("-2 à prévoir", True)
    longitude = row[header.index("Longitude")]
    assert (longitude.value, longitude.data_type) == (4.8357, "n")


def test_gogocarto_json_imports_back_into_an_empty_store(store, gazetteer, tmp_path):
    network = make_network(store)
    out = tmp_path / "gogocarto.json"
    assert export_gogocarto(store, out) == 3  # located and shared only
    data = json.loads(out.read_text(encoding="utf-8"))
    assert is_gogocarto(data)
    text = out.read_text(encoding="utf-8")
    assert "contact@grenier.example" not in text and "Carnet privé" not in text
    [grenier] = [e for e in data["data"] if e["id"] == network.ressourcerie]
    assert grenier["geo"] == {"latitude": 48.8512, "longitude": 2.476}
    assert grenier["categories"] == ["Association"]
    assert grenier["description"] == "Réemploi &amp; ateliers<br>le samedi"

    fresh = Store.open(tmp_path / "vide.db")
    try:
        plan = plan_gogocarto(fresh, gazetteer, out)
        assert plan.problems == []
        apply_import(fresh, plan)
        copies = {actor.name: actor for actor in fresh.actors()}
        originals = [
            store.get_actor(i) for i in (network.ressourcerie, network.mairie, network.evil)
        ]
        assert set(copies) == {actor.name for actor in originals}
        for original in originals:
            copy = copies[original.name]
            assert copy.kind == original.kind
            assert copy.description == original.description
            assert (copy.commune, copy.postcode, copy.insee_code) == (
                original.commune,
                original.postcode,
                original.insee_code,
            )
            assert (copy.latitude, copy.longitude) == (original.latitude, original.longitude)
            assert set(store.tags_of(original.id)) <= set(fresh.tags_of(copy.id))
        assert copies["Ressourcerie <Le Grenier>"].address == "12 rue des Écoles"
        assert not copies["Ressourcerie <Le Grenier>"].email  # contacts stay home
    finally:
        fresh.close()


def test_umap_file_has_a_layer_per_kind_and_the_relations_as_lines(store, tmp_path):
    network = make_network(store)
    out = tmp_path / "acteurs.umap"
    assert export_umap(store, out) == 3
    data = json.loads(out.read_text(encoding="utf-8"))
    # What uMap's importer reads: the map's properties, its centre, layers with options.
    assert data["type"] == "umap" and isinstance(data["properties"], dict)
    assert data["geometry"]["type"] == "Point"
    for layer in data["layers"]:
        assert layer["type"] == "FeatureCollection" and layer["_umap_options"]["name"]
    layers = {layer["_umap_options"]["name"]: layer for layer in data["layers"]}
    assert list(layers) == ["Association", "Collectivité", "Collectif citoyen", "Relations"]
    assert layers["Association"]["_umap_options"]["color"] == KIND_COLOURS["association"]
    assert layers["Collectivité"]["_umap_options"]["color"] == KIND_COLOURS["collectivite"]

    positions = {}
    for kind, name in (("association", "Association"), ("collectivite", "Collectivité"),
                       ("collectif", "Collectif citoyen")):  # fmt: skip
        for feature in layers[name]["features"]:
            assert feature["geometry"]["type"] == "Point"
            actor = store.get_actor(feature["properties"]["id"])
            assert actor.kind == kind and actor.visibility == "network"
            assert feature["geometry"]["coordinates"] == [actor.longitude, actor.latitude]
            assert feature["properties"]["name"] == actor.name
            positions[actor.id] = feature["geometry"]["coordinates"]
    assert set(positions) == {network.ressourcerie, network.mairie, network.evil}

    [line] = layers["Relations"]["features"]
    assert line["geometry"] == {
        "type": "LineString",
        "coordinates": [positions[network.ressourcerie], positions[network.mairie]],
    }
    assert line["properties"]["type"] == "Financement"
    assert line["properties"]["_umap_options"]["color"] == RELATION_STYLES["financement"][0]
    text = out.read_text(encoding="utf-8")
    assert "contact@grenier.example" not in text and "Carnet privé" not in text


def test_an_empty_directory_still_gives_valid_files(store, tmp_path):
    assert export_kumu(store, tmp_path / "k.xlsx") == 0
    assert openpyxl.load_workbook(tmp_path / "k.xlsx").sheetnames == ["Elements", "Connections"]
    assert export_umap(store, tmp_path / "vide.umap") == 0
    data = json.loads((tmp_path / "vide.umap").read_text(encoding="utf-8"))
    assert [layer["_umap_options"]["name"] for layer in data["layers"]] == ["Relations"]
    assert export_gogocarto(store, tmp_path / "g.json") == 0


def test_private_records_and_contacts_go_out_only_when_asked(store, gazetteer, tmp_path):
    network = make_network(store)
    asked = Options(include_private=True, include_contacts=True)

    assert export_kumu(store, tmp_path / "tout.xlsx", asked) == 5
    workbook = openpyxl.load_workbook(tmp_path / "tout.xlsx")
    elements = list(workbook["Elements"].iter_rows(values_only=True))
    header = elements[0]
    assert header[-2:] == ("Courriel", "Téléphone")
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in elements[1:]}
    assert rows[network.private]["Label"] == "Carnet privé"
    grenier = rows[network.ressourcerie]
    assert (grenier["Courriel"], grenier["Téléphone"]) == (
        "contact@grenier.example",
        "06 12 34 56 78",
    )
    connections = {row[0] for row in workbook["Connections"].iter_rows(values_only=True)}
    assert {network.private_relation, network.relation_to_private} <= connections

    assert export_umap(store, tmp_path / "tout.umap", asked) == 4
    data = json.loads((tmp_path / "tout.umap").read_text(encoding="utf-8"))
    layers = {layer["_umap_options"]["name"]: layer for layer in data["layers"]}
    assert layers["Entreprise"]["features"][0]["properties"]["name"] == "Carnet privé"
    assert len(layers["Relations"]["features"]) == 3
    [grenier_point] = layers["Association"]["features"]
    assert grenier_point["properties"]["courriel"] == "contact@grenier.example"

    out = tmp_path / "tout.json"
    assert export_gogocarto(store, out, asked) == 4
    fresh = Store.open(tmp_path / "vide.db")
    try:
        plan = plan_gogocarto(fresh, gazetteer, out)
        apply_import(fresh, plan)
        copies = {actor.name: actor for actor in fresh.actors()}
        assert copies["Ressourcerie <Le Grenier>"].email == "contact@grenier.example"
        assert copies["Ressourcerie <Le Grenier>"].phone == "+33612345678"
    finally:
        fresh.close()


def test_umap_opens_where_the_actors_are_not_on_a_far_outlier(store, tmp_path):
    for number in range(60):  # around Paris
        store.add_actor(
            f"Association {number}", "association",
            latitude=48.80 + number / 1000, longitude=2.30 + number / 1000,
        )  # fmt: skip
    store.add_actor("Tiers-lieu de Saint-Denis", "collectif", latitude=-20.88, longitude=55.45)
    export_umap(store, tmp_path / "carte.umap")
    data = json.loads((tmp_path / "carte.umap").read_text(encoding="utf-8"))
    longitude, latitude = data["geometry"]["coordinates"]
    assert 2.3 <= longitude <= 2.36 and 48.8 <= latitude <= 48.86
    assert data["properties"]["zoom"] >= 10  # a few streets, not the Indian Ocean
