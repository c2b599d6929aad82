"""The duplicates dialog (background scan, dismiss, merge, undo) and the merge dialog."""

from __future__ import annotations

import pytest

from companion.directory.duplicates import dismissed_pairs
from companion.ui.directory.duplicates_dialog import DuplicatesDialog, open_duplicates_dialog
from companion.ui.directory.merge_dialog import LEFT, RIGHT, MergeDialog
from tests.french import fr

LYON = {"commune": "Lyon", "insee_code": "69123", "departement": "69", "postcode": "69001"}


@pytest.fixture
def twins(store):
    """Two records of one association, each with its own links, and a third pair by SIRET."""
    keep = store.add_actor(
        "Jardins de Bravelune", "association", email="contact@bravelune.example", **LYON
    )
    drop = store.add_actor(
        "Asso. Les Jardins de Bravelune", "collectif", phone="+33199001234", **LYON
    )
    partner = store.add_actor("Mairie de Lyon", "collectivite")
    store.add_relation(drop.id, partner.id, "partenariat")
    store.add_relation(keep.id, partner.id, "financement")
    person = store.add_person("Léa", "Martin")
    store.add_affiliation(person.id, drop.id, role="Présidente")
    store.add_interaction("reunion", "2025-03-01", actor_id=drop.id, title="Bilan")
    store.tag_actor(drop.id, "alimentation")
    store.tag_actor(keep.id, "éducation")
    one = store.add_actor("Recyclerie", "association", siret="73282932000074")
    two = store.add_actor("Ressourcerie du Plateau", "association", siret="73282932000074")
    return store, keep, drop, (one, two)


def scanned(qtbot, dialog):
    with qtbot.waitSignal(dialog.scan_finished, timeout=10_000):
        dialog.start_scan()
    return dialog


def test_merge_dialog_shows_both_sides_and_merges(qtbot, twins):
    store, keep, drop, _siret = twins
    dialog = MergeDialog(store, "actors", keep.id, drop.id)
    qtbot.addWidget(dialog)

    assert {"name", "kind", "email", "phone"} <= dialog.differing
    assert "place" not in dialog.differing  # same commune: nothing to choose
    assert not dialog.groups["place"].button(LEFT).isEnabled()
    assert dialog.links_labels[LEFT].text().split("\n") == [
        "1 relation", "0 personnes", "0 échanges", "1 étiquette",
    ]  # fmt: skip
    assert dialog.links_labels[RIGHT].text().split("\n") == [
        "1 relation", "1 personne", "1 échange", "1 étiquette",
    ]  # fmt: skip
    assert dialog.keep_side == RIGHT  # the record with more links survives
    assert dialog.chosen_side("email") == LEFT  # the empty side never wins by default

    dialog.set_keep_side(LEFT)
    dialog.choose("name", RIGHT)
    with qtbot.waitSignal(dialog.merged) as merged:
        dialog.merge_button.click()

    result = merged.args[0]
    assert (result.kept_id, result.dropped_id) == (keep.id, drop.id)
    actor = store.get_actor(keep.id)
    assert (actor.name, actor.kind) == ("Asso. Les Jardins de Bravelune", "association")
    assert (actor.email, actor.phone) == ("contact@bravelune.example", "+33199001234")
    assert store.get_actor(drop.id) is None
    assert store.tags_of(keep.id) == ["alimentation", "éducation"]
    assert len(store.relations_of(keep.id)) == 2
    assert [m.person.first_name for m in store.members_of(keep.id)] == ["Léa"]
    assert store.journal.last().label == result.label

    store.journal.undo()
    assert store.get_actor(drop.id).name == "Asso. Les Jardins de Bravelune"
    assert store.get_actor(keep.id).name == "Jardins de Bravelune"


def test_merge_dialog_reports_a_record_deleted_meanwhile(qtbot, twins):
    store, keep, drop, _siret = twins
    dialog = MergeDialog(store, "actors", keep.id, drop.id)
    qtbot.addWidget(dialog)
    store.delete_actor(drop.id)
    dialog.merge_button.click()
    assert dialog.error.isVisibleTo(dialog)
    assert "supprimée" in dialog.error.text()
    assert store.journal.last() is None


def test_duplicates_dialog_lists_pairs_best_first_and_dismisses(qtbot, twins):
    store, keep, drop, (one, two) = twins
    dialog = scanned(qtbot, DuplicatesDialog(store))
    qtbot.addWidget(dialog)

    pairs = dialog.model.pairs
    assert [{p.left_id, p.right_id} for p in pairs] == [{one.id, two.id}, {keep.id, drop.id}]
    assert dialog.model.data(dialog.model.index(0, 3)) == "même SIRET"
    assert dialog.status.text() == "2 doublons probables"
    assert dialog.selected_pair() == pairs[0]

    dialog.dismiss_button.click()
    assert [{p.left_id, p.right_id} for p in dialog.model.pairs] == [{keep.id, drop.id}]
    assert len(dismissed_pairs(store)) == 1
    scanned(qtbot, dialog)
    assert [{p.left_id, p.right_id} for p in dialog.model.pairs] == [{keep.id, drop.id}]


def test_duplicates_dialog_merges_then_undoes(qtbot, twins):
    store, keep, drop, _siret = twins
    dialog = scanned(qtbot, DuplicatesDialog(store))
    qtbot.addWidget(dialog)
    dialog.view.selectRow(1)
    assert dialog.selected_pair().right_label == "Asso. Les Jardins de Bravelune"
    assert not dialog.undo_button.isEnabled()

    dialog.merge_button.click()
    merge = dialog.merge_dialog
    assert merge.isVisible()
    with qtbot.waitSignal(dialog.changed), qtbot.waitSignal(dialog.status_message) as message:
        merge.merge_button.click()

    assert message.args[0].startswith(fr("Fusion faite. Annuler : Fusionner « "))
    assert message.args[0].endswith("(Ctrl+Z)")
    assert len(dialog.model.pairs) == 1
    assert store.counts(["actors"])["actors"] == 4
    assert dialog.undo_button.isEnabled()

    with qtbot.waitSignal(dialog.scan_finished, timeout=10_000):
        dialog.undo_button.click()
    assert store.counts(["actors"])["actors"] == 5
    assert len(dialog.model.pairs) == 2
    assert dialog.status.text().startswith(fr("Annulé : Fusionner"))
    assert not dialog.undo_button.isEnabled()


def test_people_are_scanned_too(qtbot, store):
    a = store.add_person("Léa", "Martin", email="lea@example.org")
    b = store.add_person("Lea", "Martin", email="LEA@example.org")
    dialog = DuplicatesDialog(store)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.scan_finished, timeout=10_000):
        dialog.table_choice.setCurrentIndex(1)
    assert [{p.left_id, p.right_id} for p in dialog.model.pairs] == [{a.id, b.id}]

    dialog.merge_button.click()
    with qtbot.waitSignal(dialog.changed):
        dialog.merge_dialog.merge_button.click()
    assert store.counts(["people"])["people"] == 1


def test_open_duplicates_dialog_scans_and_closing_stops_the_scan(qtbot, twins):
    store = twins[0]
    dialog = open_duplicates_dialog(None, store)
    assert dialog.isVisible()
    job = dialog.job
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=10_000):
        dialog.reject()
    assert dialog.job is None
