"""Excel workbooks: actors read from the first sheet, and written back."""

import datetime as dt

import pytest
from openpyxl import Workbook

from companion.geo import Gazetteer
from companion.io.actor_export import export_actors_xlsx
from companion.io.actor_import import apply_import, plan_import
from companion.io.textfile import UnreadableFile
from companion.io.xlsx import read_xlsx_records
from tests.french import fr


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def workbook(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_cells_read_as_a_person_sees_them(tmp_path):
    path = workbook(
        tmp_path / "a.xlsx",
        [
            ["Nom", "Code postal", "Créé le", "Latitude"],
            ["Épicerie", 1000, dt.date(2025, 3, 7), 46.2],
        ],
    )
    records = list(read_xlsx_records(path))
    assert [r.line for r in records] == [1, 2]
    assert records[1].cells == ["Épicerie", "1000", "07/03/2025", "46.2"]


def test_workbook_import_and_export_round_trip(store, gazetteer, tmp_path):
    path = workbook(
        tmp_path / "acteurs.xlsx",
        [
            ["Nom", "Type", "Code postal", "Ville", "Étiquettes"],
            ["Garage solidaire", "Entreprise", 94120, "Fontenay-sous-Bois", "Mobilité"],
            ["Sans ville", "Association", 9413, None, None],
        ],
    )
    plan = plan_import(store, gazetteer, path)
    assert [str(p) for p in plan.problems] == [
        fr("Ligne 3, Commune : code postal « 09413 » inconnu")
    ]

    fixed = workbook(
        tmp_path / "corrige.xlsx",
        [
            ["Nom", "Type", "Code postal", "Étiquettes"],
            ["Garage solidaire", "Entreprise", 94120, "Mobilité"],
        ],
    )
    apply_import(store, plan_import(store, gazetteer, fixed))
    out = tmp_path / "export.xlsx"
    assert export_actors_xlsx(store, out) == 1
    again = plan_import(store, gazetteer, out)
    assert again.problems == [] and (again.creates, again.updates) == (0, 1)


def test_a_damaged_workbook_is_named(store, gazetteer, tmp_path):
    bad = tmp_path / "abime.xlsx"
    bad.write_bytes(b"PK\x03\x04 pas vraiment un zip")
    with pytest.raises(UnreadableFile, match=r"abime\.xlsx"):
        plan_import(store, gazetteer, bad)
