"""Correcting rows in the import, and deciding row by row: the file is never changed."""

import pytest

from companion.app.importing import ImportRequest, check_with, write_checked
from companion.geo import Gazetteer
from companion.io import sources
from companion.io.actor_import import RowReader
from companion.io.corrections import (
    PLACE,
    correctable_key,
    corrected_cells,
    recheck,
    shown_value,
)
from companion.io.import_plan import BLANK, SKIP, Problem

LINES = [
    "Nom;Code postal;Commune;Courriel",
    "A;94120;Fontenay-sous-Bois;pas-un-courriel",  # line 2: e-mail
    "B;99999;Nogent-sur-Marne;",  # line 3: unknown postcode
    ";94120;Fontenay-sous-Bois;",  # line 4: no name
    "C;94120;Fontenay-sous-Bois;c@ex.example",
]


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def excel_csv(path, lines):
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def test_each_problem_names_the_cell_the_user_corrects():
    assert correctable_key(Problem(2, "Courriel", "adresse invalide")) == "email"
    assert correctable_key(Problem(3, "Commune", "code postal inconnu")) == PLACE
    assert correctable_key(Problem(3, "Code postal", "5 chiffres")) == "postcode"
    assert correctable_key(Problem(4, "", "doublon de la ligne 2")) is None
    assert correctable_key(Problem(7, "Courriel", "invalide", unit="feature")) is None
    cells = {"postcode": "99999", "commune": "Nogent-sur-Marne", "insee_code": "94052"}
    assert shown_value(cells, PLACE) == "99999 Nogent-sur-Marne"
    assert corrected_cells(PLACE, " 94130  Nogent-sur-Marne ") == {
        "postcode": "94130",
        "commune": "Nogent-sur-Marne",
        "insee_code": "",
    }
    assert corrected_cells(PLACE, "Nogent-sur-Marne")["postcode"] == ""


def test_a_typed_value_is_rechecked_with_the_imports_own_checks(gazetteer):
    reader = RowReader(gazetteer, "autre")
    cells = {"name": "A", "postcode": "94120", "email": "pas-un-courriel"}
    assert "invalide" in recheck(reader, 2, cells, "email", "a@ex")
    assert recheck(reader, 2, cells, "email", "a@ex.example") == ""
    place = {"name": "B", "postcode": "99999", "commune": "Nogent-sur-Marne"}
    assert "inconnu" in recheck(reader, 3, place, PLACE, "99998 Nogent-sur-Marne")
    assert "n'a pas le code postal" in recheck(reader, 3, place, PLACE, "94120 Nogent-sur-Marne")
    assert recheck(reader, 3, place, PLACE, "94130 Nogent-sur-Marne") == ""
    # Another field's problem is not this cell's: the e-mail's check ignores the place.
    assert recheck(reader, 3, {**place, "email": "x"}, PLACE, "94130 Nogent") == ""


def test_corrections_apply_to_the_check_and_decisions_to_the_rest(store, tmp_path):
    path = excel_csv(tmp_path / "sale.csv", LINES)
    source = path.read_bytes()
    corrections = {2: {"email": "a@ex.example"}, 3: corrected_cells(PLACE, "94130 Nogent")}
    request = ImportRequest(path, sources.TABLE, corrections=corrections)
    checked = check_with(store, request)
    assert [(p.line, p.field) for p in checked.problems] == [(4, "Nom")]
    assert checked.plan.corrected == {2, 3}
    assert checked.plan.cells[4]["commune"] == "Fontenay-sous-Bois"  # shown to be fixed
    assert checked.undecided == [4] and not checked.around
    decided = checked.with_decisions({4: SKIP})
    assert decided.undecided == [] and decided.around and decided.kept_lines() == set()
    report = write_checked(store, decided)
    assert (report.created, report.rejected, report.kept) == (3, 1, 0)
    by_name = {actor.name: actor for actor in store.actors()}
    assert by_name["A"].email == "a@ex.example"
    assert by_name["B"].commune == "Nogent-sur-Marne"
    assert path.read_bytes() == source
    assert report.rejects.read_text("utf-8-sig").splitlines()[1].startswith(";94120;")


def test_a_row_kept_without_its_wrong_value_only_where_it_can_be(store, tmp_path):
    path = excel_csv(tmp_path / "sale.csv", LINES)
    checked = check_with(store, ImportRequest(path, sources.TABLE))
    assert sorted(checked.plan.fallbacks) == [2, 3]  # a row without a name cannot be kept
    decided = checked.with_decisions({2: BLANK, 3: SKIP, 4: BLANK})
    assert decided.kept_lines() == {2}
    report = write_checked(store, decided)
    assert (report.created, report.kept, report.rejected) == (2, 1, 2)
    [a] = [actor for actor in store.actors() if actor.name == "A"]
    assert a.email is None and store.tags_of(a.id) == ["À vérifier"]
