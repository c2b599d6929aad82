"""The person card: identity, organisations, the RGPD record, exchanges, and what to do.

Every label is plain text (``plain_label``): names and notes are never read as HTML.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.directory.contact_details import EMAIL, Contact, contacts_of, label_name
from companion.directory.people import affiliations_of, last_interaction_of
from companion.directory.validate import format_phone
from companion.domain import LEGAL_BASES, VISIBILITIES, label
from companion.i18n import _
from companion.store import Person, Store
from companion.ui.common.labels import plain_label
from companion.ui.directory.bulk_actions import undo_hint
from companion.ui.directory.person_actions import confirm_and_erase, export_person_data
from companion.ui.directory.person_form import PersonForm
from companion.ui.directory.timeline import InteractionTimeline

PLAIN_TEXT = "plain_text"  # a rich label's text without its markup (plain_text())


def contact_label(contact: Contact) -> QLabel:
    """An e-mail or phone with its label, as a link the system opens (mail, calls)."""
    is_email = contact.kind == EMAIL
    shown = contact.value if is_email else format_phone(contact.value)
    url = QUrl(("mailto:" if is_email else "tel:") + contact.value)
    prefix = _("{label} : ").format(label=label_name(contact.label)) if contact.label else ""
    widget = QLabel()
    widget.setTextFormat(Qt.TextFormat.RichText)
    widget.setWordWrap(True)
    widget.setText(
        f'{html.escape(prefix)}<a href="{html.escape(url.toString(), quote=True)}">'
        f"{html.escape(shown)}</a>"
    )
    widget.setProperty(PLAIN_TEXT, prefix + shown)
    widget.setToolTip(_("Écrire à cette adresse") if is_email else _("Appeler ce numéro"))
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    widget.linkActivated.connect(lambda _link, url=url: QDesktopServices.openUrl(url))
    return widget


class PersonCard(QWidget):
    """Shows one person; Modifier, Exporter ses données, Effacer cette personne."""

    changed = Signal(str)  # after an edit or an erasure: the status-bar message

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.person_id: str | None = None
        self.form: PersonForm | None = None
        self.timeline: InteractionTimeline | None = None
        self.exported: list = []  # the files of the last export, for the status bar and tests

        self._content = QWidget()
        self._layout = QVBoxLayout(self._content)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._content)
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.edit_button = QPushButton(_("Modifier…"))
        self.edit_button.clicked.connect(self.edit)
        self.export_button = QPushButton(_("Exporter ses données…"))
        self.export_button.clicked.connect(self.export_data)
        self.erase_button = QPushButton(_("Effacer cette personne…"))
        self.erase_button.clicked.connect(self.erase)
        self.buttons = QWidget()
        row = QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(self.erase_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.clear()

    def clear(self) -> None:
        """Back to the empty state: nobody selected."""
        self.person_id = None
        self.timeline = None
        self._reset_content()
        hint = plain_label(_("Sélectionnez une personne pour afficher sa fiche."))
        hint.setEnabled(False)
        self._layout.addWidget(hint)
        self.buttons.hide()
        self._show_pane(False)

    def _show_pane(self, shown: bool) -> None:
        """In its panel, the card takes room only while it shows someone."""
        if self.parentWidget() is not None:  # alone, it is a window: left as shown
            self.setVisible(shown)

    def show_person(self, person_id: str) -> None:
        person = self._store.get_person(person_id)
        if person is None:
            self.clear()
            return
        self.person_id = person_id
        self._show_pane(True)
        self._reset_content()
        self._add_identity(person)
        self._add_section(_("Organisations"), self._affiliation_lines(person_id))
        self._add_section(_("Données personnelles (RGPD)"), self._rgpd_lines(person))
        self._add_timeline(person_id)
        self.buttons.show()

    def plain_text(self) -> str:
        """All the text the card shows, one label per line (for tests and copying)."""
        return "\n".join(
            widget.property(PLAIN_TEXT) or widget.text()
            for widget in self._content.findChildren(QLabel)
        )

    # -- actions --------------------------------------------------------------

    def edit(self) -> PersonForm | None:
        if self.person_id is None:
            return None
        self.form = PersonForm(self._store, self.person_id, self)
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form.accepted.connect(self._edited)
        self.form.open()
        return self.form

    def _edited(self) -> None:
        form = self.form
        self.form = None
        if form is None or form.person is None:
            return
        self.show_person(form.person.id)
        self.changed.emit(
            undo_hint(_("{name} : fiche modifiée").format(name=form.person.full_name))
        )

    def export_data(self) -> None:
        if self.person_id is None:
            return
        self.exported = export_person_data(self, self._store, self.person_id)
        if self.exported:
            folder = self.exported[0].parent
            self.changed.emit(_("Données exportées dans « {folder} »").format(folder=folder))

    def erase(self) -> None:
        if self.person_id is None:
            return
        person = self._store.get_person(self.person_id)
        if person is None or confirm_and_erase(self, self._store, self.person_id) is None:
            return
        self.clear()
        self.changed.emit(_("{name} : fiche effacée définitivement").format(name=person.full_name))

    # -- building blocks ------------------------------------------------------

    def _reset_content(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone from findChildren at once, deleted later
                widget.deleteLater()

    def _add_identity(self, person: Person) -> None:
        self._layout.addWidget(plain_label(person.full_name, bold=True, point_delta=4))
        emails, phones = contacts_of(person.email, person.phone, person.other_contacts)
        for contact in (*emails, *phones):
            self._layout.addWidget(contact_label(contact))
        visibility = label(VISIBILITIES, person.visibility)
        self._layout.addWidget(plain_label(_("Visibilité : {value}").format(value=visibility)))
        if person.notes:
            self._layout.addSpacing(6)
            self._layout.addWidget(plain_label(person.notes))

    def _add_section(self, title: str, lines: list[str]) -> None:
        lines = [line for line in lines if line]
        if not lines:
            return
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(title, bold=True))
        for line in lines:
            self._layout.addWidget(plain_label(line))

    def _affiliation_lines(self, person_id: str) -> list[str]:
        return [
            f"{view.actor_name} — {view.role}" if view.role else view.actor_name
            for view in affiliations_of(self._store, person_id)
        ]

    def _rgpd_lines(self, person: Person) -> list[str]:
        missing = _("non renseignée")
        last = last_interaction_of(self._store, person.id)
        return [
            _("Base légale : {value}").format(
                value=label(LEGAL_BASES, person.legal_basis) or missing
            ),
            _("Date de collecte : {value}").format(value=person.collected_on or missing),
            _("Source de la collecte : {value}").format(value=person.collection_source or missing),
            _("Dernier échange : {value}").format(value=(last or "")[:10] or _("aucun")),
        ]

    def _add_timeline(self, person_id: str) -> None:
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(_("Échanges"), bold=True))
        self.timeline = InteractionTimeline(self._store)
        self.timeline.show_for(person_id=person_id)
        self.timeline.changed.connect(self._on_timeline_changed)
        self._layout.addWidget(self.timeline)

    def _on_timeline_changed(self) -> None:
        if self.person_id:
            self.show_person(self.person_id)  # the RGPD block shows the last exchange
            self.changed.emit("")
