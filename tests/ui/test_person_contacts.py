"""The person form and card with several phones and e-mails (issue #17, item 5), driven with
real mouse and keyboard events: add a second phone and label it, a wrong e-mail is named,
a row is removed, OK saves; the card shows every value labelled, and a click on one
opens it (tel:, mailto:) through the system's handler."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from companion.directory.contact_details import Contact, contacts_of
from companion.directory.people import save_person
from companion.store import Store
from companion.ui.directory.person_card import PLAIN_TEXT, PersonCard
from tests.french import fr


class UrlCatcher(QObject):
    """Stands for the system's mail and phone applications."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def make_card(qtbot, store: Store, person_id: str) -> PersonCard:
    card = PersonCard(store)
    qtbot.addWidget(card)
    card.resize(700, 600)
    card.show()
    qtbot.waitExposed(card)
    card.show_person(person_id)
    return card


def click_ok(form) -> None:
    ok = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)


def test_adding_a_second_phone_with_real_events_saves_it_labelled(qtbot, store: Store) -> None:
    lea = save_person(
        store,
        {"first_name": "Léa", "last_name": "Martin", "emails": [("travail", "lea@asso.example")],
         "phones": [("travail", "04 65 71 00 04")]},
    )  # fmt: skip
    before = store.get_person(lea.id)
    card = make_card(qtbot, store, lea.id)
    QTest.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    form = card.form
    assert form is not None
    qtbot.waitExposed(form)
    assert [row.edit.text() for row in form.phones.rows] == ["04 65 71 00 04"]

    # « Ajouter un téléphone »: a new row, focused, labelled « Mobile » until changed.
    assert form.phones.add_button.text() == "Ajouter un téléphone"
    QTest.mouseClick(form.phones.add_button, Qt.MouseButton.LeftButton)
    assert len(form.phones.rows) == 2
    second = form.phones.rows[1]
    qtbot.waitUntil(second.edit.hasFocus)
    QTest.keyClicks(second.edit, "06 98 76 54 32")
    assert second.label.currentText() == "Mobile"
    second.label.setFocus()
    QTest.keyClick(second.label, Qt.Key.Key_Down)  # Mobile -> Domicile
    assert second.label.currentText() == "Domicile"

    # A wrong second e-mail is named and focused; nothing is saved.
    QTest.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.emails.rows[1].edit.hasFocus)
    QTest.keyClicks(form.emails.rows[1].edit, "lea@")
    click_ok(form)
    assert form.isVisible()
    assert form.error_label.isVisible()
    assert form.error_label.text().startswith(fr("E-mail 2 : « lea@ » n'est pas une adresse"))
    assert form.focusWidget() is form.emails.rows[1].edit
    assert store.get_person(lea.id) == before

    # Removed with its ✕ instead, then OK saves.
    QTest.mouseClick(form.emails.rows[1].remove, Qt.MouseButton.LeftButton)
    assert len(form.emails.rows) == 1
    click_ok(form)
    qtbot.waitUntil(lambda: not form.isVisible())
    saved = store.get_person(lea.id)
    assert contacts_of(saved.email, saved.phone, saved.other_contacts) == (
        [Contact("email", "travail", "lea@asso.example")],
        [Contact("phone", "travail", "+33465710004"), Contact("phone", "domicile", "+33698765432")],
    )
    assert store.journal.last().label == "Modifier Léa Martin"  # one undo step

    # The card shows both phones labelled; reopened, the form shows them again.
    lines = card.plain_text().splitlines()
    assert fr("Travail : 04 65 71 00 04") in lines and fr("Domicile : 06 98 76 54 32") in lines
    again = card.edit()
    assert [(r.label.currentText(), r.edit.text()) for r in again.phones.rows] == [
        ("Travail", "04 65 71 00 04"),
        ("Domicile", "06 98 76 54 32"),
    ]
    again.reject()


def test_a_click_on_a_second_phone_or_email_opens_it(qtbot, store: Store) -> None:
    lea = save_person(
        store,
        {"last_name": "Martin", "emails": [("travail", "lea@asso.example"),
                                           ("domicile", "lea@perso.example")],
         "phones": [("travail", "04 65 71 00 04"), ("mobile", "06 98 76 54 32")]},
    )  # fmt: skip
    card = make_card(qtbot, store, lea.id)
    catcher = UrlCatcher()
    for scheme in ("tel", "mailto"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    try:
        for shown, url in (
            (fr("Mobile : 06 98 76 54 32"), "tel:+33698765432"),
            (fr("Domicile : lea@perso.example"), "mailto:lea@perso.example"),
        ):
            [label] = [w for w in card.findChildren(QLabel) if w.property(PLAIN_TEXT) == shown]
            prefix, _sep, value = shown.partition(fr(" : "))
            metrics = label.fontMetrics()
            x = label.contentsRect().left() + metrics.horizontalAdvance(prefix + fr(" : "))
            x += metrics.horizontalAdvance(value) // 2  # the middle of the link
            point = QPoint(x, label.contentsRect().center().y())
            QTest.mouseClick(
                label, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
            )
            qtbot.waitUntil(lambda url=url: url in catcher.opened)
        # A click beside the link opens nothing.
        [label] = [w for w in card.findChildren(QLabel) if w.property(PLAIN_TEXT) == shown]
        before = len(catcher.opened)
        QTest.mouseClick(label, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(label.width() - 3, label.height() // 2))  # fmt: skip
        assert len(catcher.opened) == before
    finally:
        for scheme in ("tel", "mailto"):
            QDesktopServices.unsetUrlHandler(scheme)
