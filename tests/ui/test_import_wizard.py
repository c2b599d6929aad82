"""The import wizard, driven page by page: file, format, mapping, check, import, report."""

import json
import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWizard

from companion.app import importing
from companion.io.layouts import saved_layout
from companion.store.migrations import BACKUP_FOLDER
from companion.ui.data import import_run_pages
from companion.ui.data.import_state import CHECK, FORMAT, IMPORT, MAPPING
from companion.ui.data.import_wizard import ImportWizard
from tests.french import fr

TIMEOUT = 20_000


def excel_csv(path, lines):
    """French Excel: semicolons, Windows-1252, CRLF."""
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def open_wizard(qtbot, store, path) -> ImportWizard:
    wizard = ImportWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path_edit.setText(str(path))
    assert wizard.file_page.isComplete()
    wizard.next()
    assert wizard.currentId() == FORMAT
    return wizard


def wait_for_check(qtbot, wizard: ImportWizard) -> None:
    assert wizard.currentId() == CHECK
    qtbot.waitUntil(lambda: not wizard.check_page.checking, timeout=TIMEOUT)


def import_and_wait(qtbot, wizard: ImportWizard) -> None:
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    wizard.next()
    assert wizard.currentId() == IMPORT
    qtbot.waitUntil(lambda: not wizard.import_page.importing, timeout=TIMEOUT)


def test_an_excel_csv_is_read_mapped_checked_and_imported_after_a_backup(qtbot, store, tmp_path):
    path = excel_csv(
        tmp_path / "acteurs.csv",
        [
            "Nom;Type;Code postal;Ville;Courriel;Étiquettes",
            "Épicerie solidaire;Association;94120;Fontenay-sous-Bois;ep@ex.example;Alimentation",
            "Garage Étienne;Entreprise;69001;Lyon;;Mobilité",
        ],
    )
    wizard = open_wizard(qtbot, store, path)
    page = wizard.format_page
    assert page.encoding_combo.currentData() == "cp1252"
    assert page.delimiter_combo.currentData() == ";"
    assert page.preview.rowCount() == 2 and page.preview.columnCount() == 6
    assert page.preview.item(0, 0).text() == "Épicerie solidaire"

    wizard.next()
    assert wizard.currentId() == MAPPING
    mapping = wizard.mapping_page
    assert mapping.mapping() == {
        0: "name",
        1: "kind",
        2: "postcode",
        3: "commune",
        4: "email",
        5: "tags",
    }
    assert mapping.preview.rowCount() == 2
    assert mapping.preview.horizontalHeaderItem(0).text() == "Nom"

    imported = []
    wizard.imported.connect(imported.append)
    wizard.next()
    wait_for_check(qtbot, wizard)
    assert wizard.check_page.summary.text() == fr("Acteurs : 2 à créer, 0 à mettre à jour.")
    assert wizard.check_page.problems.rowCount() == 0

    import_and_wait(qtbot, wizard)
    assert store.count_actors() == 2
    [garage] = store.actors("garage etienne")
    assert garage.kind == "entreprise" and garage.insee_code == "69123"
    assert store.tags_of(garage.id) == ["Mobilité"]
    [outcome] = imported
    assert (outcome.created, outcome.updated) == (2, 0)
    assert outcome.backup.parent == store.path.parent / BACKUP_FOLDER and outcome.backup.is_file()
    report = wizard.import_page.report.text()
    assert (
        report.startswith("2 acteurs créés, 0 acteurs mis à jour, en ") and "Sauvegarde" in report
    )


def test_the_delimiter_and_encoding_can_be_overridden_and_the_preview_rereads(
    qtbot, store, tmp_path
):
    path = excel_csv(tmp_path / "a.csv", ["Nom;Ville", "Société;Évry"])
    page = open_wizard(qtbot, store, path).format_page
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(","))
    assert page.preview.columnCount() == 1
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(";"))
    assert page.preview.columnCount() == 2
    page.encoding_combo.setCurrentIndex(page.encoding_combo.findData("utf-8"))
    assert not page.isComplete() and "illisible" in page.message.text()
    page.encoding_combo.setCurrentIndex(page.encoding_combo.findData("iso-8859-15"))
    assert page.isComplete() and page.preview.item(0, 1).text() == "Évry"


def test_the_mapping_is_remembered_for_files_with_the_same_columns(qtbot, store, tmp_path):
    first = excel_csv(
        tmp_path / "adherents.csv", ["Raison;CP;Divers", "Coopérative Tramolin;69001;x"]
    )
    wizard = open_wizard(qtbot, store, first)
    wizard.next()
    page = wizard.mapping_page
    assert page.mapping() == {1: "postcode"} and not page.isComplete()
    assert "nom des acteurs" in page.warning.text()
    page.set_field(0, "name")
    page.set_field(2, "postcode")  # one column per field: CP lets it go
    assert page.mapping() == {0: "name", 2: "postcode"}
    page.set_field(1, "postcode")
    page.set_field(2, "")
    page.name_edit.setText("Adhérents")
    assert page.isComplete()
    wizard.next()
    layout = saved_layout(store, ["Raison", "CP", "Divers"])
    assert layout.name == "Adhérents" and layout.mapping == {0: "name", 1: "postcode"}
    wizard.close()

    second = excel_csv(tmp_path / "mars.csv", ["RAISON;cp;divers", "Garage Étienne;94120;y"])
    wizard = open_wizard(qtbot, store, second)
    wizard.next()
    page = wizard.mapping_page
    assert page.mapping() == {0: "name", 1: "postcode"}
    assert fr("« Adhérents »") in page.origin.text() and page.name_edit.text() == "Adhérents"


def grid_rows(table) -> list[list[str]]:
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def click_cell(qtbot, table, row: int, column: int, double: bool = False) -> None:
    """A real click (or double-click) in the middle of a grid cell."""
    rect = table.visualItemRect(table.item(row, column))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if double:
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_editor(qtbot, table) -> QLineEdit:
    """The value's editor the grid just opened (a closed one lingers until deleted)."""
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState)
    qtbot.waitUntil(lambda: any(e.isVisible() for e in table.findChildren(QLineEdit)))
    [editor] = [e for e in table.findChildren(QLineEdit) if e.isVisible()]
    return editor


def named(store, name: str):
    [actor] = [actor for actor in store.actors() if actor.name == name]
    return actor


def click(widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def test_problems_are_listed_by_line_and_field_and_block_the_import_until_settled(
    qtbot, store, tmp_path
):
    path = excel_csv(
        tmp_path / "sale.csv",
        ["Nom;Code postal;Courriel", "A;94120;pas-un-courriel", ";94120;", "B;94120;"],
    )
    wizard = open_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    table = wizard.check_page.problems
    assert grid_rows(table) == [
        [
            "2",
            "Courriel",
            "pas-un-courriel",
            fr("adresse « pas-un-courriel » invalide"),
            "À corriger",
        ],
        ["3", "Nom", "", "valeur manquante", "À corriger"],
    ]
    assert table.horizontalHeaderItem(0).text() == "Ligne"
    assert not wizard.check_page.isComplete()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert fr("2 problèmes : corrigez les valeurs dans la grille") in (
        wizard.check_page.panel.status.text()
    )
    assert "2 problèmes restent à régler" in wizard.check_page.choices.text()

    excel_csv(path, ["Nom;Code postal;Courriel", "A;94120;a@ex.example", "B;94120;"])
    wizard.check_page.recheck_button.click()
    qtbot.waitUntil(lambda: wizard.check_page.isComplete(), timeout=TIMEOUT)
    assert table.rowCount() == 0
    assert store.count_actors() == 0  # nothing written by checking


def test_a_value_is_corrected_in_the_grid_checked_as_typed_then_rechecked(qtbot, store, tmp_path):
    """Real keys in the grid: the e-mail and the place are fixed there, the file is not
    touched, the re-check applies them, and the row still wrong is set aside."""
    lines = [
        "Nom;Code postal;Commune;Courriel",
        "A;94120;Fontenay-sous-Bois;pas-un-courriel",
        "B;99999;Nogent-sur-Marne;",
        ";94120;Fontenay-sous-Bois;",
    ]
    path = excel_csv(tmp_path / "sale.csv", lines)
    source = path.read_bytes()
    wizard = open_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    page, table = wizard.check_page, wizard.check_page.problems
    assert [row[:3] for row in grid_rows(table)] == [
        ["2", "Courriel", "pas-un-courriel"],
        ["3", "Commune", "99999 Nogent-sur-Marne"],
        ["4", "Nom", ""],
    ]
    commit = wizard.button(QWizard.WizardButton.CommitButton)

    click_cell(qtbot, table, 0, 2, double=True)
    editor = open_editor(qtbot, table)
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, "a@ex")
    assert "invalide" in table.item(0, 3).text()  # checked at each key
    QTest.keyClicks(editor, ".example")
    assert table.item(0, 3).text() == "✓ corrigé"
    QTest.keyClick(editor, Qt.Key.Key_Return)  # committed by a queued call
    qtbot.waitUntil(lambda: table.item(0, 4).text() == "Corrigée, à revérifier")

    click_cell(qtbot, table, 1, 2)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = open_editor(qtbot, table)
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, "94130 Nogent-sur-Marne")
    assert table.item(1, 3).text() == "✓ corrigé"
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(1, 4).text() == "Corrigée, à revérifier")
    assert not commit.isEnabled()  # corrections wait for the re-check
    assert page.recheck_button.text() == "Revérifier avec les corrections"

    click(page.recheck_button)
    qtbot.waitUntil(lambda: not page.checking and table.rowCount() == 1, timeout=TIMEOUT)
    assert grid_rows(table)[0][:2] == ["4", "Nom"]
    assert "2 lignes corrigées ici (le fichier n'est pas modifié)" in page.summary.text()
    assert not commit.isEnabled()
    click_cell(qtbot, table, 0, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)  # set the row aside
    assert table.item(0, 4).text() == "Ligne mise de côté"
    assert commit.isEnabled()
    click(commit)
    qtbot.waitUntil(lambda: not wizard.import_page.importing, timeout=TIMEOUT)
    a, b = named(store, "A"), named(store, "B")
    assert a.email == "a@ex.example"
    assert (b.postcode, b.commune) == ("94130", "Nogent-sur-Marne")
    assert path.read_bytes() == source  # the file itself is never changed
    rejects = (tmp_path / "sale-rejets.csv").read_bytes().decode("utf-8").split("\r\n")
    assert rejects[1] == ";94120;Fontenay-sous-Bois;;Nom : valeur manquante"
    assert len([line for line in rejects if line]) == 2


def test_one_click_gives_every_problem_of_a_field_the_same_choice(qtbot, store, tmp_path):
    path = excel_csv(
        tmp_path / "sale.csv",
        [
            "Nom;Code postal;Courriel",
            "A;94120;pas-un-courriel",
            ";94120;",
            "B;94120;b@",
            "C;94120;c.ex",
            "D;94120;d@ex.example",
        ],
    )
    wizard = open_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    page, table = wizard.check_page, wizard.check_page.problems
    grid = page.grid
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert [row[1] for row in grid_rows(table)] == ["Courriel", "Nom", "Courriel", "Courriel"]
    assert not grid.all_button.isEnabled()  # nothing chosen yet
    click_cell(qtbot, table, 1, 0)  # the missing name cannot be imported without it
    assert not grid.blank_button.isEnabled() and grid.skip_button.isEnabled()
    click_cell(qtbot, table, 0, 0)
    click(grid.blank_button)
    assert grid.all_button.text() == fr("Même choix pour les 3 problèmes « Courriel »")
    click(grid.all_button)
    assert [row[4] for row in grid_rows(table)] == [
        "Importée sans la valeur", "À corriger", "Importée sans la valeur",
        "Importée sans la valeur",
    ]  # fmt: skip
    assert not commit.isEnabled()  # the missing name is still to settle
    click_cell(qtbot, table, 1, 0)
    click(grid.skip_button)
    assert commit.isEnabled()
    assert "3 lignes importées sans leurs valeurs erronées" in page.choices.text()
    assert fr("1 ligne mise de côté dans « sale-rejets.csv »") in page.choices.text()
    click(commit)
    qtbot.waitUntil(lambda: not wizard.import_page.importing, timeout=TIMEOUT)
    assert sorted(actor.name for actor in store.actors()) == ["A", "B", "C", "D"]
    for name in "ABC":
        actor = named(store, name)
        assert actor.email is None and store.tags_of(actor.id) == ["À vérifier"]
    report = wizard.import_page.report.text()
    assert "3 lignes importées sans leurs valeurs erronées" in report
    assert "1 ligne mise de côté" in report


def test_rows_can_all_be_set_aside_at_once(qtbot, store, tmp_path):
    """Ctrl+A then « Mettre la ligne de côté »: the valid rows go in, the others are in a
    rejects file beside the source, in its encoding, with a « Problème » column."""
    path = excel_csv(
        tmp_path / "sale.csv",
        ["Nom;Code postal;Courriel", "A;94120;pas-un-courriel", ";94120;", "B;94120;", "C;;"],
    )
    wizard = open_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    page, table = wizard.check_page, wizard.check_page.problems
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled()
    click_cell(qtbot, table, 0, 0)
    QTest.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    click(page.grid.skip_button)
    assert commit.isEnabled()
    click(commit)
    qtbot.waitUntil(lambda: not wizard.import_page.importing, timeout=TIMEOUT)
    assert sorted(actor.name for actor in store.actors()) == ["B", "C"]
    rejects = tmp_path / "sale-rejets.csv"
    # An all-ASCII source reads as UTF-8: its rejects have the mark Excel needs for accents.
    lines = rejects.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == "\ufeffNom;Code postal;Courriel;Problème"
    assert lines[1].startswith("A;94120;pas-un-courriel;Courriel : adresse")
    assert lines[2] == ";94120;;Nom : valeur manquante"
    report = wizard.import_page.report.text()
    assert fr(f"2 lignes mises de côté dans « {rejects} »") in report


def test_matched_records_are_named_with_what_matched_them(qtbot, store, tmp_path):
    store.add_actor("Épicerie solidaire", "association", email="contact@epicerie.example")
    path = excel_csv(tmp_path / "a.csv", ["Nom;Courriel", "L'Épicerie;contact@epicerie.example"])
    wizard = open_wizard(qtbot, store, path)
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    assert wizard.check_page.summary.text() == fr("Acteurs : 0 à créer, 1 à mettre à jour.")
    assert wizard.check_page.updates.item(0).text() == (
        fr("Ligne 2 : mise à jour de « Épicerie solidaire » (même e-mail)")
    )
    import_and_wait(qtbot, wizard)
    [actor] = store.actors()
    assert actor.name == "L'Épicerie"


def gate(monkeypatch, name):
    """Make the page's job wait after its first progress report until released."""
    release = threading.Event()
    reported = threading.Event()
    real = getattr(importing, name)

    def gated(database, request, report, cancel):
        def slow_report(done, total, message):
            report(done, total, message)
            reported.set()
            release.wait(10)

        return real(database, request, slow_report, cancel)

    monkeypatch.setattr(import_run_pages, name, gated)
    return reported, release


def many_rows(tmp_path, count):
    lines = ["Nom;Code postal"] + [f"Acteur {i};94120" for i in range(count)]
    return excel_csv(tmp_path / "gros.csv", lines)


def test_cancelling_the_import_writes_nothing(qtbot, store, tmp_path, monkeypatch):
    wizard = open_wizard(qtbot, store, many_rows(tmp_path, 2500))
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    reported, release = gate(monkeypatch, "import_checked")
    wizard.next()
    qtbot.waitUntil(reported.is_set, timeout=TIMEOUT)
    assert wizard.import_page.importing and store.count_actors() == 0
    wizard.import_page.panel.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: not wizard.import_page.importing, timeout=TIMEOUT)
    assert wizard.import_page.panel.status.text() == fr("Import annulé : rien n'a été enregistré.")
    assert store.count_actors() == 0
    assert wizard.state.outcome is None


def test_cancelling_the_check_leaves_the_import_disabled(qtbot, store, tmp_path, monkeypatch):
    reported, release = gate(monkeypatch, "check_file")
    wizard = open_wizard(qtbot, store, many_rows(tmp_path, 600))
    wizard.next()
    wizard.next()
    qtbot.waitUntil(reported.is_set, timeout=TIMEOUT)
    assert wizard.check_page.checking
    wizard.check_page.panel.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: not wizard.check_page.checking, timeout=TIMEOUT)
    assert wizard.check_page.panel.status.text() == "Vérification annulée."
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()


def test_a_gogocarto_export_skips_the_mapping_and_takes_the_default_kind(qtbot, store, tmp_path):
    path = tmp_path / "elements.json"
    elements = [
        {"id": "a1", "name": "Jardin des Lilas", "address": {"postalCode": "93260"}},
        {"id": "a2", "name": "Atelier vélo", "email": "pas-un-courriel"},
    ]
    path.write_text(json.dumps({"ontology": "gogofull", "data": elements}), encoding="utf-8")
    wizard = open_wizard(qtbot, store, path)
    page = wizard.format_page
    assert page.kind_combo.currentData() == "gogocarto"
    assert page.default_kind_combo.currentData() == "association"
    page.default_kind_combo.setCurrentIndex(page.default_kind_combo.findData("collectif"))
    wizard.next()
    wait_for_check(qtbot, wizard)
    table = wizard.check_page.problems
    assert table.horizontalHeaderItem(0).text() == "Élément"
    assert [table.item(0, column).text() for column in (0, 1, 3)] == [
        "2",
        "Courriel",
        fr("adresse « pas-un-courriel » invalide"),
    ]
    elements[1]["email"] = "atelier@velo.example"
    path.write_text(json.dumps({"ontology": "gogofull", "data": elements}), encoding="utf-8")
    wizard.check_page.recheck_button.click()
    qtbot.waitUntil(lambda: wizard.check_page.isComplete(), timeout=TIMEOUT)
    import_and_wait(qtbot, wizard)
    assert sorted(actor.kind for actor in store.actors()) == ["collectif", "collectif"]


def test_a_vcard_file_imports_people(qtbot, store, tmp_path):
    path = tmp_path / "contacts.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Durivaud;Camille;;;\r\nFN:Camille Durivaud\r\n"
        "ORG:Association Bravelune\r\nEMAIL:camille@exemple.example\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    wizard = open_wizard(qtbot, store, path)
    assert wizard.format_page.kind_combo.currentData() == "vcard"
    assert not wizard.format_page.default_kind_combo.isVisibleTo(wizard)
    wizard.next()
    wait_for_check(qtbot, wizard)
    assert wizard.check_page.summary.text() == fr("Personnes : 1 à créer, 0 à mettre à jour.")
    import_and_wait(qtbot, wizard)
    assert store.conn.execute("SELECT count(*) FROM people").fetchone()[0] == 1
    assert "1 personne créée" in wizard.import_page.report.text()
    # Listed in the directory like any import; people are not on the map.
    page = wizard.import_page
    assert page.list_button.isVisible() and page.list_button.text() == "Afficher la fiche importée"
    assert not page.show_button.isVisible()
    with qtbot.waitSignal(wizard.batch_requested) as requested:
        click(page.list_button)
    assert requested.args == [page.state.outcome.batch_id]


def test_ctrl_i_opens_the_wizard_and_the_directory_shows_the_import(qtbot, store, tmp_path):
    from companion.ui.shell.main_window import MainWindow

    from .map_helpers import dispose

    window = MainWindow(store)
    window.show()
    try:
        _import_then_show_on_the_map(qtbot, window, tmp_path)
    finally:
        dispose(qtbot, window)  # its map page goes before the store and the next test


def test_the_imported_records_are_listed_alone_and_the_import_undone(qtbot, store, tmp_path):
    """« Afficher les 2 fiches importées »: the directory lists them only, under a banner
    whose « Annuler cet import… », confirmed, takes them back as one step."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from companion.ui.shell.main_window import DIRECTORY, MainWindow

    from .map_helpers import dispose

    store.add_actor("Déjà là", "association")
    window = MainWindow(store)
    window.show()
    try:
        window.open_import_wizard()
        [wizard] = window.findChildren(ImportWizard)
        path = excel_csv(
            tmp_path / "nouveaux.csv", ["Nom;Code postal", "Jardin;94120", "Atelier;94120"]
        )
        wizard.file_page.path_edit.setText(str(path))
        wizard.next()
        wizard.next()
        wizard.next()
        wait_for_check(qtbot, wizard)
        import_and_wait(qtbot, wizard)
        button = wizard.import_page.list_button
        assert button.text() == "Afficher les 2 fiches importées"
        click(button)
        assert not wizard.isVisible() and window.pages.currentIndex() == DIRECTORY
        directory = window.directory
        assert directory.model.rowCount() == 2
        names = {directory.model.actor_at(row).name for row in range(2)}
        assert names == {"Jardin", "Atelier"}
        banner = directory.import_banner
        assert banner.isVisible()
        assert fr("Import de « nouveaux.csv »") in banner.label.text()
        assert "2 fiches affichées" in banner.label.text()

        def confirm() -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            assert "Les 2 fiches qu'il a créées seront supprimées" in box.text()
            [undo] = [b for b in box.buttons() if b.text() == "Annuler l'import"]
            QTest.mouseClick(undo, Qt.MouseButton.LeftButton)

        QTimer.singleShot(0, confirm)
        click(banner.undo_button)
        assert directory.model.rowCount() == 0
        assert window.statusBar().currentMessage() == fr("Import annulé : 2 fiches retirées.")
        assert not banner.undo_button.isEnabled()
        click(banner.close_button)
        assert not banner.isVisible()
        assert [directory.model.actor_at(0).name] == ["Déjà là"]
        assert directory.model.rowCount() == 1
    finally:
        dispose(qtbot, window)


def _import_then_show_on_the_map(qtbot, window, tmp_path) -> None:
    from PySide6.QtGui import QKeySequence

    [action] = [a for a in window.actions() if a.shortcut() == QKeySequence("Ctrl+I")]
    assert action.text() == "Importer…"
    action.trigger()
    [wizard] = window.findChildren(ImportWizard)
    path = excel_csv(tmp_path / "a.csv", ["Nom;Code postal", "Épicerie solidaire;94120"])
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    wizard.next()
    wizard.next()
    wait_for_check(qtbot, wizard)
    import_and_wait(qtbot, wizard)
    assert window.directory.model.rowCount() == 1
    assert "1 acteur" in window.status_label.text()

    # « Les voir sur la carte », clicked: the wizard closes, the map shows the actor that
    # came in.
    from companion.ui.shell.main_window import MAP

    assert wizard.import_page.list_button.text() == "Afficher la fiche importée"
    button = wizard.import_page.show_button
    assert button.isVisible() and button.text() == "Les voir sur la carte"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible() and window.pages.currentIndex() == MAP
    with qtbot.waitSignal(window.map_page.view.actors_shown, timeout=60_000) as shown:
        pass
    assert shown.args == [1, 1]
    view = window.map_page.view  # its card opens: done before the window goes
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=60_000)


def test_an_excel_workbook_needs_no_encoding(qtbot, store, tmp_path):
    from companion.io.xlsx import write_xlsx

    path = tmp_path / "acteurs.xlsx"
    write_xlsx(path, ["Raison sociale", "Code postal"], [["Épicerie solidaire", 94120]])
    wizard = open_wizard(qtbot, store, path)
    page = wizard.format_page
    assert not page.encoding_combo.isVisibleTo(wizard) and page.isComplete()
    assert page.preview.item(0, 1).text() == "94120"
    wizard.next()
    assert wizard.mapping_page.mapping() == {0: "name", 1: "postcode"}
    wizard.next()
    wait_for_check(qtbot, wizard)
    import_and_wait(qtbot, wizard)
    [actor] = store.actors()
    assert actor.postcode == "94120" and actor.commune == "Fontenay-sous-Bois"


def test_a_umap_map_with_lines_and_an_area_imports_its_relations(qtbot, store, tmp_path):
    """Never refused for its lines or areas: the lines between actors become relations of
    the type chosen (with real clicks and keys), the area a zone."""

    def point(name, longitude, latitude):
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
        return {"type": "Feature", "geometry": geometry, "properties": {"name": name}}

    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[4.8357, 45.764], [4.84, 45.76]]},
        "properties": {},
    }
    area = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.8, 45.7]]],
        },
        "properties": {"name": "Quartier prioritaire"},
    }
    layer = {
        "type": "FeatureCollection",
        "_umap_options": {"name": "Partenaires"},
        "features": [point("Tiers-lieu", 4.8357, 45.764), point("Garage", 4.84, 45.76), line, area],
    }
    path = tmp_path / "quartier.umap"
    path.write_text(json.dumps({"type": "umap", "layers": [layer]}), encoding="utf-8")
    wizard = open_wizard(qtbot, store, path)
    page = wizard.format_page
    assert page.kind_combo.currentData() == "geojson"
    combo = page.relation_type_combo
    assert combo.isVisible() and combo.currentData() == "autre"
    combo.setFocus()
    QTest.keyClicks(combo, "Financement")  # typed to select, as a keyboard user does
    assert combo.currentData() == "financement"
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, wizard)
    check = wizard.check_page
    assert "1 ligne entre acteurs" in check.summary.text()
    assert "1 zone à ajouter." in check.summary.text()
    assert "mis de côté" not in check.summary.text()
    assert check.isComplete()
    import_and_wait(qtbot, wizard)
    [(kind,)] = store.conn.execute("SELECT type FROM relations WHERE deleted = 0").fetchall()
    assert kind == "financement"
    assert "1 relation créée. 1 zone ajoutée." in wizard.import_page.report.text()
    assert store.conn.execute("SELECT name FROM zones").fetchall() == [("Quartier prioritaire",)]


def test_a_umap_map_imports_its_zones_or_skips_them_as_chosen(qtbot, store, tmp_path):
    """The format page's choice, made with real keys: zones kept by default; « Les
    ignorer » lists each one set aside and keeps none."""
    from zone_maps import quartier_umap, write_map

    path = write_map(tmp_path / "pentes.umap", quartier_umap())
    wizard = open_wizard(qtbot, store, path)
    combo = wizard.format_page.zones_combo
    assert combo.isVisible() and combo.currentData() is False  # zones, by default
    combo.setFocus()
    QTest.keyClicks(combo, "Les ignorer")  # typed to select, as a keyboard user does
    qtbot.waitUntil(lambda: combo.currentData() is True)
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, wizard)
    check = wizard.check_page
    assert "2 éléments mis de côté" in check.summary.text()
    notes = [check.updates.item(row).text() for row in range(check.updates.count())]
    assert notes == [
        fr("Élément 4 : zone « QPV Pentes de la Croix-Rousse » ignorée"),
        fr("Élément 5 : zone ignorée"),
    ]
    import_and_wait(qtbot, wizard)
    assert store.conn.execute("SELECT count(*) FROM zones").fetchone()[0] == 0
    assert "zone" not in wizard.import_page.report.text()


def test_a_umap_map_brings_its_zones_by_default(qtbot, store, tmp_path):
    from zone_maps import quartier_umap, write_map

    path = write_map(tmp_path / "pentes.umap", quartier_umap())
    wizard = open_wizard(qtbot, store, path)
    assert wizard.format_page.zones_combo.currentData() is False
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, wizard)
    assert "2 zones à ajouter." in wizard.check_page.summary.text()
    import_and_wait(qtbot, wizard)
    assert "2 zones ajoutées." in wizard.import_page.report.text()
    assert store.conn.execute("SELECT count(*) FROM zones").fetchone()[0] == 2


def test_a_file_that_cannot_be_checked_shows_the_reason_and_no_empty_table(qtbot, store, tmp_path):
    path = tmp_path / "casse.umap"
    path.write_text("pas du json", encoding="utf-8")
    wizard = open_wizard(qtbot, store, path)
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wait_for_check(qtbot, wizard)
    page = wizard.check_page
    assert "fichier illisible (ce n'est pas du JSON valide)" in page.panel.status.text()
    assert not page.problems.isVisible() and not page.isComplete()


def test_recent_imports_lists_each_import_and_enter_shows_it(qtbot, store, tmp_path):
    from companion.app.importing import ImportRequest, check_with, write_checked
    from companion.io import sources
    from companion.ui.data.recent_imports import RecentImportsDialog
    from companion.ui.shell.main_window import DIRECTORY, MainWindow

    from .map_helpers import dispose

    for name, rows in (("premier.csv", ["A;94120"]), ("second.csv", ["B;94120", "C;94120"])):
        path = excel_csv(tmp_path / name, ["Nom;Code postal", *rows])
        write_checked(store, check_with(store, ImportRequest(path, sources.TABLE)))
    window = MainWindow(store)
    window.show()
    try:
        window.actions_by_name["recent_imports"].trigger()
        [dialog] = window.findChildren(RecentImportsDialog)
        qtbot.waitUntil(dialog.isVisible)
        table = dialog.table
        assert [table.item(row, 1).text() for row in range(2)] == ["second.csv", "premier.csv"]
        assert [table.item(0, column).text() for column in (2, 3, 4)] == ["2", "0", "en place"]
        QTest.keyClick(table, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert window.pages.currentIndex() == DIRECTORY
        model = window.directory.model
        assert sorted(model.actor_at(row).name for row in range(model.rowCount())) == ["B", "C"]
        assert fr("« second.csv »") in window.directory.import_banner.label.text()
    finally:
        dispose(qtbot, window)


def test_browse_opens_in_the_folder_of_the_last_import(qtbot, store, tmp_path):
    """« Parcourir… » (a real click): the chooser opens in Documents the first time, then
    where the last file was chosen, never in the program's folder."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from companion.ui.common.file_dialogs import documents_folder

    folder = tmp_path / "tableurs"
    folder.mkdir()
    path = excel_csv(folder / "adherents.csv", ["Nom;Code postal", "A;94120"])
    wizard = ImportWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    seen: list[str] = []

    def choose(chosen: str | None) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        seen.append(dialog.directory().absolutePath())
        if chosen:
            dialog.selectFile(chosen)
            dialog.accept()
        else:
            dialog.reject()

    QTimer.singleShot(0, lambda: choose(str(path)))
    click(wizard.file_page.browse_button)
    assert wizard.file_page.path_edit.text() == str(path)
    wizard.file_page.path_edit.clear()
    QTimer.singleShot(0, lambda: choose(None))
    click(wizard.file_page.browse_button)
    assert seen == [str(documents_folder()), str(folder)]
