"""The form of a catalyst's profile: structure, métiers, territory of action, themes, contact.

The territory is built from a commune chosen in the gazetteer: the commune
itself, its intercommunalité, its département or its région. Saving goes
through ``network.profiles.save_profile`` (one undo step); a refused value is
named in French and its field outlined.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.domain import METIERS, label
from companion.geo.gazetteer import Gazetteer
from companion.i18n import _
from companion.network import territories
from companion.network.profiles import (
    Catalyst,
    CatalystProfile,
    ProfileError,
    save_profile,
    themes_in_use,
)
from companion.store import Store
from companion.ui.common.commune_field import CommuneField
from companion.ui.common.form_parts import (
    ERROR_COLOR,
    dialog_buttons,
    error_label,
    mark_invalid,
    plain,
    visibility_combo,
)


class ProfileForm(QDialog):
    """Edit (or create) one catalyst's profile; ``saved`` holds it once accepted."""

    def __init__(
        self,
        store: Store,
        catalyst: Catalyst,
        gazetteer: Gazetteer | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.catalyst = catalyst
        self.gazetteer = gazetteer
        self.saved: CatalystProfile | None = None
        profile = catalyst.profile or CatalystProfile(actor_id=catalyst.actor_id)
        self.setWindowTitle(_("Profil de {name}").format(name=catalyst.name))
        self.setMinimumWidth(640)

        self.structure = QLineEdit(profile.structure)
        self.structure.setPlaceholderText(_("Structure qui accueille le catalyseur"))
        self.metiers: dict[str, QCheckBox] = {}
        metier_box = QFrame()
        metier_box.setObjectName("metiers")
        grid = QGridLayout(metier_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, code in enumerate(METIERS):
            box = QCheckBox(label(METIERS, code))
            box.setChecked(code in profile.metiers)
            self.metiers[code] = box
            grid.addWidget(box, index // 2, index % 2)
        self.metier_box = metier_box

        self.territories = QListWidget()
        self.territories.setMaximumHeight(self.fontMetrics().height() * 7)
        for code in profile.territories:
            self._add_territory(code)
        self.commune = CommuneField(gazetteer)
        self.add_buttons: dict[str, QPushButton] = {}
        adders = QGridLayout()
        for index, (kind, text) in enumerate(
            (
                ("commune", _("la commune")),
                ("epci", _("son intercommunalité")),
                ("departement", _("son département")),
                ("region", _("sa région")),
            )
        ):
            button = QPushButton(_("+ {what}").format(what=text))
            button.setProperty("kind", kind)
            button.clicked.connect(self._on_add_clicked)
            self.add_buttons[kind] = button
            adders.addWidget(button, index // 2, index % 2)
        self.remove_button = QPushButton(_("Retirer"))
        self.remove_button.clicked.connect(self.remove_selected_territory)
        adders.addWidget(self.remove_button, 0, 2)
        territory_box = QWidget()
        territory_layout = QVBoxLayout(territory_box)
        territory_layout.setContentsMargins(0, 0, 0, 0)
        territory_layout.addWidget(self.territories)
        territory_layout.addWidget(self.commune)
        territory_layout.addLayout(adders)

        self.themes = QLineEdit(", ".join(profile.themes))
        self.themes.setPlaceholderText(_("Séparés par des virgules"))
        known = themes_in_use(store)
        if known:
            self.themes.setToolTip(_("Thèmes du réseau : {themes}").format(themes=", ".join(known)))
        self.public_contact = QLineEdit(profile.public_contact)
        self.public_contact.setPlaceholderText(_("Courriel, téléphone ou site à publier"))
        self.missions = QPlainTextEdit(profile.missions)
        self.missions.setTabChangesFocus(True)
        self.missions.setPlaceholderText(_("Vos missions en quelques phrases"))
        self.visibility = visibility_combo(profile.visibility)
        self.error = error_label()
        self.fields = {
            "structure": self.structure,
            "metiers": self.metier_box,
            "territories": self.territories,
            "themes": self.themes,
            "public_contact": self.public_contact,
            "missions": self.missions,
            "visibility": self.visibility,
        }

        form = QFormLayout()
        form.addRow(_("Structure"), self.structure)
        form.addRow(_("Métiers"), metier_box)
        form.addRow(_("Territoire d'action"), territory_box)
        form.addRow(_("Thèmes"), self.themes)
        form.addRow(_("Contact public"), self.public_contact)
        form.addRow(_("Missions"), self.missions)
        form.addRow(_("Visibilité"), self.visibility)
        layout = QVBoxLayout(self)
        if gazetteer is None:
            notice = _("Communes indisponibles : le territoire ne peut pas changer.")
            layout.addWidget(plain(notice))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("Enregistrer")))

    # -- the territory of action ----------------------------------------------

    def territory_codes(self) -> list[str]:
        return [
            self.territories.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.territories.count())
        ]

    def add_territory_of_commune(self, kind: str) -> bool:
        """Add the chosen commune, or its EPCI, département or région; False if none."""
        if self.commune.problem() or self.commune.commune is None:
            self._show_error(_("Choisissez d'abord une commune."), self.commune)
            return False
        commune = self.commune.commune
        code = {
            "commune": commune.insee,
            "epci": commune.epci,
            "departement": commune.departement,
            "region": commune.region,
        }[kind]
        if not code:
            self._show_error(_("Cette commune n'appartient à aucune intercommunalité."), None)
            return False
        text = territories.territory(kind, code)
        if text not in self.territory_codes():
            self._add_territory(text)
        self.error.setVisible(False)
        return True

    def remove_selected_territory(self) -> None:
        for item in self.territories.selectedItems():
            self.territories.takeItem(self.territories.row(item))

    def _add_territory(self, code: str) -> None:
        item = QListWidgetItem(territories.label(code, self.gazetteer))
        item.setData(Qt.ItemDataRole.UserRole, code)
        self.territories.addItem(item)

    def _on_add_clicked(self) -> None:
        self.add_territory_of_commune(str(self.sender().property("kind")))

    # -- saving ---------------------------------------------------------------

    def profile(self) -> CatalystProfile:
        """The profile as the form reads (not checked yet)."""
        current = self.catalyst.profile or CatalystProfile(actor_id=self.catalyst.actor_id)
        return CatalystProfile(
            actor_id=self.catalyst.actor_id,
            structure=self.structure.text(),
            metiers=tuple(code for code, box in self.metiers.items() if box.isChecked()),
            territories=tuple(self.territory_codes()),
            themes=tuple(part for part in self.themes.text().split(",") if part.strip()),
            public_contact=self.public_contact.text(),
            missions=self.missions.toPlainText(),
            visibility=self.visibility.currentData(),
            id=current.id,
            owner=current.owner,
        )

    def accept(self) -> None:
        for widget in self.fields.values():
            _mark(widget, False)
        try:
            self.saved = save_profile(self.store, self.profile(), self.gazetteer)
        except ProfileError as error:
            self._show_error(str(error), self.fields.get(error.field))
            return
        super().accept()

    def _show_error(self, message: str, widget: QWidget | None) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        if widget is not None:
            _mark(widget, True)
            widget.setFocus()


def _mark(widget: QWidget, invalid: bool) -> None:
    """Outline a refused field; the métiers' frame alone, not each of its boxes."""
    if widget.objectName() == "metiers":
        style = f"QFrame#metiers {{ border: 1px solid {ERROR_COLOR}; }}"
        widget.setStyleSheet(style if invalid else "")
    else:
        mark_invalid(widget, invalid)
