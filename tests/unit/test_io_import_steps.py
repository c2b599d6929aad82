"""The import's two steps as the wizard and the command line run them (companion.app.importing)."""

import json
import threading

import pytest

from companion.app.importing import ImportRequest, check_file, check_with, import_checked
from companion.cli import main
from companion.io import sources
from companion.io.import_plan import ImportRefused
from companion.io.layouts import remember_layout, saved_layout
from companion.store import Store
from tests.french import fr


def excel_csv(path, lines):
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def many_rows(tmp_path, count=600):
    lines = ["Nom;Code postal"] + [f"Acteur {i};94120" for i in range(count)]
    return excel_csv(tmp_path / "gros.csv", lines)


def test_check_then_import_on_their_own_connections_with_a_backup(store, tmp_path):
    store.add_actor("Épicerie solidaire", "association", email="contact@epicerie.example")
    path = excel_csv(
        tmp_path / "a.csv",
        [
            "Nom;Courriel;Code postal",
            "L'Épicerie;contact@epicerie.example;94120",
            "Garage solidaire;;94120",
        ],
    )
    request = ImportRequest(path, sources.detect_kind(path))
    checked = check_file(store.path, request)
    assert (checked.creates, checked.updates, checked.problems) == (1, 1, [])
    assert checked.described_updates() == [
        fr("Ligne 2 : mise à jour de « Épicerie solidaire » (même e-mail)")
    ]
    outcome = import_checked(store.path, checked)
    assert (outcome.created, outcome.updated) == (1, 1)
    assert outcome.backup.is_file() and outcome.backup.parent.name == "sauvegardes"
    assert "avant-import" in outcome.backup.name
    assert store.count_actors() == 2  # the window's connection sees the import


def test_cancelling_the_import_writes_nothing(store, tmp_path):
    checked = check_with(store, ImportRequest(many_rows(tmp_path, 2500), sources.TABLE))
    cancel = threading.Event()
    with pytest.raises(ImportRefused, match="annulé"):
        import_checked(store.path, checked, lambda *_args: cancel.set(), cancel)
    assert store.count_actors() == 0


def test_cancelling_the_check_stops_it(store, tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ImportRefused, match="annulée"):
        check_with(store, ImportRequest(many_rows(tmp_path), sources.TABLE), cancel=cancel)


def test_people_are_checked_then_imported(store, tmp_path):
    path = tmp_path / "contacts.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Durivaud;Camille;;;\r\nFN:Camille Durivaud\r\n"
        "EMAIL:camille@exemple.example\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    request = ImportRequest(path, sources.detect_kind(path))
    first = check_with(store, request)
    assert first.is_people and (first.creates, first.updates) == (1, 0)
    import_checked(store.path, first)
    again = check_with(store, request)
    assert (again.creates, again.updates) == (0, 1)
    assert again.described_updates() == [
        fr("Ligne 1 : mise à jour de « Camille Durivaud » (même e-mail)")
    ]


def test_the_cli_remembers_a_chosen_mapping_and_applies_it_by_name(tmp_path, capsys):
    data = tmp_path / "data"
    source = excel_csv(tmp_path / "a.csv", ["Raison;CP", "Coopérative Tramolin;69001"])
    mapping = tmp_path / "adherents.json"
    mapping.write_text(json.dumps({"Raison": "name", "CP": "postcode"}), encoding="utf-8")
    assert main(["import", str(source), "--mapping", str(mapping), "--data", str(data)]) == 0
    capsys.readouterr()

    store = Store.open(data / "companion.db")
    try:
        layout = saved_layout(store, ["Raison", "CP"])
        assert layout.name == "adherents" and layout.mapping == {0: "name", 1: "postcode"}
    finally:
        store.close()

    # The same layout again, no --mapping: the remembered one is used.
    assert main(["import", str(source), "--dry-run", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"creates": 0, "updates": 1, "dry_run": True}

    # Another layout, by the remembered mapping's name.
    other = excel_csv(tmp_path / "b.csv", ["Date;CP;Raison", "2024;94120;Garage Étienne"])
    assert main(["import", str(other), "--mapping", "Adhérents", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0}


def test_the_cli_names_the_remembered_mappings_when_one_is_unknown(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(data / "companion.db")
    remember_layout(store, ["Raison"], {0: "name"}, "Adhérents")
    store.close()
    source = excel_csv(tmp_path / "a.csv", ["Raison", "Coopérative Tramolin"])
    assert main(["import", str(source), "--mapping", "inconnue", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert fr("« inconnue » introuvable") in err and "(Adhérents)" in err


def test_the_cli_imports_a_gogocarto_export_with_a_default_kind(tmp_path, capsys):
    data = tmp_path / "data"
    source = tmp_path / "elements.json"
    source.write_text(
        json.dumps(
            {
                "ontology": "gogofull",
                "data": [
                    {
                        "id": "k2",
                        "name": "Jardin des Lilas",
                        "address": {"postalCode": "93260", "addressLocality": "Les Lilas"},
                        "categories": ["Jardin partagé"],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert main(["import", str(source), "--kind", "collectif", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0}
    assert main(["import", str(source), "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == {"created": 0, "updated": 1}
    store = Store.open(data / "companion.db")
    try:
        [actor] = store.actors()
        assert actor.kind == "association"  # the second import's default
        assert store.tags_of(actor.id) == ["Jardin partagé"]
    finally:
        store.close()


def test_the_import_core_never_imports_qt():
    import subprocess
    import sys

    modules = ("app.importing", "io.gogocarto", "io.layouts", "io.sources", "cli_directory")
    code = (
        "import sys\n"
        + "".join(f"import companion.{name}\n" for name in modules)
        + "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_kind_of_file_is_detected(tmp_path):
    from companion.io.xlsx import write_xlsx

    contacts = tmp_path / "outlook.csv"
    contacts.write_bytes("Prénom;Nom;Société\r\nAlix;Trombelle;Lumière\r\n".encode("cp1252"))
    geojson = tmp_path / "umap.json"
    geojson.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    workbook = tmp_path / "a.xlsx"
    write_xlsx(workbook, ["Nom"], [["Épicerie"]])
    assert sources.detect_kind(contacts) == sources.CONTACTS
    assert sources.detect_kind(geojson) == sources.GEOJSON
    assert sources.detect_kind(workbook) == sources.TABLE
    assert sources.detect_kind(tmp_path / "carnet.vcf") == sources.VCARD
    assert sources.detect_kind(excel_csv(tmp_path / "b.csv", ["Nom;Ville"])) == sources.TABLE
    head = sources.read_head(workbook)
    assert head.headers == ["Nom"] and [row.cells for row in head.rows] == [["Épicerie"]]
