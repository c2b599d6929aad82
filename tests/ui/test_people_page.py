"""The directory's people tab: table, search, card, form, RGPD export, erasure and review."""

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from companion.directory.personal_data import REVIEW_YEARS_SETTING
from companion.store import Store
from companion.ui.directory.page import PEOPLE, DirectoryPage
from companion.ui.directory.people_table_model import PERSON_ID_ROLE, PeopleTableModel
from companion.ui.directory.person_form import PersonForm
from companion.ui.directory.review_dialog import ReviewDialog
from tests.french import fr

from .conftest import Network

EMAIL = "alice.martin@example.org"


def add_details(network: Network) -> str:
    """Alice gets contacts, RGPD fields and an exchange of her own; returns her id."""
    store = network.store
    alice = next(p for p in store.conn.execute("SELECT id FROM people WHERE first_name = 'Alice'"))
    store.update_record(
        "people",
        alice[0],
        email=EMAIL,
        phone="+33612345678",
        legal_basis="interet_legitime",
        collected_on="2020-01-15",
        collection_source="Forum des associations",
        notes="Préfère être appelée le matin",
    )
    store.add_interaction("appel", "2021-02-03", person_id=alice[0], title="Premier contact")
    return alice[0]


def make_page(qtbot, network: Network) -> DirectoryPage:
    page = DirectoryPage(network.store)
    qtbot.addWidget(page)
    page.resize(1100, 650)
    page.show()
    qtbot.waitExposed(page)
    page.show_people()
    return page


def row_of(model: PeopleTableModel, name: str) -> int:
    return next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)


def test_people_table_columns_and_cells(network: Network) -> None:
    alice = add_details(network)
    model = PeopleTableModel(network.store)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Nom",
        "Organisations",
        "E-mail",
        "Téléphone",
        "Dernier échange",
        "Visibilité",
    ]
    assert model.rowCount() == 2
    assert [model.index(r, 0).data() for r in range(2)] == ["Bruno Durand", "Alice Martin"]
    cells = [model.index(1, c).data() for c in range(6)]
    assert cells == [
        "Alice Martin",
        "École des Jardins partagés",
        EMAIL,
        "06 12 34 56 78",
        "2021-02-03",
        "Réseau",
    ]
    assert model.index(1, 0).data(PERSON_ID_ROLE) == alice
    model.sort(4, Qt.SortOrder.DescendingOrder)  # the last exchange first
    assert model.index(0, 0).data() == "Alice Martin"


def test_people_tab_searches_and_shows_the_card(qtbot, network: Network) -> None:
    add_details(network)
    page = make_page(qtbot, network)
    assert page.tabs.currentIndex() == PEOPLE
    assert page.count_label.text() == "2 personnes"
    assert page.search_box.placeholderText().startswith("Rechercher une personne")
    qtbot.keyClicks(page.search_box, "alice")
    qtbot.waitUntil(lambda: page.people.model.rowCount() == 1)
    assert page.count_label.text() == "1 résultat"
    page.people.table.selectRow(0)
    text = page.people.card.plain_text().splitlines()
    for expected in (
        "Alice Martin",
        EMAIL,
        "06 12 34 56 78",
        "Préfère être appelée le matin",
        "École des Jardins partagés — Présidente",
        "Données personnelles (RGPD)",
        fr("Base légale : Intérêt légitime"),
        fr("Date de collecte : 2020-01-15"),
        fr("Source de la collecte : Forum des associations"),
        fr("Dernier échange : 2021-02-03"),
    ):
        assert expected in text, expected
    assert page.people.card.timeline is not None
    assert any("Premier contact" in line for line in page.people.card.timeline.headlines())
    page.show_actors()
    assert page.count_label.text() == "Aucun résultat"  # the same search on the actors


def test_new_person_form_names_the_wrong_field_and_saves_nothing(qtbot, network: Network) -> None:
    page = make_page(qtbot, network)
    form = page.people.new_person()
    form.first_name.setText("Chloé")
    form.last_name.setText("Zola")
    form.email.setText("chloe@")
    form.accept()
    assert form.isVisible()
    assert form.error_label.text().startswith(fr("E-mail : « chloe@ »"))
    assert network.store.counts(["people"])["people"] == 2
    form.email.setText("chloe@example.org")
    form.phone.setText("12")
    form.accept()
    assert form.error_label.text().startswith(fr("Téléphone : "))
    assert network.store.counts(["people"])["people"] == 2
    form.phone.setText("06 98 76 54 32")
    form.legal_basis.setCurrentIndex(form.legal_basis.findData("consentement"))
    form.collected_on.setDate(QDate(2024, 5, 2))
    form.collection_source.setText("Salon")
    with qtbot.waitSignal(page.status_message) as message:
        form.accept()
    assert message.args == [fr("Chloé Zola : fiche ajoutée — Ctrl+Z pour annuler")]
    row = network.store.conn.execute(
        "SELECT email, phone, legal_basis, collected_on, collection_source FROM people "
        "WHERE last_name = 'Zola'"
    ).fetchone()
    assert row == ("chloe@example.org", "+33698765432", "consentement", "2024-05-02", "Salon")
    assert page.count_label.text() == "3 personnes"
    assert page.people.card.plain_text().splitlines()[0] == "Chloé Zola"
    assert network.store.journal.last().label == "Ajouter Chloé Zola"


def test_editing_a_person_from_the_card(qtbot, network: Network) -> None:
    alice = add_details(network)
    page = make_page(qtbot, network)
    page.people.show_person(alice)
    form = page.people.card.edit()
    assert isinstance(form, PersonForm)
    assert form.phone.text() == "06 12 34 56 78"
    assert form.collected_on.date() == QDate(2020, 1, 15)
    form.last_name.setText("Morel")
    form.accept()
    assert network.store.get_person(alice).last_name == "Morel"
    assert network.store.get_person(alice).phone == "+33612345678"
    assert "Alice Morel" in page.people.card.plain_text().splitlines()
    assert page.people.model.index(row_of(page.people.model, "Alice Morel"), 0).data()


def test_export_writes_json_and_text_in_the_chosen_folder(
    qtbot, network: Network, tmp_path: Path, monkeypatch
) -> None:
    alice = add_details(network)
    page = make_page(qtbot, network)
    page.people.show_person(alice)
    folder = tmp_path / "export"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    with qtbot.waitSignal(page.status_message) as message:
        page.people.card.export_button.click()
    files = sorted(p.suffix for p in folder.iterdir())
    assert files == [".json", ".txt"]
    assert EMAIL in next(folder.glob("*.txt")).read_text(encoding="utf-8")
    assert message.args == [fr(f"Données exportées dans « {folder} »")]


def test_erasing_needs_the_typed_name_and_cannot_be_undone(
    qtbot, network: Network, monkeypatch
) -> None:
    alice = add_details(network)
    page = make_page(qtbot, network)
    page.people.show_person(alice)
    questions: list[str] = []
    infos: list[str] = []

    def typed(answer):
        def get_text(parent, title, label, *args):
            questions.append(label)
            return answer, True

        return get_text

    monkeypatch.setattr(QMessageBox, "information", lambda *args: infos.append(args[2]))
    monkeypatch.setattr(QInputDialog, "getText", typed("Alice Martine"))
    page.people.card.erase_button.click()
    assert network.store.get_person(alice) is not None  # mistyped: nothing erased
    assert "ne peut pas être annulé" in questions[0]
    assert infos and "rien n'a été effacé" in infos[0]

    monkeypatch.setattr(QInputDialog, "getText", typed("  alice   martin "))
    with qtbot.waitSignal(page.status_message) as message:
        page.people.card.erase_button.click()
    assert message.args == [fr("Alice Martin : fiche effacée définitivement")]
    assert network.store.get_person(alice) is None
    email = network.store.conn.execute("SELECT email FROM people WHERE id = ?", (alice,))
    assert email.fetchone() == (None,)
    assert page.people.card.person_id is None
    assert page.count_label.text() == "1 personne"
    assert network.store.journal.last() is None


def test_review_list_opens_exports_and_erases(
    qtbot, network: Network, monkeypatch, tmp_path: Path
) -> None:
    alice = add_details(network)  # last exchange in 2021: due for review
    page = make_page(qtbot, network)
    dialog = page.people.open_review()
    assert isinstance(dialog, ReviewDialog)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert names == ["Alice Martin"]
    assert dialog.table.item(0, 1).text() == "2021-02-03"
    assert not dialog.open_button.isEnabled()
    dialog.table.selectRow(0)
    dialog.open_button.click()
    assert page.people.card.person_id == alice
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path))
    dialog.export_button.click()
    assert len(list(tmp_path.glob("donnees-alice-martin-*.json"))) == 1
    dialog.years.setValue(10)
    assert network.store.setting(REVIEW_YEARS_SETTING) == "10"
    assert dialog.table.rowCount() == 0
    assert dialog.count_label.text() == "Aucune personne à revoir."
    dialog.years.setValue(3)
    dialog.table.selectRow(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args: ("Alice Martin", True))
    with qtbot.waitSignal(page.status_message):
        dialog.erase_button.click()
    assert dialog.table.rowCount() == 0
    assert network.store.get_person(alice) is None
    assert page.people.card.person_id is None
    dialog.reject()


def test_showing_the_window_formats_no_phone_number(tmp_path: Path) -> None:
    """The people tab is built when first shown: start-up imports none of it."""
    store = Store.open(tmp_path / "c.db")
    store.add_person("Léa", "Martin", phone="+33612345678")
    store.close()
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from companion.store import Store\n"
        "from companion.ui.shell.main_window import MainWindow\n"
        "app = QApplication([])\n"
        f"window = MainWindow(Store.open({str(tmp_path / 'c.db')!r}))\n"
        "window.show()\n"
        "app.processEvents()\n"
        "panel = 'companion.ui.directory.people_panel'\n"
        "print(panel in sys.modules, 'phonenumbers' in sys.modules)\n"
        "window.directory.show_people()\n"
        "print(window.directory.count_label.text())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["False False", "1 personne"]
