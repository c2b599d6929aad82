"""The actor form: creates an actor (at a point of the map, or anywhere) or edits one.

The commune is found offline (``Gazetteer.reverse`` at a map point, ``lookup`` by
name or postcode, homonyms listed with their département). Contact details and
legal identifiers are checked (``directory.actor_checks``): a refused value is
named beside the form, its field outlined and focused, and nothing is saved.
Saving is one undo step, tags included. Without the gazetteer file the form
still works, with no commune and a notice saying why. Nothing is saved on Cancel.

With an address index (« Adresses »), an address the index finds in the chosen commune
places the actor at its door on save; a line under the field, checked as the field is
left, says whether it was found (else the actor stays at its commune's centre).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from companion.directory.actor_checks import (
    CHECKS,
    FieldProblem,
    check_actor_fields,
    format_siren,
    format_siret,
)
from companion.directory.editing import tag_names
from companion.directory.validate import InvalidValue, format_phone
from companion.domain import ACTOR_KINDS
from companion.geo.addresses import AddressMatch
from companion.geo.gazetteer import Commune, Gazetteer, GazetteerMissing
from companion.geo.placement import AddressPlacer
from companion.i18n import _
from companion.store import Actor, Store
from companion.store.store import InvalidRecord
from companion.ui.common.commune_field import CommuneField
from companion.ui.common.form_parts import (
    code_combo,
    dialog_buttons,
    error_label,
    mark_invalid,
    plain,
    visibility_combo,
)
from companion.ui.common.tag_editor import TagEditor

COORDINATE_DECIMALS = 6  # about 0.1 m


def open_gazetteer() -> tuple[Gazetteer | None, str]:
    """The gazetteer, or None and a French notice when its file is missing or unreadable."""
    try:
        return Gazetteer.open(), ""
    except GazetteerMissing as error:
        notice = _("Communes indisponibles : la commune restera vide.")
        return None, f"{notice} {error}"


def field_labels() -> dict[str, str]:
    """The French name of each checked field, as errors name it."""
    return {
        "website": _("Site web"),
        "email": _("Courriel"),
        "phone": _("Téléphone"),
        "siren": _("SIREN"),
        "siret": _("SIRET"),
        "rna": _("RNA"),
    }


class ActorForm(QDialog):
    """Every field of an actor; ``actor`` holds the saved actor once accepted."""

    def __init__(
        self,
        store: Store,
        latitude: float | None = None,
        longitude: float | None = None,
        gazetteer: Gazetteer | None = None,
        notice: str = "",
        parent: QWidget | None = None,
        *,
        actor_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.gazetteer = gazetteer
        self.actor_id = actor_id
        self.actor: Actor | None = None
        editing = store.get_actor(actor_id) if actor_id else None
        if actor_id and editing is None:
            raise InvalidRecord(_("Acteur introuvable : {id}").format(id=actor_id))
        self.point: tuple[float, float] | None = None
        self._placer: AddressPlacer | None = None  # opened on first use
        self._finished = False  # closed: the placer too
        self._initial_address = (editing.address or "") if editing else ""
        if latitude is not None and longitude is not None:
            self.point = (
                round(latitude, COORDINATE_DECIMALS),
                round(longitude, COORDINATE_DECIMALS),
            )
        self.setWindowTitle(_("Modifier l'acteur") if editing else _("Ajouter un acteur"))
        self._build(notice, editing)
        if editing is not None:
            self._fill(editing)
        elif gazetteer is not None and self.point is not None:
            found = gazetteer.reverse(*self.point)
            if found is not None:
                self.choose(found)
            else:
                self._show_notice(_("Aucune commune française à cet endroit."))
        self.name.setFocus()

    # -- the commune (kept as the form's own API: the map and its tests use it) --

    @property
    def commune(self) -> Commune | None:
        return self.place.commune

    def choose(self, commune: Commune | None) -> None:
        """Take this commune (None: no commune)."""
        self.place.choose(commune)

    def candidates(self) -> list[Commune]:
        """The communes listed under the commune field."""
        return self.place.candidates()

    # -- building -----------------------------------------------------------

    def _build(self, notice: str, editing: Actor | None) -> None:
        lines = self.fontMetrics().height()
        self.name = QLineEdit()
        self.kind = code_combo(ACTOR_KINDS, "association")
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(lines * 5)
        self.address = QPlainTextEdit()
        self.address.setMaximumHeight(lines * 3)
        self.address.setTabChangesFocus(True)  # Tab leaves the field, as in the others
        self.address.installEventFilter(self)
        self.address_hint = plain()
        self.address_hint.setVisible(False)
        small = self.address_hint.font()  # a remark under the field, not an error
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.address_hint.setFont(small)
        address_box = QWidget()
        # As tall as its parts, never more: the edit stays at the top of its row.
        address_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        address_layout = QVBoxLayout(address_box)
        address_layout.setContentsMargins(0, 0, 0, 0)
        address_layout.setSpacing(2)
        address_layout.addWidget(self.address)
        address_layout.addWidget(self.address_hint)
        self.place = CommuneField(self.gazetteer)
        self.commune_edit = self.place.edit
        self.matches = self.place.matches
        self.website = QLineEdit()
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(_("06 12 34 56 78"))
        self.siren = QLineEdit()
        self.siret = QLineEdit()
        self.siret.setPlaceholderText(_("14 chiffres ; le SIREN s'en déduit"))
        self.rna = QLineEdit()
        self.rna.setPlaceholderText(_("W suivi de 9 chiffres"))
        known = tag_names(self.store.conn)
        self._initial_tags = self.store.tags_of(editing.id) if editing else []
        self.tags = TagEditor(known, self._initial_tags)
        self.visibility = visibility_combo()
        self.notice = plain(notice)
        self.notice.setVisible(bool(notice))
        self.error = error_label()

        form = QFormLayout()
        form.addRow(_("Nom"), self.name)
        form.addRow(_("Type"), self.kind)
        form.addRow(_("Description"), self.description)
        form.addRow(_("Adresse"), address_box)
        form.addRow(_("Commune"), self.place)
        labels = field_labels()
        for key in ("website", "email", "phone", "siren", "siret", "rna"):
            form.addRow(labels[key], getattr(self, key))
        form.addRow(_("Étiquettes"), self.tags)
        form.addRow(_("Visibilité"), self.visibility)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if self.point is not None and editing is None:
            layout.addWidget(
                plain(
                    _("Position : {lat}, {lon}").format(
                        lat=f"{self.point[0]:.5f}", lon=f"{self.point[1]:.5f}"
                    )
                )
            )
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("Enregistrer") if editing else _("Ajouter")))
        self.place.edited.connect(self._hide_error)
        self.place.edited.connect(self.check_address)
        # Each field is checked as it is left, not only on save; the SIREN follows the SIRET.
        self._left_problems: dict[str, str] = {}
        for key in CHECKS:
            field = getattr(self, key)
            field.editingFinished.connect(lambda key=key: self.check_field(key))
        self._siren_from_siret = ""
        self.siret.textEdited.connect(self._siret_typed)

    def _fill(self, actor: Actor) -> None:
        self.name.setText(actor.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(actor.kind)))
        self.description.setPlainText(actor.description or "")
        self.address.setPlainText(actor.address or "")
        known = (
            self.gazetteer.by_insee(actor.insee_code)
            if self.gazetteer and actor.insee_code
            else None
        )
        if known is not None:
            self.place.choose(known)
        elif actor.commune:
            dep = f" ({actor.departement})" if actor.departement else ""
            self.place.show_stored(actor.commune + dep)
        self.place.changed = False  # unchanged: the stored place and point stay as they are
        self.website.setText(actor.website or "")
        self.email.setText(actor.email or "")
        self.phone.setText(format_phone(actor.phone))
        self.siren.setText(format_siren(actor.siren))
        self.siret.setText(format_siret(actor.siret))
        self.rna.setText(actor.rna or "")
        self.visibility.setCurrentIndex(max(0, self.visibility.findData(actor.visibility)))

    # -- reading and saving ---------------------------------------------------

    def values(self) -> dict:
        """What the form holds now, as typed (``check_actor_fields`` normalises it)."""
        values = {
            "name": self.name.text().strip(),
            "kind": self.kind.currentData(),
            "description": self.description.toPlainText().strip(),
            "address": self.address.toPlainText().strip() or None,
            "visibility": self.visibility.currentData(),
        }
        for key in ("website", "email", "phone", "siren", "siret", "rna"):
            values[key] = getattr(self, key).text().strip() or None
        if self.place.changed or self.actor_id is None:
            values.update(self._place_values())
        found = self.address_match()
        if found is not None:
            values["latitude"], values["longitude"] = found.latitude, found.longitude
        return values

    # -- the address's place ----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        if watched is self.address and event.type() == QEvent.Type.FocusOut:
            self.check_address()
        return super().eventFilter(watched, event)

    def address_match(self) -> AddressMatch | None:
        """The door of the typed address, when it decides the actor's place on save: an
        address typed or changed, or a commune chosen (a point clicked on the map wins),
        that the index finds in the chosen commune."""
        address = self.address.toPlainText().strip()
        commune = self.place.commune
        changed = (
            self.actor_id is None
            or self.place.changed
            or (address != self._initial_address.strip())
        )
        if not address or commune is None or not changed:
            return None
        if self.point is not None and self.actor_id is None:
            return None
        placer = self._address_placer()
        if placer is None:
            return None
        return placer.place(address, commune.insee, commune.departement).match

    def check_address(self) -> None:
        """Say under the address whether the actor will stand at its door."""
        address = self.address.toPlainText().strip()
        commune = self.place.commune
        placer = self._address_placer() if address and commune is not None else None
        if placer is None or (self.point is not None and self.actor_id is None):
            self.address_hint.setVisible(False)
            return
        found = placer.place(address, commune.insee, commune.departement)
        if found.match is not None:
            text = _("Placé à l'adresse : {label}").format(label=found.match.label)
        elif found.indexed:
            text = _("Adresse introuvable : placé au centre de la commune")
        else:
            text = _(
                "Adresses du département {code} non importées : placé au centre de la commune"
            ).format(code=commune.departement)
        self.address_hint.setText(text)
        self.address_hint.setVisible(True)

    def _address_placer(self) -> AddressPlacer | None:
        if self.gazetteer is None or self._finished:
            return None
        if self._placer is None:
            self._placer = AddressPlacer(Path(self.store.path).parent, self.gazetteer)
        return self._placer if self._placer.available else None

    def done(self, result: int) -> None:
        self._finished = True
        if self._placer is not None:
            self._placer.close()
            self._placer = None
        super().done(result)

    def _place_values(self) -> dict:
        commune = self.place.commune
        values = {
            "insee_code": commune.insee if commune else None,
            "commune": commune.name if commune else None,
            "departement": commune.departement if commune else None,
            "postcode": self.place.postcode(),
        }
        if self.point is not None:
            values["latitude"], values["longitude"] = self.point
        elif commune is not None:  # a new commune: its centre until someone places it better
            values["latitude"], values["longitude"] = commune.latitude, commune.longitude
        return values

    def accept(self) -> None:
        """Check, then save as one undo step; an error stays in the dialog, which stays open."""
        for widget in self._checked_widgets().values():
            mark_invalid(widget, False)
        message = self._problem()
        if message:
            self._show_error(message)
            return
        values, problems = check_actor_fields(self.values())
        if problems:
            self._show_problems(problems)
            return
        label = _("Modifier l'acteur") if self.actor_id else _("Ajouter un acteur")
        try:
            with self.store.undoable(label):
                self.actor = self._save(values)
        except InvalidRecord as error:
            self._show_error(str(error))
            return
        super().accept()

    def _save(self, values: dict) -> Actor:
        if self.actor_id is None:
            actor = self.store.add_actor(values.pop("name"), values.pop("kind"), **values)
        else:
            actor = self.store.update_actor(self.actor_id, **values)
        tags = self.tags.tags()
        for name in self._initial_tags:
            if name not in tags:
                self.store.untag_actor(actor.id, name)
        for name in tags:
            if name not in self._initial_tags:
                self.store.tag_actor(actor.id, name)
        return actor

    def check_field(self, key: str) -> str:
        """Check one field as it is left: outlined and said at once when wrong ("" if right)."""
        text = getattr(self, key).text().strip() or None
        try:
            CHECKS[key](text)
        except InvalidValue as error:
            self._left_problems[key] = str(error)
        else:
            self._left_problems.pop(key, None)
        mark_invalid(getattr(self, key), key in self._left_problems)
        labels = field_labels()
        if self._left_problems:
            self._show_error(
                "\n".join(
                    _("{field} : {message}").format(field=labels[field], message=message)
                    for field, message in self._left_problems.items()
                )
            )
        else:
            self._hide_error()
        return self._left_problems.get(key, "")

    def _siret_typed(self, text: str) -> None:
        """14 digits typed: the SIREN is their first nine (unless the user typed another)."""
        digits = "".join(character for character in text if character.isdigit())
        siren = self.siren.text().strip()
        if len(digits) == 14 and (not siren or siren == self._siren_from_siret):
            self._siren_from_siret = format_siren(digits[:9])
            self.siren.setText(self._siren_from_siret)
            self.check_field("siren")

    def _problem(self) -> str:
        if not self.name.text().strip():
            self.name.setFocus()
            return _("Le nom de l'acteur est obligatoire.")
        message = self.place.problem()
        if message:
            mark_invalid(self.commune_edit, True)
            self.commune_edit.setFocus()
        return message

    def _checked_widgets(self) -> dict[str, QWidget]:
        keys = ("website", "email", "phone", "siren", "siret", "rna")
        return {key: getattr(self, key) for key in keys} | {"commune": self.commune_edit}

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        labels = field_labels()
        widgets = self._checked_widgets()
        for problem in problems:
            mark_invalid(widgets[problem.field], True)
        widgets[problems[0].field].setFocus()
        self._show_error(
            "\n".join(
                _("{field} : {message}").format(field=labels[p.field], message=p.message)
                for p in problems
            )
        )

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def _hide_error(self) -> None:
        self.error.setVisible(False)

    def _show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(True)
