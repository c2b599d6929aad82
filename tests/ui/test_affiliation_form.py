"""People on the actor card: link someone already known, or create them; edit; remove."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from companion.ui.directory.affiliation_form import AffiliationForm
from tests.french import fr

from .card_helpers import answer, make_card
from .conftest import Network


def test_link_a_person_found_by_typing(qtbot, network: Network) -> None:
    store = network.store
    tiers = network.ids["tiers"]
    alice = store.add_person("Alice", "Lemoine", email="alice@tiers.example")
    card = make_card(qtbot, store, tiers)
    form = card.add_person()
    assert isinstance(form, AffiliationForm) and form.existing.isChecked()
    qtbot.keyClicks(form.person.edit, "alice")
    listed = [text for _id, text in form.person.candidates()]
    assert sorted(listed) == ["Alice Lemoine (alice@tiers.example)", "Alice Martin"]
    row = listed.index("Alice Lemoine (alice@tiers.example)")
    form.person.matches.itemClicked.emit(form.person.matches.item(row))
    form.role.setText("Coordinatrice")
    form.start.setText("15/01/2023")
    with qtbot.waitSignal(card.changed):
        form.accept()
    assert form.person_id == alice.id
    [member] = store.members_of(tiers)
    assert (member.person.id, member.role) == (alice.id, "Coordinatrice")
    row = store.get_record("affiliations", form.affiliation_id)
    assert row["start_date"] == "2023-01-15" and row["end_date"] is None
    assert "Alice Lemoine — Coordinatrice" in card.plain_text().splitlines()

    again = card.add_person()
    qtbot.keyClicks(again.person.edit, "lemoine")
    again.accept()  # the one match is taken, but she is linked already
    assert again.error.text() == "Cette personne est déjà liée à cet acteur."
    assert len(store.members_of(tiers)) == 1


def test_create_a_person_with_checked_contacts(qtbot, network: Network) -> None:
    store = network.store
    tiers = network.ids["tiers"]
    store.add_person("Claire", "Petit", email="claire@exemple.fr")
    form = AffiliationForm(store, tiers)
    qtbot.addWidget(form)
    form.new.setChecked(True)
    assert form.new_person.isEnabled() and not form.person.isEnabled()
    form.accept()
    assert form.error.text() == "Une personne doit avoir un prénom ou un nom."
    form.first_name.setText("Denis")
    form.last_name.setText("Roux")
    form.email.setText("denis@")
    form.accept()
    assert form.error.text().startswith(fr("Courriel : « denis@ » n'est pas une adresse e-mail"))
    assert form.focusWidget() is form.email
    form.email.setText("Claire@Exemple.fr")
    form.accept()
    assert form.error.text().startswith("Claire Petit a déjà cette adresse")
    form.email.setText("denis@exemple.fr")
    form.phone.setText("06 98 76")
    form.accept()
    assert form.error.text().startswith(fr("Téléphone : « 06 98 76 »"))
    assert store.counts(["people"]) == {"people": 3}

    form.phone.setText("06 98 76 54 32")
    form.role.setText("Trésorier")
    form.accept()
    person = store.get_person(form.person_id)
    assert (person.full_name, person.email, person.phone) == (
        "Denis Roux",
        "denis@exemple.fr",
        "+33698765432",
    )
    assert [(m.person.id, m.role) for m in store.members_of(tiers)] == [(person.id, "Trésorier")]
    assert store.journal.last().label == "Ajouter une personne"
    store.journal.undo()  # the person and the link, in one step
    assert store.get_person(person.id) is None and store.members_of(tiers) == []


def test_edit_the_role_and_remove_from_the_card(qtbot, network: Network, monkeypatch) -> None:
    store = network.store
    ecole = network.ids["ecole"]
    card = make_card(qtbot, store, ecole)
    link_id = store.conn.execute(
        "SELECT f.id FROM affiliations f JOIN people p ON p.id = f.person_id "
        "WHERE p.first_name = 'Bruno'"
    ).fetchone()[0]
    form = card.edit_affiliation(link_id)
    assert form.windowTitle() == "Modifier le rôle" and form.role.text() == "Animateur"
    assert not form.person.isVisible()
    form.role.setText("Animateur nature")
    form.end.setText("30/06/2025")
    form.accept()
    row = store.get_record("affiliations", link_id)
    assert (row["role"], row["end_date"]) == ("Animateur nature", "2025-06-30")
    assert "Bruno Durand — Animateur nature" in card.plain_text().splitlines()

    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert card.remove_affiliation(link_id)
    assert [m.person.first_name for m in store.members_of(ecole)] == ["Alice"]
    assert store.counts(["people"]) == {"people": 2}  # the person stays in the directory
    store.journal.undo()
    assert len(store.members_of(ecole)) == 2
