"""The actor card: everything known about one actor, shown as plain text, and its edits.

Every label is plain text: names, descriptions and notes come from people and
from the network, and must never be read as HTML. The card opens the forms
(actor, relation, person, exchange) window-modal and keeps the one open in
``form``; after any change it shows the actor again and emits ``changed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.domain import ACTOR_KINDS, RELATION_TYPES, label
from companion.i18n import _
from companion.store import Actor, Store
from companion.ui.common.labels import plain_label

if TYPE_CHECKING:  # the forms load when first opened: start-up does not pay for them
    from companion.geo.gazetteer import Gazetteer
    from companion.ui.directory.actor_form import ActorForm
    from companion.ui.directory.affiliation_form import AffiliationForm
    from companion.ui.directory.relation_form import RelationForm
    from companion.ui.directory.timeline import InteractionTimeline

ID = "record_id"  # the property naming a row's record on its buttons
Slot = Callable[[], object]


class ActorCard(QScrollArea):
    """Shows one actor: identity, place, description, tags, people, relations, exchanges."""

    changed = Signal(str)  # the actor's id, after any edit from the card (deletion included)
    deleted = Signal(str)  # the actor's id, after the actor itself was deleted
    map_requested = Signal(str)  # show this actor on the map
    place_requested = Signal(str)  # put this actor where it is, on the map

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.actor_id: str | None = None
        self.form: QDialog | None = None
        self.timeline: InteractionTimeline | None = None
        self._gazetteer: Gazetteer | None = None  # opened for the first actor shown
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._content = QWidget()
        self._layout = QVBoxLayout(self._content)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._content)
        self.clear()

    def clear(self) -> None:
        """Back to the empty state: nothing selected."""
        self.actor_id = None
        self.timeline = None
        self._reset_content()
        hint = plain_label(_("Sélectionnez un acteur pour afficher sa fiche."))
        hint.setEnabled(False)
        self._layout.addWidget(hint)
        self._show_pane(False)

    def _show_pane(self, shown: bool) -> None:
        """In its page, the card takes room only while it shows an actor (its splitter gives
        the table the whole width meanwhile)."""
        if self.parentWidget() is not None:  # alone, it is a window: left as shown
            self.setVisible(shown)

    def show_actor(self, actor_id: str) -> None:
        actor = self._store.get_actor(actor_id)
        if actor is None:
            self.clear()
            return
        self.actor_id = actor_id
        self._show_pane(True)
        self._reset_content()
        self._add_identity(actor)
        self._add_actions()
        self._add_section(_("Étiquettes"), [", ".join(self._store.tags_of(actor_id))])
        self._add_people(actor_id)
        self._add_relations(actor_id)
        self._add_timeline(actor_id)

    def plain_text(self) -> str:
        """All the text the card shows, one label per line (for tests and copying)."""
        labels = self._content.findChildren(QLabel)
        return "\n".join(widget.text() for widget in labels)

    # -- actions (each opens a form; tests fill it and accept it) -------------

    def edit_actor(self) -> ActorForm:
        from companion.ui.directory.actor_form import ActorForm, open_gazetteer

        gazetteer, notice = open_gazetteer()
        return self._open(
            ActorForm(
                self._store,
                gazetteer=gazetteer,
                notice=notice,
                parent=self,
                actor_id=self.actor_id,
            )
        )

    def add_relation(self) -> RelationForm:
        from companion.ui.directory.relation_form import RelationForm

        return self._open(RelationForm(self._store, self.actor_id, parent=self))

    def edit_relation(self, relation_id: str) -> RelationForm:
        from companion.ui.directory.relation_form import RelationForm

        return self._open(RelationForm(self._store, self.actor_id, relation_id, self))

    def add_person(self) -> AffiliationForm:
        from companion.ui.directory.affiliation_form import AffiliationForm

        return self._open(AffiliationForm(self._store, self.actor_id, parent=self))

    def edit_affiliation(self, affiliation_id: str) -> AffiliationForm:
        from companion.ui.directory.affiliation_form import AffiliationForm

        return self._open(AffiliationForm(self._store, self.actor_id, affiliation_id, self))

    def add_interaction(self) -> QDialog | None:
        """Open the exchange form for this actor (the timeline owns it)."""
        return self.timeline.add_interaction() if self.timeline else None

    def delete_relation(self, relation_id: str) -> bool:
        return self._delete_link(
            "relations", relation_id, _("Supprimer la relation"), _("Supprimer cette relation ?")
        )

    def remove_affiliation(self, affiliation_id: str) -> bool:
        return self._delete_link(
            "affiliations",
            affiliation_id,
            _("Retirer la personne"),
            _("Retirer cette personne de l'acteur ? Sa fiche reste dans l'annuaire."),
        )

    def delete_actor(self) -> bool:
        """Ask, then delete the actor with its relations and links to people (one undo step)."""
        actor = self._store.get_actor(self.actor_id) if self.actor_id else None
        if actor is None:
            return False
        question = _(
            "Supprimer « {name} » ? Ses relations et ses liens avec des personnes "
            "seront supprimés aussi ; les personnes et les échanges restent."
        ).format(name=actor.name)
        from companion.ui.common.form_parts import confirm

        if not confirm(self, _("Supprimer l'acteur"), question):
            return False
        from companion.directory.editing import actor_links

        with self._store.undoable(_("Supprimer l'acteur")):
            for table, record_id in actor_links(self._store.conn, actor.id):
                self._store.delete_record(table, record_id)
            self._store.delete_actor(actor.id)
        self.clear()
        self.changed.emit(actor.id)
        self.deleted.emit(actor.id)
        return True

    # -- building blocks ----------------------------------------------------

    def _reset_content(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone from findChildren at once, deleted later
                widget.deleteLater()

    def _add_identity(self, actor: Actor) -> None:
        self._layout.addWidget(plain_label(actor.name, bold=True, point_delta=4))
        # Here, not at the top: no actor is shown at start-up (2 ms of it).
        from companion.directory.actor_checks import format_siren, format_siret
        from companion.directory.validate import format_phone

        self._layout.addWidget(plain_label(label(ACTOR_KINDS, actor.kind)))
        place = actor.commune or ""
        if actor.departement:
            place = f"{place} ({actor.departement})" if place else actor.departement
        if place:
            self._layout.addWidget(plain_label(place))
        if self._approximate(actor):
            note = plain_label(_("emplacement approximatif (centre de la commune)"))
            note.setEnabled(False)  # greyed, as the map's hollow marker says it
            note.setObjectName("approximate")
            self._layout.addWidget(note)
        for contact in (actor.address, actor.website, actor.email, format_phone(actor.phone)):
            if contact:
                self._layout.addWidget(plain_label(contact))
        for name, value in (
            (_("SIREN"), format_siren(actor.siren)),
            (_("SIRET"), format_siret(actor.siret)),
            (_("RNA"), actor.rna),
        ):
            if value:
                self._layout.addWidget(
                    plain_label(_("{field} : {value}").format(field=name, value=value))
                )
        if actor.description:
            self._layout.addSpacing(6)
            self._layout.addWidget(plain_label(actor.description))

    def _approximate(self, actor: Actor) -> bool:
        """Whether the actor stands at its commune's centre, not at its address."""
        from companion.geo.gazetteer import Gazetteer, GazetteerMissing
        from companion.geo.placement import at_commune_centre

        if self._gazetteer is None:
            try:
                self._gazetteer = Gazetteer.open()
            except GazetteerMissing:
                return False
        return at_commune_centre(self._gazetteer, actor.insee_code, actor.latitude,
                                 actor.longitude)  # fmt: skip

    def _add_actions(self) -> None:
        """Two rows of three buttons: the card stays narrow enough to sit beside the table
        on a 1366-pixel screen; deleting comes last, away from the everyday « Modifier »."""
        actor_id = self.actor_id
        rows = (
            (
                (_("Modifier"), self.edit_actor),
                (_("Ajouter une relation"), self.add_relation),
                (_("Ajouter une personne"), self.add_person),
            ),
            (
                (_("Voir sur la carte"), lambda: self.map_requested.emit(actor_id)),
                (_("Placer sur la carte…"), lambda: self.place_requested.emit(actor_id)),
                (_("Supprimer l'acteur"), self.delete_actor),
            ),
        )
        for top, buttons in zip((6, 2), rows, strict=True):
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, top, 0, 0)
            for text, slot in buttons:
                button = QPushButton(text)
                button.clicked.connect(lambda _checked=False, slot=slot: slot())
                layout.addWidget(button)
            layout.addStretch(1)
            self._layout.addWidget(row)

    def _add_section(self, title: str, lines: list[str]) -> None:
        lines = [line for line in lines if line]
        if not lines:
            return
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(title, bold=True))
        for line in lines:
            self._layout.addWidget(plain_label(line))

    def _add_people(self, actor_id: str) -> None:
        from companion.directory.editing import members_of

        members = members_of(self._store.conn, actor_id)
        if not members:
            return
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(_("Personnes"), bold=True))
        for member in members:
            name, role = member.person.full_name, member.affiliation.role
            text = f"{name} — {role}" if role else name
            self._add_row(
                text,
                member.affiliation.id,
                self._on_edit_member,
                (_("Retirer"), self._on_remove_member),
            )

    def _add_relations(self, actor_id: str) -> None:
        views = self._store.relations_of(actor_id)
        if not views:
            return
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(_("Relations"), bold=True))
        for view in views:
            kind = label(RELATION_TYPES, view.relation.type)
            template = _("{type} → {name}") if view.outgoing else _("{type} ← {name}")
            text = template.format(type=kind, name=view.other_name)
            self._add_row(
                text,
                view.relation.id,
                self._on_edit_relation,
                (_("Supprimer"), self._on_delete_relation),
            )

    def _add_row(self, text: str, record_id: str, on_edit: Slot, removal: tuple[str, Slot]) -> None:
        """A line of text with its "Modifier" button and its removal button."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label(text), 1)
        for caption, slot in ((_("Modifier"), on_edit), removal):
            button = QPushButton(caption)
            button.setFlat(True)
            button.setProperty(ID, record_id)
            button.clicked.connect(slot)
            layout.addWidget(button)
        self._layout.addWidget(row)

    def _add_timeline(self, actor_id: str) -> None:
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(_("Échanges"), bold=True))
        from companion.ui.directory.timeline import InteractionTimeline

        self.timeline = InteractionTimeline(self._store)
        self.timeline.show_for(actor_id=actor_id)
        self.timeline.changed.connect(self._on_timeline_changed)
        self._layout.addWidget(self.timeline)

    # -- slots (bound methods: the buttons they serve are rebuilt often) ------

    def _on_edit_member(self) -> None:
        self.edit_affiliation(self.sender().property(ID))

    def _on_remove_member(self) -> None:
        self.remove_affiliation(self.sender().property(ID))

    def _on_edit_relation(self) -> None:
        self.edit_relation(self.sender().property(ID))

    def _on_delete_relation(self) -> None:
        self.delete_relation(self.sender().property(ID))

    def _on_timeline_changed(self) -> None:
        if self.actor_id:
            self.changed.emit(self.actor_id)

    def _delete_link(self, table: str, record_id: str, title: str, question: str) -> bool:
        from companion.ui.common.form_parts import confirm

        if not confirm(self, title, question):
            return False
        with self._store.undoable(title):
            self._store.delete_record(table, record_id)
        self._after_edit()
        return True

    def _open(self, form: QDialog) -> QDialog:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(self._on_form_finished)
        self.form = form
        form.open()
        return form

    def _on_form_finished(self, result: int) -> None:
        form = self.form
        self.form = None
        gazetteer = getattr(form, "gazetteer", None)
        if gazetteer is not None:
            gazetteer.close()
        if result == QDialog.DialogCode.Accepted:
            self._after_edit()

    def _after_edit(self) -> None:
        actor_id = self.actor_id
        if actor_id:
            self.show_actor(actor_id)
            self.changed.emit(actor_id)
