"""Undo: each user action is one step; undoing restores rows and tombstones new ones."""

from __future__ import annotations

import pytest

from companion.store import Store
from companion.store.undo import DEPTH


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "companion.db")
    yield store
    store.close()


def test_undo_an_edit_restores_the_old_values_and_the_search_index(store):
    actor = store.add_actor("Les Jardins Partagés", "association", commune="Lyon")
    with store.undoable("Modifier"):
        store.update_actor(actor.id, name="Potager Collectif", commune="Vienne")
    assert store.get_actor(actor.id).name == "Potager Collectif"
    assert [a.id for a in store.actors("potager")] == [actor.id]

    step = store.journal.undo()

    assert step.label == "Modifier"
    restored = store.get_actor(actor.id)
    assert (restored.name, restored.commune) == ("Les Jardins Partagés", "Lyon")
    assert restored.updated_at > actor.updated_at  # an undo is a new edit for sync
    assert store.actors("potager") == []
    assert [a.id for a in store.actors("jardins")] == [actor.id]
    assert store.journal.last() is None


def test_undo_a_delete_brings_the_record_back(store):
    actor = store.add_actor("Ressourcerie", "association")
    with store.undoable("Supprimer"):
        store.delete_actor(actor.id)
    assert store.get_actor(actor.id) is None
    store.journal.undo()
    assert store.get_actor(actor.id).name == "Ressourcerie"


def test_undo_a_creation_leaves_a_tombstone_and_untags(store):
    actor = store.add_actor("Fablab", "association")
    with store.undoable("Ajouter"):
        other = store.add_actor("Mairie", "collectivite")
        store.tag_actor(actor.id, "numérique")
        store.add_relation(actor.id, other.id, "partenariat")
    store.journal.undo()
    assert store.get_actor(other.id) is None
    row = store.conn.execute("SELECT deleted FROM actors WHERE id = ?", (other.id,)).fetchone()
    assert row == (1,)  # tombstoned, not erased: the deletion can sync
    assert store.tags_of(actor.id) == []
    assert store.relations_of(actor.id) == []


def test_untag_undone_restores_the_link(store):
    actor = store.add_actor("Fablab", "association")
    store.tag_actor(actor.id, "numérique")
    with store.undoable("Retirer l'étiquette"):
        store.untag_actor(actor.id, "numérique")
    assert store.tags_of(actor.id) == []
    store.journal.undo()
    assert store.tags_of(actor.id) == ["numérique"]


def test_a_failed_action_writes_nothing_and_records_nothing(store):
    actor = store.add_actor("Fablab", "association")
    with pytest.raises(RuntimeError), store.undoable("Échec"):
        store.update_actor(actor.id, name="Autre nom")
        raise RuntimeError("boom")
    assert store.get_actor(actor.id).name == "Fablab"
    assert store.journal.last() is None


def test_steps_undo_newest_first_and_history_is_bounded(store):
    actor = store.add_actor("V0", "association")
    for n in range(1, DEPTH + 3):
        with store.undoable(f"v{n}"):
            store.update_actor(actor.id, name=f"V{n}")
    assert len(store.journal.steps()) == DEPTH
    store.journal.undo()
    store.journal.undo()
    assert store.get_actor(actor.id).name == f"V{DEPTH}"


def test_writes_outside_an_action_are_not_journaled(store):
    store.add_actor("Import", "association")
    assert store.journal.last() is None
    names = [r[0] for r in store.conn.execute("SELECT name FROM temp.sqlite_master")]
    assert not any(name.startswith("undo_") and "trigger" in name for name in names)


def test_update_record_checks_and_undoes_people(store):
    person = store.add_person("Léa", "Martin", email="lea@example.org")
    with store.undoable("Modifier la personne"):
        store.update_record("people", person.id, legal_basis="consentement", last_name="Morel")
    assert store.get_person(person.id).last_name == "Morel"
    from companion.store.store import InvalidRecord

    with pytest.raises(InvalidRecord):
        store.update_record("people", person.id, legal_basis="parce que")
    with pytest.raises(InvalidRecord):
        store.update_record("people", person.id, first_name="", last_name="")
    store.journal.undo()
    restored = store.get_person(person.id)
    assert (restored.last_name, restored.legal_basis) == ("Martin", None)
