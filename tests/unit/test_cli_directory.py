"""``companion import`` / ``companion export`` from the command line."""

import json

import openpyxl

from companion.cli import main
from companion.store import Store
from tests.french import fr


def excel_csv(path, lines):
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def test_dry_run_then_import_then_export(tmp_path, capsys):
    data = tmp_path / "data"
    source = excel_csv(
        tmp_path / "acteurs.csv",
        ["Nom;Type;Code postal;Ville", "Épicerie solidaire;Association;94120;Fontenay-sous-Bois"],
    )
    assert main(["import", str(source), "--dry-run", "--data", str(data)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"creates": 1, "updates": 0, "dry_run": True}
    assert "cp1252, point-virgule" in captured.err

    assert main(["import", str(source), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0}
    assert main(["import", str(source), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 0, "updated": 1}

    out = tmp_path / "export.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    assert "Épicerie solidaire" in out.read_text(encoding="utf-8-sig")


def test_refused_file_prints_every_problem_and_exits_non_zero(tmp_path, capsys):
    data = tmp_path / "data"
    source = excel_csv(
        tmp_path / "sale.csv",
        ["Nom;Code postal;Courriel", "A;94120;pas-un-courriel", ";94120;", "B;9413;"],
    )
    assert main(["import", str(source), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert fr("Ligne 2, Courriel : adresse « pas-un-courriel » invalide") in err
    assert fr("Ligne 3, Nom : valeur manquante") in err
    assert fr("Ligne 4, Commune : code postal « 09413 » inconnu") in err
    assert "rien n'a été enregistré" in err
    assert main(["search", "a", "--data", str(data)]) == 0
    assert capsys.readouterr().out == ""


def test_mapping_file_names_columns(tmp_path, capsys):
    data = tmp_path / "data"
    source = excel_csv(tmp_path / "a.csv", ["Raison;CP", "Coopérative Tramolin;69001"])
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"Raison": "name", "CP": "postcode"}), encoding="utf-8")
    assert main(["import", str(source), "--mapping", str(mapping), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1

    mapping.write_text(json.dumps({"Raison": "nom_inconnu"}), encoding="utf-8")
    assert main(["import", str(source), "--mapping", str(mapping), "--data", str(data)]) == 2
    assert fr("champ(s) inconnu(s) : nom_inconnu") in capsys.readouterr().err


def test_vcards_in_and_out(tmp_path, capsys):
    data = tmp_path / "data"
    cards = tmp_path / "contacts.vcf"
    cards.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Durivaud;Camille;;;\r\nFN:Camille Durivaud\r\n"
        "ORG:Association Bravelune\r\nEMAIL:camille@exemple.example\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    assert main(["import", str(cards), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    out = tmp_path / "sortie.vcf"
    assert main(["export", "--format", "vcard", "--out", str(out), "--data", str(data)]) == 0
    assert "FN:Camille Durivaud" in out.read_text(encoding="utf-8")


def test_unwritable_output_is_explained(tmp_path, capsys):
    data = tmp_path / "data"
    main(["demo", "--catalysts", "1", "--data", str(data)])
    capsys.readouterr()
    out = tmp_path / "pas-un-dossier" / "x.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--data", str(data)]) == 2
    assert "Impossible d'écrire" in capsys.readouterr().err


def test_geojson_out_and_back_in(tmp_path, capsys):
    data, other = tmp_path / "data", tmp_path / "autre"
    source = excel_csv(
        tmp_path / "a.csv", ["Nom;Type;Code postal", "Jardin partagé des Lilas;Association;93260"]
    )
    assert main(["import", str(source), "--data", str(data)]) == 0
    out = tmp_path / "carte.geojson"
    assert main(["export", "--format", "geojson", "--out", str(out), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["count"] == 1
    assert main(["import", str(out), "--data", str(other)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0}


def test_a_contacts_csv_is_imported_as_people(tmp_path, capsys):
    data = tmp_path / "data"
    source = tmp_path / "outlook.csv"
    source.write_bytes(
        "Prénom;Nom;Société;Adresse de messagerie\r\nAlix;Trombelle;Collectif Lumière;"
        "alix@lumiere.example\r\n".encode("cp1252")
    )
    assert main(["import", str(source), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    assert main(["search", "trombelle", "--data", str(data)]) == 0
    assert '"type": "person"' in capsys.readouterr().out


def test_a_umap_file_with_lines_imports_its_relations(tmp_path, capsys):
    def point(name, longitude, latitude):
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
        return {"type": "Feature", "geometry": geometry, "properties": {"name": name}}

    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[4.8357, 45.764], [4.84, 45.76]]},
        "properties": {"name": "Lien"},
    }
    zone = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.8, 45.7]]],
        },
        "properties": {"name": "Périmètre du projet"},
    }
    layer = {
        "type": "FeatureCollection",
        "_umap_options": {"name": "Partenaires"},
        "features": [point("Tiers-lieu", 4.8357, 45.764), point("Garage", 4.84, 45.76), line, zone],
    }
    source = tmp_path / "carte.umap"
    source.write_text(json.dumps({"type": "umap", "layers": [layer]}), encoding="utf-8")
    data = tmp_path / "donnees"
    args = ["import", str(source), "--relation-type", "partenariat", "--data", str(data)]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"created": 2, "updated": 0, "relations": 1, "zones": 1}
    assert "1 zone ajoutée." in captured.err
    store = Store.open(data / "companion.db")
    try:
        assert store.conn.execute("SELECT type FROM relations").fetchall() == [("partenariat",)]
        assert store.count_actors("partenaires") == 2  # the layer's name, a tag
        zones = store.conn.execute("SELECT name, category FROM zones").fetchall()
        assert zones == [("Périmètre du projet", "Partenaires")]
    finally:
        store.close()


def test_exports_for_kumu_gogocarto_and_umap(tmp_path, capsys):
    data, other = tmp_path / "data", tmp_path / "autre"
    assert main(["demo", "--catalysts", "2", "--seed", "1", "--data", str(data)]) == 0
    capsys.readouterr()

    def export(format_code: str, name: str) -> int:
        out = tmp_path / name
        assert (
            main(["export", "--format", format_code, "--out", str(out), "--data", str(data)]) == 0
        )
        result = json.loads(capsys.readouterr().out.splitlines()[-1])
        assert result["format"] == format_code and out.is_file()
        return result["count"]

    kumu = export("kumu", "reseau.xlsx")
    sheets = openpyxl.load_workbook(tmp_path / "reseau.xlsx")
    assert sheets.sheetnames == ["Elements", "Connections"]
    assert sheets["Elements"].max_row == 1 + kumu > 1
    assert sheets["Connections"].max_row > 1  # the demo's actors work together

    placed = export("gogocarto", "gogocarto.json")
    assert 0 < placed <= kumu
    assert main(["import", str(tmp_path / "gogocarto.json"), "--data", str(other)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": placed, "updated": 0}

    assert export("umap", "carte.umap") == placed
    umap = json.loads((tmp_path / "carte.umap").read_text(encoding="utf-8"))
    points = [f for layer in umap["layers"][:-1] for f in layer["features"]]
    assert len(points) == placed and umap["layers"][-1]["features"]


def test_private_records_for_peers_only_when_asked(tmp_path, capsys):
    data = tmp_path / "data"
    source = excel_csv(
        tmp_path / "a.csv",
        ["Nom;Type;Code postal;Visibilité", "Atelier vélo;Association;93260;Privé",
         "Jardin partagé des Lilas;Association;93260;Réseau"],
    )  # fmt: skip
    assert main(["import", str(source), "--data", str(data)]) == 0
    capsys.readouterr()
    out = str(tmp_path / "carte.umap")
    assert main(["export", "--format", "umap", "--out", out, "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    assert (
        main(["export", "--format", "umap", "--include-private", "--out", out, "--data", str(data)])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["count"] == 2
    csv_out = str(tmp_path / "a.csv")
    assert (
        main(
            [
                "export",
                "--format",
                "csv",
                "--include-contacts",
                "--out",
                csv_out,
                "--data",
                str(data),
            ]
        )
        == 2
    )
    assert "valent pour kumu, gogocarto et umap" in capsys.readouterr().err


def test_a_map_file_imports_its_zones_or_skips_them_with_a_warning(tmp_path, capsys):
    from zone_maps import quartier_umap, write_map

    source = write_map(tmp_path / "pentes.umap", quartier_umap())
    skipped = tmp_path / "sans-zones"
    assert main(["import", str(source), "--skip-zones", "--data", str(skipped)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"created": 2, "updated": 0, "relations": 1}
    assert (
        fr(
            "Attention : 2 lignes ou surfaces ignorées (--skip-zones) : "
            "elles ne sont pas importées."
        )
        in captured.err
    )
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--data", str(data)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["zones"] == 2
    assert fr("2 lignes ou surfaces : des zones à ajouter.") in captured.err
    assert "2 zones ajoutées." in captured.err
    for folder, expected in ((skipped, 0), (data, 2)):
        store = Store.open(folder / "companion.db")
        try:
            assert store.conn.execute("SELECT count(*) FROM zones").fetchone()[0] == expected
        finally:
            store.close()


def test_a_bad_zone_is_a_problem_of_its_feature(tmp_path, capsys):
    from zone_maps import quartier_umap, write_map

    data = quartier_umap()
    data["layers"][1]["features"][0]["geometry"]["coordinates"][0][2] = [4.842, 145.0]
    source = write_map(tmp_path / "pentes.umap", data)
    folder = tmp_path / "donnees"
    assert main(["import", str(source), "--data", str(folder)]) == 2
    captured = capsys.readouterr()
    assert fr("Élément 4, géométrie : point hors du globe (longitude 4.842, latitude 145.0)") in (
        captured.err
    )
    assert fr("Fichier refusé : rien n'a été enregistré.") in captured.err
    assert main(["import", str(source), "--skip-invalid", "--data", str(folder)]) == 0
    written = json.loads(capsys.readouterr().out)
    assert (written["created"], written["zones"], written["rejected"]) == (2, 1, 1)
    rejects = json.loads((tmp_path / "pentes-rejets.umap").read_text(encoding="utf-8"))
    [rejected] = rejects["features"]
    assert rejected["properties"]["Problème"].startswith("géométrie : point hors du globe")
