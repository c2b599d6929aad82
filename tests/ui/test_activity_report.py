"""« Rapport d'activité »: the dialog from the Fichier menu, its preview computed in the
background, PDF / .docx exports and printing, personal data left out unless asked."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QDialog, QFileDialog

from companion.geo import Gazetteer
from companion.insights.activity import activity_report
from companion.insights.report_period import (
    CUSTOM,
    LAST_QUARTER,
    LAST_YEAR,
    THIS_QUARTER,
    Period,
    period_name,
    preset_period,
)
from companion.store import Store
from companion.ui.reports import activity_dialog as activity_report_dialog
from companion.ui.reports import activity_export as activity_report_export
from companion.ui.reports.activity_dialog import ActivityReportDialog
from tests.french import fr

from .conftest import Network, make_window

NAME = "Quetzalcoatl"  # the one person's last name: never printed unless asked


def last_quarter(today: date) -> tuple[date, date]:
    current = (today.month - 1) // 3  # 0 to 3
    if current == 0:
        return date(today.year - 1, 10, 1), date(today.year - 1, 12, 31)
    start = date(today.year, 3 * current - 2, 1)
    return start, date(today.year, 3 * current + 1, 1) - timedelta(days=1)


START, END = last_quarter(date.today())


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def activity(store: Store) -> Network:
    """Workshops and meetings in last quarter and around it, in Haute-Savoie and Rhône."""

    def add(name: str, kind: str, insee: str, commune: str) -> str:
        return store.add_actor(
            name, kind, insee_code=insee, commune=commune, departement=insee[:2]
        ).id

    ids = {
        "mont": add("Association du Mont", "association", "74056", "Chamonix-Mont-Blanc"),
        "lumi": add("Lumiplast", "entreprise", "74010", "Annecy"),
        "tiers": add("Tiers-lieu des Pentes", "collectif", "69123", "Lyon"),
    }
    person = store.add_person("Zéphyrine", NAME).id
    meet = store.add_interaction
    day = START.isoformat
    meet("atelier", day(), actor_id=ids["mont"], title="Atelier diagnostic")
    meet("atelier", (START + timedelta(days=20)).isoformat(), actor_id=ids["tiers"])
    meet("reunion", (START + timedelta(days=40)).isoformat(), actor_id=ids["lumi"],
         title="Comité de pilotage", person_id=person, notes="Note confidentielle")  # fmt: skip
    meet("reunion", END.isoformat(), actor_id=ids["tiers"], title="Point d'étape")
    meet("atelier", (START - timedelta(days=1)).isoformat(), actor_id=ids["mont"])  # before
    meet("reunion", (END + timedelta(days=1)).isoformat(), actor_id=ids["lumi"])  # after
    relate = store.add_relation
    relate(ids["mont"], ids["lumi"], "partenariat", start_date=(START + timedelta(10)).isoformat())
    relate(ids["lumi"], ids["tiers"], "financement", start_date="2020-01-01")  # active only
    relate(ids["tiers"], ids["mont"], "adhesion", start_date=(END + timedelta(1)).isoformat())
    return Network(store, ids)


def open_dialog(qtbot, network: Network, window=None) -> ActivityReportDialog:
    window = window or make_window(qtbot, network)
    window.actions_by_name["activity_report"].trigger()
    dialog = window.findChild(ActivityReportDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    wait_for_report(qtbot, dialog)
    return dialog


def wait_for_report(qtbot, dialog: ActivityReportDialog) -> None:
    qtbot.waitUntil(dialog.exportable, timeout=10_000)


def flat(text: str) -> str:
    return " ".join(text.split())


def figure(text: str, name: str) -> int:
    """The number the preview shows above a key figure's name."""
    found = re.search(rf"(\d+)\s+{name}\b", text)
    assert found, f"{name} not in {text!r}"
    return int(found.group(1))


def pdf_text(path: Path) -> str:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    assert document.pageCount() >= 1
    return flat(" ".join(document.getAllText(p).text() for p in range(document.pageCount())))


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


@pytest.fixture
def saves(monkeypatch, tmp_path: Path):
    """Answer the save dialogs with files in tmp_path; never open what is written."""
    calls: dict[str, list] = {"suggested": [], "opened": []}

    def save_as(_parent, _title, suggested, _filter):
        calls["suggested"].append(Path(suggested))
        return str(tmp_path / "sortie" / Path(suggested).name), ""

    def open_saved(_parent, _title, path, _message=""):
        calls["opened"].append(str(path))  # « Ouvrir » (tests/ui/test_saved_file.py)
        return "open"

    (tmp_path / "sortie").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    monkeypatch.setattr(activity_report_export, "open_saved", open_saved)
    return calls


def test_the_menu_opens_last_quarter_and_previews_its_figures(
    qtbot, activity: Network, gazetteer
) -> None:
    window = make_window(qtbot, activity)
    action = window.actions_by_name["activity_report"]
    assert action.text() == "Rapport d'activité…"
    assert action.shortcut().toString() == "Ctrl+Shift+R"
    shortcuts = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+Shift+R") == 1
    dialog = open_dialog(qtbot, activity, window)
    assert not dialog.isModal()
    assert dialog.preset.currentData() == LAST_QUARTER
    assert (dialog.period().start, dialog.period().end) == (START, END)
    assert dialog.start_edit.displayFormat() == "dd/MM/yyyy"

    expected = activity_report(activity.store.conn, gazetteer, START, END)
    assert dialog.report == expected
    assert expected.exchange_count == 4 and sum(expected.created.values()) == 1
    text = dialog.preview.toPlainText()
    assert f"du {START:%d/%m/%Y} au {END:%d/%m/%Y}" in text
    assert figure(text, "Échanges") == expected.exchange_count
    assert figure(text, "Ateliers") == expected.by_kind["atelier"] == 2
    assert figure(text, "Réunions") == expected.by_kind["reunion"] == 2
    assert figure(text, "Acteurs réunis") == expected.actors_convened == 3
    assert figure(text, "Alliances créées") == 1
    assert figure(text, "Alliances en cours") == sum(expected.active.values()) == 2
    assert "Haute-Savoie (74)" in text and "Rhône (69)" in text
    # The monthly chart is an image the preview can show (Qt has no inline SVG).
    assert dialog.preview.images
    assert all(not image.isNull() for image in dialog.preview.images.values())
    assert "<svg" not in dialog.preview.toHtml()
    # Closed, it is hidden; shown again by the action, it recomputes: the base changed.
    dialog.close()
    activity.store.add_interaction("atelier", END.isoformat(), actor_id=activity.ids["mont"])
    with qtbot.waitSignal(dialog.report_shown, timeout=10_000) as shown:
        action.trigger()
    assert window.findChildren(ActivityReportDialog) == [dialog]
    assert shown.args[0].exchange_count == 5
    assert figure(dialog.preview.toPlainText(), "Ateliers") == 3


def test_a_base_whose_exchanges_are_older_opens_on_their_latest_quarter(
    qtbot, store: Store
) -> None:
    """The demo network (or an import of last year's sheet): never a page of zeros."""
    actor = store.add_actor("Association du Mont", "association")
    store.add_interaction("atelier", "2024-05-18", actor_id=actor.id, title="Atelier")
    store.add_interaction("reunion", "2023-11-02", actor_id=actor.id, title="Réunion")
    dialog = open_dialog(qtbot, Network(store, {"mont": actor.id}))
    assert dialog.preset.currentData() == CUSTOM
    assert (dialog.period().start, dialog.period().end) == (date(2024, 4, 1), date(2024, 6, 30))
    assert figure(dialog.preview.toPlainText(), "Échanges") == 1


def test_changing_the_period_or_the_territory_recomputes(
    qtbot, activity: Network, gazetteer
) -> None:
    dialog = open_dialog(qtbot, activity)
    with qtbot.waitSignal(dialog.report_shown, timeout=10_000) as shown:
        dialog.set_period(START - timedelta(days=1), END + timedelta(days=1))
        assert dialog.preset.currentData() == CUSTOM
        assert not dialog.pdf_button.isEnabled()  # the preview is about to change
    assert shown.args[0].exchange_count == 6

    qtbot.waitUntil(dialog.territory.edit.isEnabled)  # the place index, built on opening
    dialog.territory.edit.setText("Haute-Savoie")
    (first, *_others) = dialog.territory.candidates()
    assert first.label == "Haute-Savoie (74)"
    with qtbot.waitSignal(dialog.report_shown, timeout=10_000) as shown:
        dialog.territory.matches.itemClicked.emit(dialog.territory.matches.item(0))
    expected = activity_report(
        activity.store.conn, gazetteer, START - timedelta(1), END + timedelta(1), first
    )
    assert shown.args[0] == expected
    assert expected.exchange_count == 4  # Chamonix and Annecy; Lyon left out
    assert "Haute-Savoie (74)" in dialog.preview.toPlainText()

    with qtbot.waitSignal(dialog.report_shown, timeout=10_000) as shown:
        dialog.territory.edit.clear()  # the whole network again
        dialog.preset.setCurrentIndex(dialog.preset.findData(LAST_YEAR))
    year = date.today().year - 1
    assert (shown.args[0].start, shown.args[0].end) == (f"{year}-01-01", f"{year}-12-31")
    assert shown.args[0].territory is None


def test_names_of_people_only_when_asked(qtbot, activity: Network, saves, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, activity)
    assert not dialog.personal.isChecked()
    assert not dialog.personal_warning.isVisible()
    assert NAME not in dialog.preview.toPlainText()
    assert "confidentielle" not in dialog.preview.toPlainText()
    pdf = dialog.export_pdf()
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as written:
        dialog.export_docx()
    assert NAME not in pdf_text(pdf)
    assert NAME not in docx_text(written.args[0])
    assert "confidentielle" not in docx_text(written.args[0])

    with qtbot.waitSignal(dialog.report_shown, timeout=10_000):
        dialog.personal.setChecked(True)
    assert dialog.personal_warning.isVisible()
    assert f"Zéphyrine {NAME}" in dialog.preview.toPlainText()
    assert NAME in pdf_text(dialog.export_pdf())
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as written:
        dialog.export_docx()
    assert NAME in docx_text(written.args[0])
    assert "Note confidentielle" in docx_text(written.args[0])


def test_pdf_export_is_a4_named_after_the_quarter_and_never_overwrites(
    qtbot, activity: Network, saves, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, activity)
    dialog.documents_folder = tmp_path
    quarter = f"T{(START.month - 1) // 3 + 1} {START.year}"
    (tmp_path / f"Rapport d'activité {quarter}.pdf").write_bytes(b"already there")
    with qtbot.waitSignal(dialog.exported) as written:
        path = dialog.export_pdf()
    assert saves["suggested"] == [tmp_path / f"Rapport d'activité {quarter} (2).pdf"]
    assert written.args[0] == path and path.parent == tmp_path / "sortie"
    assert (tmp_path / f"Rapport d'activité {quarter}.pdf").read_bytes() == b"already there"
    text = pdf_text(path)
    assert f"du {START:%d/%m/%Y} au {END:%d/%m/%Y}" in text
    assert "Atelier diagnostic" in text
    document = QPdfDocument()
    document.load(str(path))
    size = document.pagePointSize(0)
    assert (round(size.width()), round(size.height())) == (595, 842)  # A4 portrait
    assert saves["opened"] == [str(path)]  # offered, accepted, opened
    assert "Rapport enregistré" in dialog.status.text()


def test_docx_export_holds_the_figures(qtbot, activity: Network, saves, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, activity)
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as written:
        job = dialog.export_docx()
        assert job is not None
        assert not dialog.docx_button.isEnabled()  # one write at a time
    path = written.args[0]
    assert path.suffix == ".docx" and path.parent == tmp_path / "sortie"
    text = docx_text(path)
    assert f"Rapport d'activité du {START:%d/%m/%Y} au {END:%d/%m/%Y}" in text
    assert "Échanges | 4" in text
    assert "Acteurs réunis | 3" in text
    assert "Alliances créées | 1" in text
    assert "Alliances en cours | 2" in text
    assert "Atelier diagnostic" in text
    assert not list(path.parent.glob(".*partiel"))
    assert saves["opened"] == [str(path)]
    qtbot.waitUntil(dialog.docx_button.isEnabled)


def test_print_sends_the_report_to_the_chosen_printer(
    qtbot, activity: Network, tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "imprime.pdf"

    class FakePrintDialog:
        def __init__(self, printer, _parent) -> None:
            printer.setOutputFormat(printer.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(target))

        def setWindowTitle(self, _title: str) -> None:  # noqa: N802
            pass

        def exec(self) -> int:
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(activity_report_dialog, "QPrintDialog", FakePrintDialog)
    dialog = open_dialog(qtbot, activity)
    assert dialog.print_report()
    assert "Atelier diagnostic" in pdf_text(target)


def test_an_invalid_period_is_explained_and_exports_nothing(
    qtbot, activity: Network, saves, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, activity)
    dialog.set_period(END, START)
    assert dialog.preset.currentData() == CUSTOM
    assert dialog.problem.isVisible()
    assert dialog.problem.text() == (
        fr(
            f"La date de début ({END:%d/%m/%Y}) est postérieure à la date de fin "
            f"({START:%d/%m/%Y}) : corrigez la période."
        )
    )
    qtbot.waitUntil(lambda: "période n'est pas valide" in dialog.preview.toPlainText())
    for button in (dialog.pdf_button, dialog.docx_button, dialog.print_button):
        assert not button.isEnabled()
    assert dialog.export_pdf() is None
    assert dialog.export_docx() is None
    assert not dialog.print_report()
    assert saves["suggested"] == []
    assert list((tmp_path / "sortie").iterdir()) == []
    # Put right, the report comes back.
    dialog.preset.setCurrentIndex(dialog.preset.findData(LAST_QUARTER))
    assert not dialog.problem.isVisible()
    wait_for_report(qtbot, dialog)


def test_periods_and_their_file_names() -> None:
    january = date(2027, 1, 15)
    assert preset_period(LAST_QUARTER, january) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert preset_period(THIS_QUARTER, january) == Period(date(2027, 1, 1), january)
    assert preset_period(LAST_YEAR, january) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert period_name(Period(date(2026, 10, 1), date(2026, 12, 31)), january) == "T4 2026"
    assert period_name(Period(date(2027, 1, 1), january), january) == "T1 2027"  # to date
    assert period_name(Period(date(2026, 1, 1), date(2026, 12, 31)), january) == "2026"
    custom = Period(date(2026, 2, 1), date(2026, 3, 15))
    assert period_name(custom, january) == "du 01-02-2026 au 15-03-2026"
    assert not Period(date(2026, 3, 15), date(2026, 2, 1)).valid
