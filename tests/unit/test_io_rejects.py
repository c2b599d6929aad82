"""Importing around the rows with problems: the others go in, the rejected ones go to a
file of the source's own format, with a « Problème » column, ready to fix and re-import."""

import json
import stat

from openpyxl import Workbook, load_workbook

from companion.cli import main
from companion.store import Store
from tests.french import fr

HEADER = "Nom;Type;Code postal;Ville;E-mail"
ROWS = [
    "Épicerie solidaire;Association;94120;Fontenay-sous-Bois;epicerie@exemple.fr",
    "Garage Étienne;Entreprise;69001;Lyon;pas-une-adresse",  # bad e-mail: line 3
    "Café des Pentes;Association;69001;Lyon;",
    '=HYPERLINK("http://x");Association;99999;Nulle-part;',  # unknown postcode: line 5
    "Ressourcerie;Association;93200;Saint-Denis;",
    "Atelier vélo;Collectif citoyen;75011;Paris;",
]


def excel_csv(path, lines):
    """French Excel: semicolons, Windows-1252, CRLF."""
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def names(data):
    store = Store.open(data / "companion.db")
    try:
        return sorted(actor.name for actor in store.actors())
    finally:
        store.close()


def test_without_the_switch_the_file_is_refused_and_the_way_around_is_named(tmp_path, capsys):
    source = excel_csv(tmp_path / "acteurs.csv", [HEADER, *ROWS])
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "Fichier refusé" in err and "--skip-invalid" in err
    assert names(data) == []
    assert not (tmp_path / "acteurs-rejets.csv").exists()


def test_the_valid_rows_go_in_and_the_others_to_a_rejects_file_like_the_source(tmp_path, capsys):
    source = excel_csv(tmp_path / "acteurs.csv", [HEADER, *ROWS])
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--skip-invalid", "--data", str(data)]) == 0
    result = json.loads(capsys.readouterr().out)
    rejects = tmp_path / "acteurs-rejets.csv"
    assert result == {"created": 4, "updated": 0, "rejected": 2, "rejects": str(rejects)}
    assert names(data) == ["Atelier vélo", "Café des Pentes", "Ressourcerie", "Épicerie solidaire"]

    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600  # its rows are personal data
    raw = rejects.read_bytes()
    text = raw.decode("cp1252")  # the source's encoding, its delimiter and line ends
    lines = text.split("\r\n")
    assert lines[0] == HEADER + ";Problème"
    assert lines[1].startswith("Garage Étienne;Entreprise;69001;Lyon;pas-une-adresse;")
    assert fr("adresse « pas-une-adresse » invalide") in lines[1]
    # Never a formula for whoever opens the file: the dangerous cell keeps a quote.
    assert lines[2].startswith('"\'=HYPERLINK(""http://x"")";Association;99999;')
    assert fr("code postal « 99999 » inconnu") in lines[2]

    # Fixed in the file and imported again: both rows go in, the « Problème » column ignored.
    fixed = text.replace("pas-une-adresse", "garage@exemple.fr").replace("99999", "94120")
    fixed = fixed.replace("Nulle-part", "Fontenay-sous-Bois")
    rejects.write_bytes(fixed.encode("cp1252"))
    assert main(["import", str(rejects), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 2, "updated": 0}
    assert '=HYPERLINK("http://x")' in names(data)  # the text the import read, unchanged


def test_a_workbook_gives_a_workbook_of_rejects(tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    for line in [HEADER, *ROWS[:2]]:
        sheet.append(line.split(";"))
    source = tmp_path / "acteurs.xlsx"
    book.save(source)
    data = tmp_path / "donnees"
    rejects = tmp_path / "a-corriger.xlsx"
    args = ["import", str(source), "--skip-invalid", "--rejects", str(rejects)]
    assert main([*args, "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 1
    rows = list(load_workbook(rejects).active.iter_rows(values_only=True))
    assert rows[0] == ("Nom", "Type", "Code postal", "Ville", "E-mail", "Problème")
    assert rows[1][:5] == ("Garage Étienne", "Entreprise", "69001", "Lyon", "pas-une-adresse")
    assert "invalide" in rows[1][5]


def test_a_map_gives_a_feature_collection_of_rejects(tmp_path, capsys):
    def point(name, longitude, latitude, **properties):
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
        return {"type": "Feature", "geometry": geometry, "properties": {"name": name, **properties}}

    source = tmp_path / "carte.geojson"
    features = [
        point("Tiers-lieu", 4.8357, 45.764),
        point("Garage", 4.84, 45.76, email="pas-une-adresse"),
    ]
    source.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--skip-invalid", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 1
    rejected = json.loads((tmp_path / "carte-rejets.geojson").read_text("utf-8"))
    [feature] = rejected["features"]
    assert feature["properties"]["name"] == "Garage"
    assert "invalide" in feature["properties"]["Problème"]
    assert names(data) == ["Tiers-lieu"]


def test_a_wrong_header_cannot_be_imported_around(tmp_path, capsys):
    source = excel_csv(tmp_path / "sans-nom.csv", ["Type;Ville", "Association;Lyon"])
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--skip-invalid", "--data", str(data)]) == 2
    assert "Fichier refusé" in capsys.readouterr().err
    assert not (tmp_path / "sans-nom-rejets.csv").exists()


def test_rows_kept_without_their_wrong_values_are_tagged_to_check(tmp_path, capsys):
    lines = [HEADER, *ROWS, ";Association;94120;Fontenay-sous-Bois;"]  # no name: line 8
    source = excel_csv(tmp_path / "acteurs.csv", lines)
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--blank-invalid", "--data", str(data)]) == 0
    result = json.loads(capsys.readouterr().out)
    rejects = tmp_path / "acteurs-rejets.csv"
    assert result == {
        "created": 6, "updated": 0, "kept": 2, "rejected": 1, "rejects": str(rejects),
    }  # fmt: skip
    store = Store.open(data / "companion.db")
    try:
        [garage] = store.actors("garage etienne")
        assert garage.email is None and garage.commune == "Lyon"  # only the e-mail is dropped
        assert store.tags_of(garage.id) == ["À vérifier"]
        [forge] = [a for a in store.actors() if a.name.startswith("=HYPERLINK")]
        assert (forge.commune, forge.postcode) == (None, None)  # the unknown place dropped
        assert store.tags_of(forge.id) == ["À vérifier"]
        [epicerie] = store.actors("epicerie")
        assert store.tags_of(epicerie.id) == []
    finally:
        store.close()
    text = rejects.read_bytes().decode("cp1252").split("\r\n")
    assert text[1:3] == [";Association;94120;Fontenay-sous-Bois;;Nom : valeur manquante", ""]
