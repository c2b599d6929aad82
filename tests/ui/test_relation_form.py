"""Relations from the actor card: pick the other actor by typing, type, dates, edit, delete."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from companion.ui.directory.relation_form import RelationForm
from tests.french import fr

from .card_helpers import answer, make_card
from .conftest import Network


def test_add_a_relation_by_searching_the_other_actor(qtbot, network: Network) -> None:
    store = network.store
    mairie, fondation = network.ids["mairie"], network.ids["fondation"]
    card = make_card(qtbot, store, mairie)
    form = card.add_relation()
    assert isinstance(form, RelationForm) and form.windowTitle() == "Ajouter une relation"

    qtbot.keyClicks(form.other.edit, "brest")  # the actor itself is never offered
    assert form.other.candidates() == []
    form.other.edit.clear()
    qtbot.keyClicks(form.other.edit, "fonda")
    assert [text for _id, text in form.other.candidates()] == ["Fondation Terres Vivantes (Paris)"]
    form.other.matches.itemClicked.emit(form.other.matches.item(0))
    assert form.other.chosen_id == fondation
    form.direction.setCurrentIndex(form.direction.findData(False))  # Fondation → Mairie
    form.type.setCurrentIndex(form.type.findData("financement"))
    form.start.setText("01/09/2024")
    form.end.setText("31/08/2025")
    form.strength.setCurrentIndex(form.strength.findData(3))
    form.notes.setPlainText("Appel à projets.")
    with qtbot.waitSignal(card.changed):
        form.accept()

    [view] = store.relations_of(mairie)
    relation = view.relation
    assert (relation.source_id, relation.target_id, relation.type) == (
        fondation,
        mairie,
        "financement",
    )
    assert (relation.start_date, relation.end_date) == ("2024-09-01", "2025-08-31")
    assert relation.strength == 3 and relation.notes == "Appel à projets."
    assert "Financement ← Fondation Terres Vivantes" in card.plain_text().splitlines()
    assert store.journal.last().label == "Ajouter une relation"
    store.journal.undo()
    assert store.relations_of(mairie) == []


def test_relation_errors_stay_in_the_form(qtbot, network: Network) -> None:
    store = network.store
    ecole, tiers = network.ids["ecole"], network.ids["tiers"]
    form = RelationForm(store, ecole)
    qtbot.addWidget(form)
    form.accept()
    assert form.error.text() == fr("Acteur lié : choisissez l'autre acteur de la relation.")
    qtbot.keyClicks(form.other.edit, "zzz")
    form.accept()
    assert form.error.text() == fr("Acteur lié : aucun acteur ne correspond à « zzz ».")

    form.other.edit.clear()
    qtbot.keyClicks(form.other.edit, "tiers")
    form.start.setText("32/01/2024")
    form.accept()  # a single match is taken; the date is refused
    assert form.other.chosen_id == tiers
    assert form.error.text() == fr("Date de début : Le 32/01/2024 n'existe pas.")
    assert form.focusWidget() is form.start
    form.start.setText("01/06/2024")
    form.end.setText("01/01/2024")
    form.accept()
    assert "précède" in form.error.text() and form.focusWidget() is form.end
    form.end.clear()
    form.accept()  # partenariat École → Tiers exists already (the network fixture)
    assert form.error.text() == fr(
        "Une relation « Partenariat » existe déjà entre ces deux acteurs."
    )
    assert len(store.relations_of(ecole)) == 2 and store.journal.last() is None


def test_edit_and_delete_a_relation_from_the_card(qtbot, network: Network, monkeypatch) -> None:
    store = network.store
    ecole = network.ids["ecole"]
    card = make_card(qtbot, store, ecole)
    funding = next(
        v.relation for v in store.relations_of(ecole) if v.relation.type == "financement"
    )
    form = card.edit_relation(funding.id)
    assert form.windowTitle() == "Modifier la relation"
    assert form.other.edit.text() == "Fondation Terres Vivantes"
    assert form.direction.currentData() is False  # the foundation funds the school
    form.type.setCurrentIndex(form.type.findData("accompagnement"))
    form.end.setText("2026-01-31")
    form.accept()
    row = store.get_record("relations", funding.id)
    assert (row["type"], row["end_date"], row["source_id"]) == (
        "accompagnement",
        "2026-01-31",
        network.ids["fondation"],
    )
    assert "Accompagnement ← Fondation Terres Vivantes" in card.plain_text().splitlines()

    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(card.changed):
        assert card.delete_relation(funding.id)
    assert store.get_record("relations", funding.id) is None
    assert "Accompagnement ← Fondation Terres Vivantes" not in card.plain_text()
    store.journal.undo()
    assert store.get_record("relations", funding.id)["type"] == "accompagnement"
