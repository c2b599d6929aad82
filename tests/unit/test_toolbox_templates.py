"""« Utiliser ce modèle »: a .docx for text templates, a .xlsx for grids, never overwriting."""

import docx
import openpyxl
import pytest
from toolbox_samples import make_toolbox, write_item

from companion.toolbox import items, templates


@pytest.fixture
def root(tmp_path):
    return make_toolbox(tmp_path / "toolbox")


def test_a_text_template_becomes_a_word_document(root, tmp_path):
    item = items.read_item(root, "items/modele-convention.md")
    path = templates.use_template(item, tmp_path / "Documents")
    assert path == tmp_path / "Documents" / "Convention de partenariat.docx"

    document = docx.Document(str(path))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Convention de partenariat")
    assert ("Heading 2", "Article 1 : objet") in paragraphs
    assert ("Heading 1", "Convention de partenariat") not in paragraphs  # not repeated
    assert ("List Bullet", "premier engagement") in paragraphs
    assert ("List Paragraph", "2.\tarchiver") in paragraphs
    body = next(p for p in document.paragraphs if p.text.startswith("La présente"))
    assert [run.text for run in body.runs if run.bold] == ["la coopération"]
    assert [run.text for run in body.runs if run.italic] == ["parties"]
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Partie", "Représentant"],
        ["Association", "Présidente"],
    ]
    assert document.core_properties.title == "Convention de partenariat"


def test_a_grid_becomes_a_spreadsheet(root, tmp_path):
    item = items.read_item(root, "items/modele-grille.md")
    path = templates.use_template(item, tmp_path)
    assert path.suffix == ".xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == ["Engagement", "Responsable", "Échéance", "État"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet["A"]][1:] == [
        "Organiser l'atelier",
        "Envoyer le compte rendu",
        "Publier la carte",
    ]


def test_existing_files_are_never_overwritten(root, tmp_path):
    item = items.read_item(root, "items/modele-convention.md")
    existing = tmp_path / "Convention de partenariat.docx"
    existing.write_bytes(b"mon travail")
    first = templates.use_template(item, tmp_path)
    second = templates.use_template(item, tmp_path)
    assert existing.read_bytes() == b"mon travail"
    assert first.name == "Convention de partenariat (2).docx"
    assert second.name == "Convention de partenariat (3).docx"


def test_titles_become_safe_file_names():
    assert templates.file_stem("Grille « suivi » : 2026/2027?") == "Grille « suivi » 2026 2027"
    assert templates.file_stem("...") == "Modèle"


def test_grid_detection():
    assert templates.is_grid(templates.markdown_tree("| a | b |\n|---|---|\n| 1 | 2 |\n"))
    assert not templates.is_grid(templates.markdown_tree("Un long texte.\n\n| a |\n|---|\n| 1 |\n"))


def test_a_grid_keeps_its_instructions_on_a_first_sheet(tmp_path):
    body = (
        "Remplissez la grille en équipe.\n\n1. noter\n2. comparer\n\n## Suivi\n\n"
        "| Critère | Note | Constats | Pistes |\n|---|---|---|---|\n"
        "| Pertinence | | | |\n| Coopération | | | |\n| Gouvernance | | | |\n"
    )
    write_item(tmp_path, "grille", body, title="Grille", type="modele")
    path = templates.use_template(items.read_item(tmp_path, "items/grille.md"), tmp_path / "out")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Consignes", "Suivi"]
    assert workbook.active.title == "Suivi"
    assert [row[0].value for row in workbook["Consignes"].iter_rows()] == [
        "Grille",
        "Remplissez la grille en équipe.",
        "1. noter",
        "2. comparer",
        "Suivi",
    ]


def test_checklists_keep_their_boxes(tmp_path):
    write_item(tmp_path, "liste", "- [ ] réserver la salle\n- [x] inviter\n", type="checklist")
    path = templates.use_template(items.read_item(tmp_path, "items/liste.md"), tmp_path / "out")
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert texts[1:] == ["☐ réserver la salle", "☑ inviter"]


def test_every_bundled_template_becomes_a_document(tmp_path):
    """Long summaries and real bodies included: no bundled modèle or kit fails to export."""
    from companion.toolbox.items import bundled_items

    exported = []
    for item in bundled_items():
        if item.type in ("modele", "kit", "checklist"):
            path = templates.use_template(item, tmp_path)
            assert path.stat().st_size > 0
            exported.append(path.suffix)
    assert ".docx" in exported and ".xlsx" in exported
