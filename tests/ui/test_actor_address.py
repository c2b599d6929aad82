"""The actor form places an actor at its address when the address index knows it (typed
key by key, checked as the field is left), else at its commune's centre, which the card
then calls approximate."""

from __future__ import annotations

import pytest
from ban_files import ban_file, nogent_rows
from needs import require_gazetteer
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from companion.geo.addresses import build_index
from companion.ui.directory.actor_form import ActorForm
from tests.french import fr

from .card_helpers import make_card


@pytest.fixture
def gazetteer():
    opened = require_gazetteer()
    yield opened
    opened.close()


@pytest.fixture
def indexed(store, tmp_path):
    """Nogent-sur-Marne's addresses (94) in the store's data folder."""
    build_index(ban_file(tmp_path / "adresses-94.csv.gz", nogent_rows(300)), tmp_path)


def shown_form(qtbot, store, gazetteer, **options) -> ActorForm:
    form = ActorForm(store, gazetteer=gazetteer, **options)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    return form


def choose_commune(qtbot, form: ActorForm, typed: str, name: str) -> None:
    form.commune_edit.setFocus()
    form.commune_edit.clear()
    QTest.keyClicks(form.commune_edit, typed)
    qtbot.waitUntil(form.matches.isVisible)
    item = next(
        form.matches.item(row)
        for row in range(form.matches.count())
        if form.matches.item(row).text().startswith(name)
    )
    rect = form.matches.visualItemRect(item)
    QTest.mouseClick(form.matches.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_address(qtbot, form: ActorForm, text: str) -> None:
    """Click in the address, select what is there, type ``text``, leave with Tab."""
    QTest.mouseClick(form.address.viewport(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.address.hasFocus)
    QTest.keyClick(form.address, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(form.address, text)
    QTest.keyClick(form.address, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not form.address.hasFocus())


def save(form: ActorForm) -> None:
    ok = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert form.result() == form.DialogCode.Accepted, form.error.text()


def test_an_address_typed_in_the_form_places_the_actor_at_its_door(
    qtbot, store, gazetteer, indexed
):
    form = shown_form(qtbot, store, gazetteer)
    QTest.keyClicks(form.name, "Atelier velo")
    choose_commune(qtbot, form, "94130", "Nogent-sur-Marne")
    assert not form.address_hint.isVisible()
    type_address(qtbot, form, "12 r des ecoles")
    assert form.address_hint.isVisible()
    assert form.address_hint.text() == (
        fr("Placé à l'adresse : 12 Rue des Écoles, 94130 Nogent-sur-Marne")
    )
    save(form)
    actor = store.get_actor(form.actor.id)
    assert (actor.latitude, actor.longitude) == pytest.approx((48.83722, 2.48022), abs=1e-7)
    assert actor.address == "12 r des ecoles"
    card = make_card(qtbot, store, actor.id)
    assert card.findChild(type(form.address_hint), "approximate") is None

    form = shown_form(qtbot, store, gazetteer, actor_id=actor.id)
    type_address(qtbot, form, "99 rue qui n existe pas")
    assert form.address_hint.text() == fr("Adresse introuvable : placé au centre de la commune")
    type_address(qtbot, form, "3 avenue de la republique")  # checked again as it is left
    assert form.address_hint.text().startswith(fr("Placé à l'adresse : 3 Avenue de la République"))
    save(form)
    moved = store.get_actor(actor.id)
    assert (moved.latitude, moved.longitude) == pytest.approx((48.84003, 2.47003), abs=1e-7)


def test_an_address_not_found_leaves_the_actor_at_the_centre_shown_approximate(
    qtbot, store, gazetteer, indexed
):
    form = shown_form(qtbot, store, gazetteer)
    QTest.keyClicks(form.name, "Ressourcerie")
    choose_commune(qtbot, form, "94130", "Nogent-sur-Marne")
    type_address(qtbot, form, "8 impasse des Oubliettes")
    assert form.address_hint.text() == fr("Adresse introuvable : placé au centre de la commune")
    save(form)
    actor = store.get_actor(form.actor.id)
    centre = gazetteer.by_insee("94052")
    assert (actor.latitude, actor.longitude) == (centre.latitude, centre.longitude)
    card = make_card(qtbot, store, actor.id)
    note = card.findChild(type(form.address_hint), "approximate")
    assert note is not None
    qtbot.waitUntil(note.isVisible)
    assert note.text() == "emplacement approximatif (centre de la commune)"

    form = shown_form(qtbot, store, gazetteer)
    choose_commune(qtbot, form, "69003", "Lyon")
    type_address(qtbot, form, "12 rue des ecoles")
    assert form.address_hint.text() == (
        fr("Adresses du département 69 non importées : placé au centre de la commune")
    )


def test_without_an_address_index_the_form_says_nothing(qtbot, store, gazetteer):
    form = shown_form(qtbot, store, gazetteer)
    choose_commune(qtbot, form, "94130", "Nogent-sur-Marne")
    type_address(qtbot, form, "12 rue des ecoles")
    assert not form.address_hint.isVisible()
