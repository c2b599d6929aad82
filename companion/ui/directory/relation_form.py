"""The relation form: from one actor, link another (type, direction, dates, strength, notes).

Creating uses ``Store.add_relation``; editing ``update_record("relations", …)``. Each
save is one undo step. The other actor is found by typing (the actors' search index).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from companion.directory.dates import format_date
from companion.directory.editing import relation_exists
from companion.directory.validate import InvalidValue
from companion.domain import RELATION_TYPES, label
from companion.i18n import _
from companion.store import Store
from companion.store.store import InvalidRecord
from companion.ui.common.form_parts import (
    code_combo,
    date_edit,
    dialog_buttons,
    error_label,
    mark_invalid,
    period_row,
    read_period,
    refuse,
    select,
    visibility_combo,
)
from companion.ui.common.record_picker import RecordPicker, actor_search


def strength_combo() -> QComboBox:
    combo = QComboBox()
    combo.addItem(_("Non précisée"), None)
    for value, text in ((1, _("1 – faible")), (2, _("2 – moyenne")), (3, _("3 – forte"))):
        combo.addItem(text, value)
    return combo


class RelationForm(QDialog):
    """Add a relation from ``actor_id``, or edit ``relation_id``; ``relation_id`` is set on save."""

    def __init__(
        self,
        store: Store,
        actor_id: str,
        relation_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor_id = actor_id
        self.relation_id = relation_id
        actor = store.get_actor(actor_id)
        row = store.get_record("relations", relation_id) if relation_id else None
        if actor is None or (relation_id and row is None):
            raise InvalidRecord(_("Fiche introuvable : {id}").format(id=relation_id or actor_id))
        self.setWindowTitle(_("Modifier la relation") if row else _("Ajouter une relation"))

        self.other = RecordPicker(
            actor_search(store, actor_id), _("Rechercher un acteur (nom, commune…)")
        )
        self.direction = QComboBox()
        self.direction.addItem(_("{name} → l'autre acteur").format(name=actor.name), True)
        self.direction.addItem(_("L'autre acteur → {name}").format(name=actor.name), False)
        self.type = code_combo(RELATION_TYPES, "partenariat")
        self.start = date_edit()
        self.end = date_edit()
        self.strength = strength_combo()
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(self.fontMetrics().height() * 5)
        self.visibility = visibility_combo()
        self.error = error_label()
        if row is not None:
            self._fill(row)

        form = QFormLayout()
        form.addRow(_("Acteur lié"), self.other)
        form.addRow(_("Sens"), self.direction)
        form.addRow(_("Type"), self.type)
        form.addRow(_("Dates"), period_row(self.start, self.end))
        form.addRow(_("Intensité"), self.strength)
        form.addRow(_("Notes"), self.notes)
        form.addRow(_("Visibilité"), self.visibility)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("Enregistrer") if row else _("Ajouter")))
        self.other.setFocus()

    def _fill(self, row: dict) -> None:
        outgoing = row["source_id"] == self.actor_id
        other_id = row["target_id"] if outgoing else row["source_id"]
        other = self.store.get_actor(other_id)
        self.other.choose(other_id, other.name if other else other_id)
        select(self.direction, outgoing)
        select(self.type, row["type"])
        self.start.setText(format_date(row["start_date"]))
        self.end.setText(format_date(row["end_date"]))
        if row["strength"] is not None:
            select(self.strength, row["strength"])
        self.notes.setPlainText(row["notes"] or "")
        select(self.visibility, row["visibility"])

    def accept(self) -> None:
        """Check, then save as one undo step; errors stay in the dialog."""
        for widget in (self.other.edit, self.start, self.end):
            mark_invalid(widget, False)
        try:
            fields = self._fields()
        except InvalidValue as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            return
        try:
            with self.store.undoable(
                _("Modifier la relation") if self.relation_id else _("Ajouter une relation")
            ):
                if self.relation_id:
                    self.store.update_record("relations", self.relation_id, **fields)
                else:
                    source, target, type_ = (
                        fields.pop(k) for k in ("source_id", "target_id", "type")
                    )
                    self.relation_id = self.store.add_relation(source, target, type_, **fields).id
        except InvalidRecord as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            return
        super().accept()

    def _fields(self) -> dict:
        """The relation's columns from the form; ``InvalidValue`` names what is wrong."""
        other_id = self.other.resolve()
        if other_id is None:
            refuse(self.other.edit)
            if self.other.typed() and self.other.candidates():
                raise InvalidValue(_("Acteur lié : choisissez-en un dans la liste."))
            if self.other.typed():
                raise InvalidValue(
                    _("Acteur lié : aucun acteur ne correspond à « {text} ».").format(
                        text=self.other.typed()
                    )
                )
            raise InvalidValue(_("Acteur lié : choisissez l'autre acteur de la relation."))
        dates = read_period(self.start, self.end)
        outgoing = self.direction.currentData()
        source, target = (self.actor_id, other_id) if outgoing else (other_id, self.actor_id)
        type_ = self.type.currentData()
        if relation_exists(self.store.conn, source, target, type_, self.relation_id or ""):
            refuse(self.other.edit)
            raise InvalidValue(
                _("Une relation « {type} » existe déjà entre ces deux acteurs.").format(
                    type=label(RELATION_TYPES, type_)
                )
            )
        return {
            "source_id": source,
            "target_id": target,
            "type": type_,
            **dates,
            "strength": self.strength.currentData(),
            "notes": self.notes.toPlainText().strip(),
            "visibility": self.visibility.currentData(),
        }
