"""Formula injection (issue #14, item 3): text that a spreadsheet would run as a formula
goes out neutralised in every CSV and XLSX export, and comes back exactly on re-import."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.app.archive import export_archive
from companion.geo import Gazetteer
from companion.io.actor_export import export_actors_csv, export_actors_xlsx
from companion.io.actor_import import apply_import, plan_import
from companion.io.cells import FORMULA_STARTS, quote_formula, unquote_formula
from companion.store import Store

EVIL = '=HYPERLINK("http://evil.example","x")'
NOTES = ["+1 atelier", "-2 à prévoir", "@SUM(A1:A2)", "\tpremière ligne", "\rretour", "'=déjà cité"]
PHONE = "+33 1 23 45 67 89"


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def dangerous_actors(store: Store) -> dict[str, str]:
    """Actors whose name or description a spreadsheet would read as a formula; id -> name."""
    made = {store.add_actor(EVIL, "association", description=NOTES[0]).id: EVIL}
    for number, note in enumerate(NOTES[1:], start=2):
        made[store.add_actor(f"Acteur {number}", "collectif", description=note).id] = note
    negative = store.add_actor(
        "-Tiret", "autre", phone="+33123456789", latitude=47.2, longitude=-1.55,
    )  # fmt: skip
    made[negative.id] = "-Tiret"
    return made


def test_escaping_is_reversible_and_only_touches_formulas():
    assert quote_formula(EVIL) == "'" + EVIL
    for note in NOTES[:5]:
        assert quote_formula(note) == "'" + note
    assert quote_formula("'=déjà cité") == "''=déjà cité"  # so the import removes only one
    assert quote_formula("l'Étoile") == "l'Étoile"
    assert quote_formula("'t Hooft") == "'t Hooft"
    assert quote_formula("Plain") == "Plain" and quote_formula("") == ""
    assert unquote_formula("'t Hooft") == "'t Hooft"
    assert unquote_formula("'" + EVIL) == EVIL
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@given(st.text(alphabet=st.sampled_from("='+-@\t\r ab"), max_size=8))
def test_every_text_comes_back(text):
    assert unquote_formula(quote_formula(text)) == text
    quoted = quote_formula(text)
    assert quoted[:1] not in FORMULA_STARTS


def csv_cells(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def assert_no_formula_cell(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_STARTS or _is_number(cell), repr(cell)


def _is_number(cell: str) -> bool:
    return re.fullmatch(r"-?\d+([.,]\d+)?", cell) is not None


def test_csv_export_quotes_formulas_and_imports_them_back(store, gazetteer, tmp_path):
    made = dangerous_actors(store)
    out = tmp_path / "acteurs.csv"
    export_actors_csv(store, out)
    rows = csv_cells(out)
    assert_no_formula_cell(rows)
    header = rows[0]
    by_name = {row[header.index("Nom")]: row for row in rows[1:]}
    assert "'" + EVIL in by_name
    descriptions = {row[header.index("Description")] for row in rows[1:]}
    assert {"'" + note for note in NOTES} <= descriptions
    tiret = by_name["'-Tiret"]
    assert tiret[header.index("Longitude")] == "-1,55"  # a number stays a number

    assert_round_trip(store, gazetteer, out, made, tmp_path)


def assert_round_trip(store, gazetteer, path, made, tmp_path) -> None:
    fresh = Store.open(tmp_path / f"copie-{path.suffix[1:]}.db")
    try:
        plan = plan_import(fresh, gazetteer, path)
        assert plan.problems == []
        apply_import(fresh, plan)
        for actor_id in made:
            before, after = store.get_actor(actor_id), fresh.get_actor(actor_id)
            assert (after.name, after.description) == (before.name, before.description)
            assert (after.phone, after.longitude) == (before.phone, before.longitude)
    finally:
        fresh.close()


def test_xlsx_export_writes_text_never_formulas(store, gazetteer, tmp_path):
    made = dangerous_actors(store)
    out = tmp_path / "acteurs.xlsx"
    export_actors_xlsx(store, out)
    assert_workbook_has_no_formula(out)
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    names = {row[header.index("Nom")].value: row for row in sheet.iter_rows(min_row=2)}
    evil = names[EVIL][header.index("Nom")]
    assert evil.data_type == "s" and evil.quotePrefix  # stays text when edited in Excel
    assert names["-Tiret"][header.index("Longitude")].value == -1.55
    assert names["-Tiret"][header.index("Longitude")].data_type == "n"

    assert_round_trip(store, gazetteer, out, made, tmp_path)


def assert_workbook_has_no_formula(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_the_archive_readable_copy_quotes_formulas_and_imports_back(gazetteer, tmp_path):
    folder = tmp_path / "donnees"
    folder.mkdir()
    store = Store.open(folder / "companion.db")
    try:
        made = dangerous_actors(store)
        person = store.add_person(EVIL, "Martin", notes=NOTES[3], phone="+33612345678")
        others = [store.add_person(f"P{n}", "Nom", notes=note) for n, note in enumerate(NOTES)]
        out = export_archive(store.path, tmp_path / "tout.zip").path
        readable = tmp_path / "lisible"
        with zipfile.ZipFile(out) as archive:
            for name in archive.namelist():
                if name.startswith("lisible/") and name.endswith(".csv"):
                    target = readable / name.removeprefix("lisible/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
        for table in readable.rglob("*.csv"):
            assert_no_formula_cell(csv_cells(table))
        people = csv_cells(readable / "tables" / "people.csv")
        assert any("'" + EVIL in row for row in people)
        assert any("'+33612345678" in row for row in people)

        # The directory's CSV and the raw actors table both import back exactly.
        assert_round_trip(store, gazetteer, readable / "acteurs.csv", made, tmp_path)
        raw = readable / "tables" / "actors.csv"
        raw_copy = tmp_path / "brut" / "actors.csv"
        raw_copy.parent.mkdir()
        raw_copy.write_bytes(raw.read_bytes())
        assert_round_trip(store, gazetteer, raw_copy, made, tmp_path / "brut")

        # The people table is a contacts CSV: its names and notes come back exactly.
        from companion.io.contacts_csv import read_contacts

        people_csv = readable / "tables" / "people.csv"
        cards = {card.first_name: card for card in read_contacts(people_csv)}
        assert cards[EVIL].note == person.notes and cards[EVIL].phones == ["+33612345678"]
        for other in others:
            assert cards[other.first_name].note == other.notes
    finally:
        store.close()


def test_toolbox_grids_from_the_hub_never_become_formulas(tmp_path):
    from toolbox_samples import write_item

    from companion.toolbox import items, templates

    body = (
        '=HYPERLINK("http://evil.example","consigne")\n\n'
        "## Suivi\n\n| Critère | Note |\n|---|---|\n"
        f"| {EVIL.replace('|', '')} | @SUM(1+1) |\n| +33 | -2 |\n"
    )
    write_item(tmp_path, "grille", body, title="=Grille", type="modele")
    path = templates.use_template(items.read_item(tmp_path, "items/grille.md"), tmp_path / "out")
    assert_workbook_has_no_formula(path)
    sheet = openpyxl.load_workbook(path)["Suivi"]
    assert [cell.value for cell in sheet[2]] == [EVIL, "@SUM(1+1)"]
    assert all(cell.quotePrefix for cell in sheet[2])
    notes = openpyxl.load_workbook(path)["Consignes"]
    assert notes["A1"].value == "=Grille" and notes["A1"].data_type == "s"
