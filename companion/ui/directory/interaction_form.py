"""The interaction form: an exchange (meeting, call…) with an actor and/or a person.

Kind, date (today unless changed), title, notes, who it was with, visibility.
Creating, editing and deleting are each one undo step.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.directory.people_lookup import person_label
from companion.domain import INTERACTION_KINDS
from companion.i18n import _
from companion.store import Store
from companion.store.store import InvalidRecord
from companion.ui.common.form_parts import (
    code_combo,
    confirm,
    dialog_buttons,
    error_label,
    mark_invalid,
    refuse,
    select,
    visibility_combo,
)
from companion.ui.common.record_picker import RecordPicker, actor_search, people_search


def delete_interaction(store: Store, parent: QWidget, interaction_id: str) -> bool:
    """Ask, then tombstone the interaction as one undo step; True if deleted."""
    row = store.get_record("interactions", interaction_id)
    if row is None:
        return False
    title = row["title"] or _("cet échange")
    if not confirm(
        parent,
        _("Supprimer l'échange"),
        _("Supprimer « {title} » ?").format(title=title),
    ):
        return False
    with store.undoable(_("Supprimer l'échange")):
        store.delete_record("interactions", interaction_id)
    return True


class InteractionForm(QDialog):
    """Add an interaction (linked to ``actor_id`` and/or ``person_id``) or edit one.

    ``interaction_id`` is set once saved; ``deleted`` is True if the user deleted it.
    """

    def __init__(
        self,
        store: Store,
        interaction_id: str | None = None,
        actor_id: str | None = None,
        person_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.interaction_id = interaction_id
        self.deleted = False
        row = store.get_record("interactions", interaction_id) if interaction_id else None
        if interaction_id and row is None:
            raise InvalidRecord(_("Fiche introuvable : {id}").format(id=interaction_id))
        self.setWindowTitle(_("Modifier l'échange") if row else _("Ajouter un échange"))

        self.kind = code_combo(INTERACTION_KINDS, "reunion")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.title = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setMinimumHeight(self.fontMetrics().height() * 6)
        self.actor = RecordPicker(actor_search(store), _("Rechercher un acteur (nom, commune…)"))
        self.person = RecordPicker(people_search(store), _("Rechercher une personne"))
        self.visibility = visibility_combo()
        self.error = error_label()
        if row is not None:
            self._fill(row)
        else:
            self._link(actor_id, person_id)

        form = QFormLayout()
        form.addRow(_("Type"), self.kind)
        form.addRow(_("Date"), self.date)
        form.addRow(_("Titre"), self.title)
        form.addRow(_("Notes"), self.notes)
        form.addRow(_("Acteur"), self.actor)
        form.addRow(_("Personne"), self.person)
        form.addRow(_("Visibilité"), self.visibility)
        buttons = dialog_buttons(self, _("Enregistrer") if row else _("Ajouter"))
        self.delete_button: QPushButton | None = None
        if row is not None:
            self.delete_button = buttons.addButton(
                _("Supprimer"), QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.delete_button.clicked.connect(self.delete)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.title.setFocus()

    def _link(self, actor_id: str | None, person_id: str | None) -> None:
        actor = self.store.get_actor(actor_id) if actor_id else None
        if actor is not None:
            self.actor.choose(actor.id, actor.name)
        person = self.store.get_person(person_id) if person_id else None
        if person is not None:
            self.person.choose(person.id, person_label(person))

    def _fill(self, row: dict) -> None:
        select(self.kind, row["kind"])
        day = QDate.fromString(row["date"][:10], "yyyy-MM-dd")
        if day.isValid():
            self.date.setDate(day)
        self.title.setText(row["title"] or "")
        self.notes.setPlainText(row["notes"] or "")
        self._link(row["actor_id"], row["person_id"])
        select(self.visibility, row["visibility"])

    def values(self) -> dict:
        """The interaction's columns from the form (links as chosen, or None)."""
        day = self.date.date()
        return {
            "kind": self.kind.currentData(),
            "date": date(day.year(), day.month(), day.day()).isoformat(),
            "title": self.title.text().strip(),
            "notes": self.notes.toPlainText().strip(),
            "actor_id": self._resolved(self.actor),
            "person_id": self._resolved(self.person),
            "visibility": self.visibility.currentData(),
        }

    def accept(self) -> None:
        """Check, then save as one undo step; errors stay in the dialog."""
        for widget in (self.actor.edit, self.person.edit):
            mark_invalid(widget, False)
        values = self.values()
        message = self._problem(values)
        if message:
            self._show_error(message)
            return
        label = _("Modifier l'échange") if self.interaction_id else _("Ajouter un échange")
        try:
            with self.store.undoable(label):
                if self.interaction_id:
                    self.store.update_record("interactions", self.interaction_id, **values)
                else:
                    kind, day = values.pop("kind"), values.pop("date")
                    self.interaction_id = self.store.add_interaction(kind, day, **values).id
        except InvalidRecord as error:
            self._show_error(str(error))
            return
        super().accept()

    def delete(self) -> None:
        """Delete the interaction being edited (after confirmation) and close."""
        if self.interaction_id and delete_interaction(self.store, self, self.interaction_id):
            self.deleted = True
            super().accept()

    def _resolved(self, picker: RecordPicker) -> str | None:
        return picker.resolve() if picker.typed() else None

    def _problem(self, values: dict) -> str:
        for key, picker, what in (
            ("actor_id", self.actor, _("Acteur")),
            ("person_id", self.person, _("Personne")),
        ):
            if picker.typed() and values[key] is None:
                refuse(picker.edit)
                return _("{field} : choisissez dans la liste ou videz le champ.").format(field=what)
        if values["actor_id"] is None and values["person_id"] is None:
            refuse(self.actor.edit)
            return _("Reliez l'échange à un acteur, à une personne, ou aux deux.")
        if not (values["title"] or values["notes"]):
            refuse(self.title)
            return _("Donnez un titre ou des notes à l'échange.")
        return ""

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
