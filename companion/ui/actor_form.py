"""A dialog that creates an actor at a point of the map.

The commune is found offline at the point (``Gazetteer.reverse``) and can be
changed by typing a name or a postcode (``Gazetteer.lookup``): homonyms are
listed with their département. Without the gazetteer file the form still
works, with no commune and a notice saying why. Nothing is saved on Cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from companion.domain import ACTOR_KINDS, VISIBILITIES, label
from companion.geo.gazetteer import Commune, Gazetteer, GazetteerMissing
from companion.i18n import _
from companion.store import Actor, Store
from companion.store.store import InvalidRecord

MATCHES_SHOWN = 12
COORDINATE_DECIMALS = 6  # about 0.1 m


def commune_text(commune: Commune) -> str:
    """How a commune reads in the form: "Commune (dép.)"."""
    return f"{commune.name} ({commune.departement})"


def open_gazetteer() -> tuple[Gazetteer | None, str]:
    """The gazetteer, or None and a French notice when its file is missing or unreadable."""
    try:
        return Gazetteer.open(), ""
    except GazetteerMissing as error:
        notice = _("Communes indisponibles : la commune restera vide.")
        return None, f"{notice} {error}"


class ActorForm(QDialog):
    """Name, kind, commune, description and visibility of a new actor at (latitude, longitude)."""

    def __init__(
        self,
        store: Store,
        latitude: float,
        longitude: float,
        gazetteer: Gazetteer | None,
        notice: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Ajouter un acteur"))
        self.store = store
        self.latitude = round(latitude, COORDINATE_DECIMALS)
        self.longitude = round(longitude, COORDINATE_DECIMALS)
        self.gazetteer = gazetteer
        self.commune: Commune | None = None
        self.actor: Actor | None = None

        self.name = QLineEdit()
        self.kind = QComboBox()
        for code in ACTOR_KINDS:
            self.kind.addItem(label(ACTOR_KINDS, code), code)
        self.kind.setCurrentIndex(max(0, self.kind.findData("association")))
        self.commune_edit = QLineEdit()
        self.commune_edit.setPlaceholderText(_("Nom ou code postal"))
        self.matches = QListWidget()
        self.matches.setVisible(False)
        self.matches.setMaximumHeight(self.fontMetrics().height() * 7)
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(self.fontMetrics().height() * 5)
        self.visibility = QComboBox()
        for code in ("network", "private"):
            self.visibility.addItem(label(VISIBILITIES, code), code)
        self.notice = _plain(notice)
        self.notice.setVisible(bool(notice))
        self.error = _plain("")
        self.error.setStyleSheet("color: #b03a2e;")
        font = QFont(self.error.font())
        font.setBold(True)
        self.error.setFont(font)
        self.error.setVisible(False)
        position = _("Position : {lat}, {lon}").format(
            lat=f"{self.latitude:.5f}", lon=f"{self.longitude:.5f}"
        )

        form = QFormLayout()
        form.addRow(_("Nom"), self.name)
        form.addRow(_("Type"), self.kind)
        form.addRow(_("Commune"), self.commune_edit)
        form.addRow("", self.matches)
        form.addRow(_("Description"), self.description)
        form.addRow(_("Visibilité"), self.visibility)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Ajouter"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_plain(position))
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.commune_edit.textEdited.connect(self._on_commune_typed)
        self.matches.itemClicked.connect(self._on_match_chosen)
        self.matches.itemActivated.connect(self._on_match_chosen)
        if gazetteer is not None:
            found = gazetteer.reverse(self.latitude, self.longitude)
            if found is not None:
                self.choose(found)
            else:
                self._show_notice(_("Aucune commune française à cet endroit."))
        else:
            self.commune_edit.setEnabled(False)
        self.name.setFocus()

    def choose(self, commune: Commune | None) -> None:
        """Take this commune (None: no commune)."""
        self.commune = commune
        self.commune_edit.setText(commune_text(commune) if commune else "")
        self.matches.clear()
        self.matches.setVisible(False)

    def candidates(self) -> list[Commune]:
        """The communes listed under the commune field."""
        return [
            self.matches.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.matches.count())
        ]

    def values(self) -> dict:
        """The fields ``Store.add_actor`` takes, from what the form holds now."""
        commune = self.commune
        return {
            "name": self.name.text().strip(),
            "kind": self.kind.currentData(),
            "description": self.description.toPlainText().strip(),
            "visibility": self.visibility.currentData(),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "insee_code": commune.insee if commune else None,
            "commune": commune.name if commune else None,
            "departement": commune.departement if commune else None,
            "postcode": commune.postcodes[0] if commune and commune.postcodes else None,
        }

    def accept(self) -> None:
        """Check, then save; an error stays in the dialog, which stays open."""
        message = self._problem()
        if message:
            self._show_error(message)
            return
        fields = self.values()
        try:
            self.actor = self.store.add_actor(fields.pop("name"), fields.pop("kind"), **fields)
        except InvalidRecord as error:
            self._show_error(str(error))
            return
        super().accept()

    def _problem(self) -> str:
        if not self.name.text().strip():
            self.name.setFocus()
            return _("Le nom de l'acteur est obligatoire.")
        typed = self.commune_edit.text().strip()
        if self.commune is None and typed and self.gazetteer is not None:
            found = self.gazetteer.lookup(typed, MATCHES_SHOWN)
            if len(found) == 1:
                self.choose(found[0])
            elif not found:
                return _("Commune inconnue : « {text} ».").format(text=typed)
            else:
                self._list(found)
                return _("Plusieurs communes correspondent : choisissez-en une dans la liste.")
        return ""

    def _on_commune_typed(self, text: str) -> None:
        self.commune = None
        self.error.setVisible(False)
        if self.gazetteer is None or not text.strip():
            self._list([])
            return
        self._list(self.gazetteer.lookup(text, MATCHES_SHOWN))

    def _list(self, communes: list[Commune]) -> None:
        self.matches.clear()
        for commune in communes:
            item = QListWidgetItem(f"{commune_text(commune)} – {commune.departement_name}")
            item.setData(Qt.ItemDataRole.UserRole, commune)
            self.matches.addItem(item)
        self.matches.setVisible(bool(communes))

    def _on_match_chosen(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole))
        self.error.setVisible(False)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def _show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(True)


def _plain(text: str) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    return widget
