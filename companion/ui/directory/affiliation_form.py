"""The affiliation form: link a person to an actor, with a role and dates.

The person is found by typing (the people's search index) or created on the spot
(first and last name, e-mail and phone checked). Creating the person and the link
is one undo step. Editing changes the role, the dates and the visibility.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from companion.directory.dates import format_date
from companion.directory.editing import affiliation_exists
from companion.directory.people_lookup import person_with_email
from companion.directory.validate import InvalidValue, check_email, check_phone
from companion.i18n import _
from companion.store import Store
from companion.store.store import InvalidRecord
from companion.ui.common.form_parts import (
    date_edit,
    dialog_buttons,
    error_label,
    mark_invalid,
    period_row,
    plain,
    read_period,
    refuse,
    select,
    visibility_combo,
)
from companion.ui.common.record_picker import RecordPicker, people_search


class AffiliationForm(QDialog):
    """Link a person to ``actor_id``, or edit ``affiliation_id``; ``person_id`` is set on save."""

    def __init__(
        self,
        store: Store,
        actor_id: str,
        affiliation_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor_id = actor_id
        self.affiliation_id = affiliation_id
        self.person_id: str | None = None
        row = store.get_record("affiliations", affiliation_id) if affiliation_id else None
        if store.get_actor(actor_id) is None or (affiliation_id and row is None):
            raise InvalidRecord(_("Fiche introuvable : {id}").format(id=affiliation_id or actor_id))
        self.setWindowTitle(_("Modifier le rôle") if row else _("Ajouter une personne"))

        self.existing = QRadioButton(_("Personne déjà dans l'annuaire"))
        self.new = QRadioButton(_("Nouvelle personne"))
        self.existing.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.existing)
        group.addButton(self.new)
        self.person = RecordPicker(
            people_search(store), _("Rechercher une personne (nom, e-mail…)")
        )
        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(_("06 12 34 56 78"))
        self.person_visibility = visibility_combo()
        self.role = QLineEdit()
        self.role.setPlaceholderText(_("Présidente, chargé de mission…"))
        self.start = date_edit()
        self.end = date_edit()
        self.visibility = visibility_combo()
        self.error = error_label()

        self.new_person = QWidget()
        new_form = QFormLayout(self.new_person)
        new_form.setContentsMargins(0, 0, 0, 0)
        new_form.addRow(_("Prénom"), self.first_name)
        new_form.addRow(_("Nom"), self.last_name)
        new_form.addRow(_("Courriel"), self.email)
        new_form.addRow(_("Téléphone"), self.phone)
        new_form.addRow(_("Visibilité de la personne"), self.person_visibility)
        form = QFormLayout()
        form.addRow(_("Rôle"), self.role)
        form.addRow(_("Dates"), period_row(self.start, self.end))
        form.addRow(_("Visibilité du lien"), self.visibility)
        layout = QVBoxLayout(self)
        for widget in (self.existing, self.person, self.new, self.new_person):
            layout.addWidget(widget)
            widget.setVisible(row is None)
        if row is not None:
            self._fill(row)
            layout.addWidget(plain(self.person.edit.text()))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("Enregistrer") if row else _("Ajouter")))
        self.new.toggled.connect(self._on_mode)
        self._on_mode(False)
        (self.role if row else self.person).setFocus()

    def _fill(self, row: dict) -> None:
        person = self.store.get_person(row["person_id"])
        self.person.choose(row["person_id"], person.full_name if person else "")
        self.role.setText(row["role"] or "")
        self.start.setText(format_date(row["start_date"]))
        self.end.setText(format_date(row["end_date"]))
        select(self.visibility, row["visibility"])

    def _on_mode(self, new: bool) -> None:
        self.new_person.setEnabled(new)
        self.person.setEnabled(not new)

    # -- saving -------------------------------------------------------------

    def accept(self) -> None:
        """Check, then save as one undo step; errors stay in the dialog."""
        for widget in (self.person.edit, self.first_name, self.email, self.phone, self.end):
            mark_invalid(widget, False)
        try:
            link = self._link_fields()
            person = self._person_fields() if self._creating_person() else None
            person_id = None if person is not None else self._chosen_person()
        except InvalidValue as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            return
        label = _("Modifier le rôle") if self.affiliation_id else _("Ajouter une personne")
        try:
            with self.store.undoable(label):
                if self.affiliation_id:
                    self.store.update_record("affiliations", self.affiliation_id, **link)
                else:
                    if person is not None:
                        person_id = self.store.add_person(**person).id
                    self.affiliation_id = self.store.add_affiliation(
                        person_id, self.actor_id, **link
                    ).id
        except InvalidRecord as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            return
        self.person_id = person_id or self.person.chosen_id
        super().accept()

    def _creating_person(self) -> bool:
        return self.affiliation_id is None and self.new.isChecked()

    def _chosen_person(self) -> str | None:
        if self.affiliation_id:
            return self.person.chosen_id
        person_id = self.person.resolve()
        if person_id is None:
            refuse(self.person.edit)
            if self.person.typed() and self.person.candidates():
                raise InvalidValue(_("Personne : choisissez-en une dans la liste."))
            raise InvalidValue(
                _("Personne : choisissez une personne de l'annuaire, ou « Nouvelle personne ».")
            )
        if affiliation_exists(self.store.conn, person_id, self.actor_id):
            refuse(self.person.edit)
            raise InvalidValue(_("Cette personne est déjà liée à cet acteur."))
        return person_id

    def _person_fields(self) -> dict:
        first, last = self.first_name.text().strip(), self.last_name.text().strip()
        if not (first or last):
            refuse(self.first_name)
            raise InvalidValue(_("Une personne doit avoir un prénom ou un nom."))
        fields = {"first_name": first, "last_name": last}
        for key, edit, check, name in (
            ("email", self.email, check_email, _("Courriel")),
            ("phone", self.phone, check_phone, _("Téléphone")),
        ):
            try:
                fields[key] = check(edit.text())
            except InvalidValue as error:
                refuse(edit)
                raise InvalidValue(
                    _("{field} : {message}").format(field=name, message=error)
                ) from None
        twin = person_with_email(self.store.conn, fields["email"]) if fields["email"] else None
        if twin is not None:
            refuse(self.email)
            raise InvalidValue(
                _(
                    "{name} a déjà cette adresse : choisissez cette personne "
                    "dans « Personne déjà dans l'annuaire »."
                ).format(name=twin.full_name)
            )
        fields["visibility"] = self.person_visibility.currentData()
        return fields

    def _link_fields(self) -> dict:
        return {
            "role": self.role.text().strip(),
            **read_period(self.start, self.end),
            "visibility": self.visibility.currentData(),
        }
