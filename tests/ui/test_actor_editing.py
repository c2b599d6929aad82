"""Editing an actor from its card: the form (every field, checked), tags, deletion, undo."""

from __future__ import annotations

from needs import require_gazetteer
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from companion.ui.directory.actor_form import ActorForm
from tests.french import fr

from .card_helpers import answer, make_card
from .conftest import Network


def test_the_form_opens_prefilled_and_saves_every_field_as_one_undo_step(qtbot, store) -> None:
    actor = store.add_actor(
        "Ressourcerie",
        "association",
        commune="Lyon",
        departement="69",
        phone="+33612345678",
        siren="732829320",
        siret="73282932000074",
        website="https://ressourcerie.example",
    )
    store.tag_actor(actor.id, "réemploi")
    store.tag_actor(actor.id, "déchets")
    form = ActorForm(store, actor_id=actor.id)
    qtbot.addWidget(form)
    assert form.windowTitle() == "Modifier l'acteur"
    assert form.name.text() == "Ressourcerie"
    assert form.phone.text() == "06 12 34 56 78"  # shown formatted, stored in E.164
    assert (form.siren.text(), form.siret.text()) == ("732 829 320", "732 829 320 00074")
    assert form.commune_edit.text() == "Lyon (69)"
    assert form.tags.tags() == ["déchets", "réemploi"]

    form.name.setText("Ressourcerie du Rhône")
    form.kind.setCurrentIndex(form.kind.findData("entreprise"))
    form.description.setPlainText("Collecte et revente.")
    form.address.setPlainText("3 rue des Tanneurs")
    form.email.setText("Contact@Ressourcerie.example")
    form.phone.setText("04.72.00.00.00")
    form.siren.clear()
    form.siret.setText("35600000000048")
    form.rna.setText("w691234567")
    form.website.setText("ressourcerie.example/boutique")
    form.tags.remove("déchets")
    form.tags.add("économie circulaire")
    form.visibility.setCurrentIndex(form.visibility.findData("private"))
    form.accept()
    assert form.result() == ActorForm.DialogCode.Accepted

    saved = store.get_actor(actor.id)
    assert saved.name == "Ressourcerie du Rhône" and saved.kind == "entreprise"
    assert saved.description == "Collecte et revente." and saved.address == "3 rue des Tanneurs"
    assert saved.email == "Contact@ressourcerie.example" and saved.phone == "+33472000000"
    assert (saved.siren, saved.siret) == ("356000000", "35600000000048")  # SIREN from SIRET
    assert saved.rna == "W691234567" and saved.website == "https://ressourcerie.example/boutique"
    assert saved.visibility == "private"
    assert saved.commune == "Lyon" and saved.departement == "69"  # untouched place kept
    assert store.tags_of(actor.id) == ["réemploi", "économie circulaire"]
    assert [step.label for step in store.journal.steps()] == ["Modifier l'acteur"]

    store.journal.undo()
    restored = store.get_actor(actor.id)
    assert restored.name == "Ressourcerie" and restored.phone == "+33612345678"
    assert restored.siret == "73282932000074"
    assert store.tags_of(actor.id) == ["déchets", "réemploi"]


def test_bad_values_are_named_outlined_focused_and_nothing_is_saved(qtbot, store) -> None:
    actor = store.add_actor("Fablab", "association")
    form = ActorForm(store, actor_id=actor.id)
    qtbot.addWidget(form)
    form.show()
    form.email.setText("fablab@")
    form.phone.setText("12")
    form.siret.setText("73282932000075")
    form.accept()
    assert form.isVisible() and form.error.isVisible()
    lines = form.error.text().splitlines()
    assert lines[0].startswith(fr("Courriel : « fablab@ » n'est pas une adresse e-mail valide"))
    assert lines[1].startswith(fr("Téléphone : « 12 »"))
    assert lines[2].startswith(fr("SIRET : Le SIRET « 73282932000075 » est invalide"))
    assert form.focusWidget() is form.email
    assert "border" in form.phone.styleSheet() and form.name.styleSheet() == ""
    assert store.get_actor(actor.id).email is None
    assert store.journal.last() is None

    form.email.clear()
    form.phone.clear()
    form.siren.setText("356 000 000")
    form.siret.setText("732 829 320 00074")  # a valid SIRET of another SIREN
    form.accept()
    assert form.error.text().startswith(fr("SIRET : Le SIRET « 73282932000074 » n'appartient pas"))
    assert form.focusWidget() is form.siret
    assert store.get_actor(actor.id).siret is None

    form.name.clear()
    form.accept()
    assert form.error.text() == "Le nom de l'acteur est obligatoire."


def test_tags_complete_existing_names_and_keep_their_spelling(qtbot, store) -> None:
    other = store.add_actor("Autre", "association")
    store.tag_actor(other.id, "Alimentation")
    store.tag_actor(other.id, "Mobilité douce")
    [(gone,)] = store.conn.execute("SELECT id FROM tags WHERE name = 'Alimentation'")
    store.delete_record("tags", gone)
    actor = store.add_actor("Épicerie", "association")
    form = ActorForm(store, actor_id=actor.id)
    qtbot.addWidget(form)
    completer = form.tags.edit.completer()
    model = completer.model()
    names = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert names == ["Mobilité douce"]  # deleted tags are not offered
    assert completer.caseSensitivity() == Qt.CaseSensitivity.CaseInsensitive

    qtbot.keyClicks(form.tags.edit, "mobilite DOUCE")  # keyClicks types ASCII only
    qtbot.keyClick(form.tags.edit, Qt.Key.Key_Return)  # adds the tag, does not save the form
    assert form.tags.tags() == ["Mobilité douce"] and form.tags.edit.text() == ""
    assert form.result() == 0 and store.tags_of(actor.id) == []
    assert not form.tags.add("MOBILITE DOUCE")  # no duplicate, whatever the case and accents
    form.tags.add("  vrac  ")
    form.tags.list.setCurrentRow(0)
    form.tags.remove_selected()
    form.accept()
    assert store.tags_of(actor.id) == ["vrac"]


def test_choosing_another_commune_moves_the_actor_there(qtbot, store) -> None:
    gazetteer = require_gazetteer()
    try:
        actor = store.add_actor(
            "Collectif", "collectif", insee_code="21231", commune="Dijon", departement="21",
            postcode="21000", latitude=47.32, longitude=5.04,
        )  # fmt: skip
        form = ActorForm(store, gazetteer=gazetteer, actor_id=actor.id)
        qtbot.addWidget(form)
        assert form.commune_edit.text() == "Dijon (21)"
        assert form.findChildren(type(form.error)) and "Position" not in " ".join(
            label.text() for label in form.findChildren(type(form.error))
        )
        form.accept()  # the place untouched: kept as it was, point included
        kept = store.get_actor(actor.id)
        assert (kept.insee_code, kept.latitude, kept.longitude) == ("21231", 47.32, 5.04)

        form = ActorForm(store, gazetteer=gazetteer, actor_id=actor.id)
        qtbot.addWidget(form)
        form.commune_edit.clear()
        qtbot.keyClicks(form.commune_edit, "69003")
        [lyon] = form.candidates()
        form.matches.itemClicked.emit(form.matches.item(0))
        form.accept()
        moved = store.get_actor(actor.id)
        assert moved.commune.startswith("Lyon") and moved.departement == "69"
        assert moved.postcode == "69003"
        assert moved.insee_code == lyon.insee
        assert (moved.latitude, moved.longitude) == (lyon.latitude, lyon.longitude)
    finally:
        gazetteer.close()


def test_a_commune_typed_as_people_type_it_is_found_and_chosen(qtbot, store) -> None:
    """The elided article glued on, no hyphens: typed key by key, the list offers the
    commune; a real click on it places the actor there. A postcode without its leading
    zero offers its commune too."""
    from PySide6.QtTest import QTest

    gazetteer = require_gazetteer()
    try:
        actor = store.add_actor("Collectif", "collectif")
        form = ActorForm(store, gazetteer=gazetteer, actor_id=actor.id)
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.commune_edit.clear()
        QTest.keyClicks(form.commune_edit, "Lhay les Roses")
        qtbot.waitUntil(lambda: form.matches.isVisible())
        assert form.candidates()[0].insee == "94038"
        item = form.matches.item(0)
        assert item.text().startswith("L'Haÿ-les-Roses")
        rect = form.matches.visualItemRect(item)
        QTest.mouseClick(form.matches.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert form.commune_edit.text() == "L'Haÿ-les-Roses (94)"
        form.accept()
        placed = store.get_actor(actor.id)
        assert (placed.insee_code, placed.postcode) == ("94038", "94240")

        form = ActorForm(store, gazetteer=gazetteer, actor_id=actor.id)
        qtbot.addWidget(form)
        form.commune_edit.clear()
        QTest.keyClicks(form.commune_edit, "1000")  # 01000, as a spreadsheet shows it
        assert [c.name for c in form.candidates()][:1] == ["Bourg-en-Bresse"]
    finally:
        gazetteer.close()


def test_the_card_edits_its_actor_and_says_so(qtbot, network: Network) -> None:
    store = network.store
    ecole = network.ids["ecole"]
    store.update_actor(ecole, phone="+33612345678", siret="73282932000074")
    card = make_card(qtbot, store, ecole)
    lines = card.plain_text().splitlines()
    assert "06 12 34 56 78" in lines and fr("SIRET : 732 829 320 00074") in lines
    assert "14/03/2025 · Réunion · Bilan de saison" in lines

    form = card.edit_actor()
    assert card.form is form and form.isVisible()
    assert form.name.text() == "École des Jardins partagés"
    form.name.setText("<b>École</b> des Jardins")
    with qtbot.waitSignal(card.changed) as changed:
        form.accept()
    assert changed.args == [ecole]
    assert card.form is None
    assert "<b>École</b> des Jardins" in card.plain_text().splitlines()  # shown literally
    assert store.get_actor(ecole).name == "<b>École</b> des Jardins"

    form = card.edit_actor()
    form.name.setText("Jamais")
    form.reject()
    assert store.get_actor(ecole).name == "<b>École</b> des Jardins"


def test_deleting_an_actor_asks_first_and_takes_its_links(qtbot, network: Network, monkeypatch):
    store = network.store
    ecole = network.ids["ecole"]
    card = make_card(qtbot, store, ecole)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    assert not card.delete_actor()
    assert "École des Jardins partagés" in asked[0] and store.get_actor(ecole) is not None

    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(card.deleted) as deleted:
        assert card.delete_actor()
    assert deleted.args == [ecole] and card.actor_id is None
    assert store.get_actor(ecole) is None
    assert store.relations_of(network.ids["tiers"]) == []
    assert store.relations_of(network.ids["fondation"]) == []
    live_links = store.conn.execute(
        "SELECT count(*) FROM affiliations WHERE actor_id = ? AND deleted = 0", (ecole,)
    ).fetchone()[0]
    assert live_links == 0
    assert store.counts(["people", "interactions"]) == {"people": 2, "interactions": 1}

    assert store.journal.undo().label == "Supprimer l'acteur"
    assert store.get_actor(ecole) is not None
    assert len(store.relations_of(ecole)) == 2 and len(store.members_of(ecole)) == 2


def test_a_confirmation_shows_names_literally(qtbot, store, monkeypatch) -> None:
    actor = store.add_actor("<i>x</i>", "autre")
    card = make_card(qtbot, store, actor.id)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    card.delete_actor()
    assert "&lt;i&gt;x&lt;/i&gt;" in asked[0] and "<i>" not in asked[0]


def test_the_card_buttons_open_the_forms(qtbot, network: Network, monkeypatch) -> None:
    from PySide6.QtWidgets import QPushButton

    from companion.ui.directory.affiliation_form import AffiliationForm
    from companion.ui.directory.interaction_form import InteractionForm
    from companion.ui.directory.relation_form import RelationForm

    card = make_card(qtbot, network.store, network.ids["ecole"])

    def click(text: str, index: int = 0):
        buttons = [b for b in card.widget().findChildren(QPushButton) if b.text() == text]
        qtbot.mouseClick(buttons[index], Qt.MouseButton.LeftButton)
        form = card.form or card.timeline.form
        form.reject()
        return form

    assert isinstance(click("Modifier"), ActorForm)
    assert isinstance(click("Ajouter une relation"), RelationForm)
    assert isinstance(click("Ajouter une personne"), AffiliationForm)
    assert isinstance(click("Ajouter un échange"), InteractionForm)
    person_form = click("Modifier", 1)  # the first person by last name: Bruno Durand
    assert isinstance(person_form, AffiliationForm) and person_form.role.text() == "Animateur"
    relation_form = click("Modifier", 3)  # the first relation's row
    assert relation_form.other.edit.text() == "Fondation Terres Vivantes"
    exchange_form = click("Modifier", 5)  # the exchange in the timeline
    assert exchange_form.title.text() == "Bilan de saison"
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    qtbot.mouseClick(
        next(b for b in card.widget().findChildren(QPushButton) if b.text() == "Retirer"),
        Qt.MouseButton.LeftButton,
    )
    assert asked and len(network.store.members_of(network.ids["ecole"])) == 2


def test_enter_on_a_suggested_commune_takes_it_and_does_not_save(qtbot, store) -> None:
    """Typed key by key: Enter takes the suggestion only; the form stays open for the
    e-mail, checked as it is left; the SIREN fills from the SIRET as it is typed."""
    from PySide6.QtTest import QTest

    gazetteer = require_gazetteer()
    try:
        form = ActorForm(store, gazetteer=gazetteer)
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()  # focus moves, and fields are left, as on a desktop
        qtbot.waitUntil(form.isActiveWindow)
        QTest.keyClicks(form.name, "Ressourcerie du Plateau")
        QTest.keyClicks(form.commune_edit, "Nogent-sur-Mar")
        qtbot.waitUntil(lambda: form.matches.isVisible())
        QTest.keyClick(form.commune_edit, Qt.Key.Key_Return)
        assert form.isVisible() and store.count_actors() == 0  # not saved
        assert form.commune_edit.text() == "Nogent-sur-Marne (94)"
        assert not form.matches.isVisible()
        # Down walks into the suggestions, Enter there takes the one highlighted.
        form.commune_edit.clear()
        QTest.keyClicks(form.commune_edit, "Saint-Denis")
        qtbot.waitUntil(lambda: form.matches.count() > 1)
        QTest.keyClick(form.commune_edit, Qt.Key.Key_Down)
        QTest.keyClick(form.matches, Qt.Key.Key_Down)
        second = form.matches.item(1).text()
        QTest.keyClick(form.matches, Qt.Key.Key_Return)
        assert form.isVisible() and second.startswith(form.commune_edit.text())
        # A wrong e-mail is said as the field is left, before any save.
        form.email.setFocus()
        qtbot.waitUntil(form.email.hasFocus)
        QTest.keyClicks(form.email, "contact(at)ressourcerie.fr")
        QTest.keyClick(form.email, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: not form.email.hasFocus())
        assert form.error.isVisible() and form.error.text().startswith(fr("Courriel : "))
        form.email.setFocus()
        form.email.selectAll()
        QTest.keyClicks(form.email, "contact@ressourcerie.fr")
        QTest.keyClick(form.email, Qt.Key.Key_Tab)
        assert not form.error.isVisible()
        QTest.keyClicks(form.siret, "73282932000074")
        assert form.siren.text() == "732 829 320"
        QTest.keyClick(form.siret, Qt.Key.Key_Return)  # Enter in a plain field saves
        assert store.count_actors() == 1
        [saved] = store.actors()
        assert (saved.email, saved.siren) == ("contact@ressourcerie.fr", "732829320")
    finally:
        gazetteer.close()
