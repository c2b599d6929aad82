"""One catalyst's profile, read-only, with its actions (edit, on the map, in the directory)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.geo.gazetteer import Gazetteer
from companion.i18n import _
from companion.network import territories
from companion.network.profiles import Catalyst
from companion.ui.common.labels import plain_label
from companion.ui.network.catalyst_card import home_text, metier_row


class ProfileView(QScrollArea):
    """Shows the catalyst given to ``show_catalyst``; its buttons emit the actor's id."""

    edit_requested = Signal(str)
    map_requested = Signal(str)
    directory_requested = Signal(str)

    def __init__(self, gazetteer: Gazetteer | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gazetteer = gazetteer
        self.actor_id: str | None = None
        self.edit_button: QPushButton | None = None
        self.map_button: QPushButton | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content = QWidget()
        self._layout = QVBoxLayout(self._content)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._content)
        self.clear()

    def clear(self) -> None:
        self.actor_id = None
        self.edit_button = self.map_button = None
        self._reset()
        hint = plain_label(_("Choisissez un catalyseur pour afficher son profil."))
        hint.setEnabled(False)
        self._layout.addWidget(hint)

    def show_catalyst(self, catalyst: Catalyst, editable: bool) -> None:
        self.actor_id = catalyst.actor_id
        self.edit_button = self.map_button = None
        self._reset()
        self._layout.addWidget(plain_label(catalyst.name, bold=True, point_delta=4))
        profile = catalyst.profile
        if profile is not None and profile.structure:
            self._layout.addWidget(plain_label(profile.structure))
        if home_text(catalyst):
            self._layout.addWidget(plain_label(home_text(catalyst)))
        if profile is None:
            self._layout.addSpacing(8)
            hint = plain_label(_("Ce catalyseur n'a pas encore renseigné son profil."))
            hint.setEnabled(False)
            self._layout.addWidget(hint)
        else:
            if profile.visibility == "private":
                private = _("Profil privé : il reste sur cet ordinateur.")
                self._layout.addWidget(plain_label(private))
            if profile.metiers:
                self._layout.addSpacing(6)
                self._layout.addWidget(metier_row(profile.metiers, vertical=True))
            places = [territories.label(code, self.gazetteer) for code in profile.territories]
            self._section(_("Territoire d'action"), places)
            self._section(_("Thèmes"), [", ".join(profile.themes)])
            self._section(_("Contact public"), [profile.public_contact])
            self._section(_("Missions"), [profile.missions])
        self._add_actions(catalyst, editable)

    def text(self) -> str:
        """Every label's text, one per line (for tests)."""
        return "\n".join(widget.text() for widget in self._content.findChildren(QLabel))

    def _section(self, title: str, lines: list[str]) -> None:
        lines = [line for line in lines if line]
        if not lines:
            return
        self._layout.addSpacing(8)
        self._layout.addWidget(plain_label(title, bold=True))
        for line in lines:
            self._layout.addWidget(plain_label(line))

    def _add_actions(self, catalyst: Catalyst, editable: bool) -> None:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 10, 0, 0)
        if editable:
            text = _("Modifier le profil") if catalyst.profile else _("Créer le profil")
            self.edit_button = QPushButton(text)
            self.edit_button.clicked.connect(self._on_edit)
            layout.addWidget(self.edit_button)
        on_map = self.map_button = QPushButton(_("Voir sur la carte"))
        on_map.setEnabled(catalyst.latitude is not None)
        on_map.clicked.connect(self._on_map)
        in_directory = QPushButton(_("Voir dans l'annuaire"))
        in_directory.clicked.connect(self._on_directory)
        layout.addWidget(on_map)
        layout.addWidget(in_directory)
        layout.addStretch(1)
        self._layout.addWidget(row)

    def _reset(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)  # gone from findChildren at once, deleted later
                widget.deleteLater()

    def _on_edit(self) -> None:
        if self.actor_id:
            self.edit_requested.emit(self.actor_id)

    def _on_map(self) -> None:
        if self.actor_id:
            self.map_requested.emit(self.actor_id)

    def _on_directory(self) -> None:
        if self.actor_id:
            self.directory_requested.emit(self.actor_id)
