"""Exchanges: the form (kind, date, title, links), the timeline (by year, newest first), undo."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel, QMessageBox

from companion.ui.directory.interaction_form import InteractionForm
from companion.ui.directory.timeline import InteractionTimeline
from tests.french import fr

from .card_helpers import answer, make_card
from .conftest import Network


def test_add_an_exchange_from_the_card(qtbot, network: Network) -> None:
    store = network.store
    ecole = network.ids["ecole"]
    card = make_card(qtbot, store, ecole)
    assert card.timeline.headlines() == ["14/03/2025 · Réunion · Bilan de saison"]
    form = card.add_interaction()
    assert isinstance(form, InteractionForm) and card.timeline.form is form
    assert form.date.date() == QDate.currentDate()  # today unless changed
    assert form.actor.chosen_id == ecole and form.actor.edit.text() == "École des Jardins partagés"
    form.kind.setCurrentIndex(form.kind.findData("appel"))
    form.date.setDate(QDate(2025, 4, 2))
    form.title.setText("Point budget")
    form.notes.setPlainText("Relancer la fondation.\nEnvoyer le bilan.")
    qtbot.keyClicks(form.person.edit, "bruno")
    with qtbot.waitSignal(card.changed) as changed:
        form.accept()  # the one person matching is taken
    assert changed.args == [ecole]

    [newest, older] = store.interactions_of(ecole)
    assert (newest.kind, newest.date, newest.title) == ("appel", "2025-04-02", "Point budget")
    assert store.get_person(newest.person_id).full_name == "Bruno Durand"
    assert older.title == "Bilan de saison"
    assert card.timeline.headlines() == [
        "02/04/2025 · Appel · Point budget",
        "14/03/2025 · Réunion · Bilan de saison",
    ]
    lines = card.plain_text().splitlines()
    assert "avec Bruno Durand" in lines and "Relancer la fondation. Envoyer le bilan." in lines
    store.journal.undo()
    assert len(store.interactions_of(ecole)) == 1


def test_an_exchange_needs_a_link_and_a_title_or_notes(qtbot, store) -> None:
    form = InteractionForm(store)
    qtbot.addWidget(form)
    assert form.windowTitle() == "Ajouter un échange"
    form.title.setText("Forum")
    form.accept()
    assert form.error.text() == "Reliez l'échange à un acteur, à une personne, ou aux deux."
    person = store.add_person("Emma", "Blanc")
    qtbot.keyClicks(form.actor.edit, "nulle part")
    qtbot.keyClicks(form.person.edit, "emma")
    form.accept()
    assert form.error.text() == fr("Acteur : choisissez dans la liste ou videz le champ.")
    form.actor.edit.clear()
    form.title.clear()
    form.accept()
    assert form.error.text() == "Donnez un titre ou des notes à l'échange."
    form.notes.setPlainText("Rencontrée au forum des associations.")
    form.accept()
    [saved] = store.conn.execute("SELECT person_id, actor_id, date FROM interactions").fetchall()
    assert saved == (person.id, None, date.today().isoformat())


def test_edit_and_delete_from_the_timeline(qtbot, network: Network, monkeypatch) -> None:
    store = network.store
    ecole = network.ids["ecole"]
    older = store.add_interaction("visite", "2023-05-10", actor_id=ecole, title="Visite")
    timeline = InteractionTimeline(store)
    qtbot.addWidget(timeline)
    timeline.show_for(actor_id=ecole)
    assert timeline.headlines() == [
        "14/03/2025 · Réunion · Bilan de saison",
        "10/05/2023 · Visite · Visite",
    ]
    shown = [label.text() for label in timeline.findChildren(QLabel)]
    assert shown.index("2025") < shown.index("2023")  # one heading per year, newest first

    form = timeline.edit_interaction(older.id)
    assert form.windowTitle() == "Modifier l'échange" and form.title.text() == "Visite"
    assert form.date.date() == QDate(2023, 5, 10)
    form.title.setText("Visite du jardin")
    form.date.setDate(QDate(2025, 6, 1))
    with qtbot.waitSignal(timeline.changed):
        form.accept()
    assert store.get_record("interactions", older.id)["date"] == "2025-06-01"
    assert timeline.headlines()[0] == "01/06/2025 · Visite · Visite du jardin"

    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    assert not timeline.delete_interaction(older.id)
    assert "Visite du jardin" in asked[0]
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    form = timeline.edit_interaction(older.id)
    with qtbot.waitSignal(timeline.changed):
        form.delete_button.click()
    assert form.deleted and store.get_record("interactions", older.id) is None
    assert timeline.headlines() == ["14/03/2025 · Réunion · Bilan de saison"]
    assert store.journal.last().label == "Supprimer l'échange"
    store.journal.undo()
    assert store.get_record("interactions", older.id)["title"] == "Visite du jardin"


def test_a_person_timeline_names_the_actor(qtbot, network: Network) -> None:
    store = network.store
    alice = next(m.person for m in store.members_of(network.ids["ecole"]) if m.role)
    store.add_interaction("appel", "2024-02-03", person_id=alice.id, actor_id=network.ids["tiers"])
    timeline = InteractionTimeline(store)
    qtbot.addWidget(timeline)
    timeline.show_for(person_id=alice.id)
    assert timeline.headlines() == ["03/02/2024 · Appel"]
    assert "avec Tiers-lieu La Fabrique" in [
        label.text() for label in timeline.findChildren(QLabel)
    ]
    form = timeline.add_interaction()
    assert form.person.chosen_id == alice.id and form.actor.chosen_id is None
    form.reject()
    empty = InteractionTimeline(store)
    qtbot.addWidget(empty)
    empty.show_for(actor_id=network.ids["mairie"])
    assert empty.headlines() == []
