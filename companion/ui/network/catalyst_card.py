"""A catalyst as a card in the Réseau list, and the métier chips the profile shares.

Every text is plain (names, missions and contacts come from the network). The
card's buttons carry the catalyst's actor id; the page connects them once per
card to its own methods.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from companion.domain import METIERS, label
from companion.geo.gazetteer import Gazetteer
from companion.i18n import _
from companion.network import territories
from companion.network.profiles import Catalyst
from companion.ui.common.labels import plain_label

METIER_COLOURS = {
    "dialogue": "#2e86c1",
    "experimentation": "#8e44ad",
    "accompagnement": "#27ae60",
    "lieu": "#d35400",
}
TERRITORIES_SHOWN = 3


def metier_chip(code: str) -> QLabel:
    """A métier as a small coloured label."""
    chip = QLabel(label(METIERS, code))
    chip.setTextFormat(Qt.TextFormat.PlainText)
    colour = METIER_COLOURS.get(code, "#7f8c8d")
    chip.setStyleSheet(
        f"QLabel {{ color: white; background: {colour}; border-radius: 8px; padding: 1px 8px; }}"
    )
    chip.setProperty("metier", code)
    return chip


def metier_row(codes: tuple[str, ...], vertical: bool = False) -> QWidget:
    """The chips of some métiers side by side (or one under the other, for narrow places)."""
    row = QWidget()
    layout = QVBoxLayout(row) if vertical else QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for code in codes:
        layout.addWidget(metier_chip(code), 0, Qt.AlignmentFlag.AlignLeft)
    if not vertical:
        layout.addStretch(1)
    return row


def home_text(catalyst: Catalyst) -> str:
    if catalyst.commune and catalyst.departement:
        return f"{catalyst.commune} ({catalyst.departement})"
    return catalyst.commune or catalyst.departement


def territory_text(codes: tuple[str, ...], gazetteer: Gazetteer | None, limit: int = 0) -> str:
    """The territories as one line, the first ``limit`` of them (0: all) and "+ n"."""
    shown = codes[:limit] if limit else codes
    text = ", ".join(territories.label(code, gazetteer) for code in shown)
    if len(codes) > len(shown):
        text += " " + _("+ {n}").format(n=len(codes) - len(shown))
    return text


class CatalystCard(QFrame):
    """One catalyst: name, structure, métiers, territory, themes, public contact."""

    chosen = Signal(str)  # the catalyst's actor id, when the card itself is clicked

    def __init__(
        self,
        catalyst: Catalyst,
        gazetteer: Gazetteer | None,
        mine: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.actor_id = catalyst.actor_id
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        title = catalyst.name + ("  " + _("(vous)") if mine else "")
        layout.addWidget(plain_label(title, bold=True))
        profile = catalyst.profile
        place = home_text(catalyst)
        line = " — ".join(part for part in (profile.structure if profile else "", place) if part)
        if line:
            layout.addWidget(plain_label(line))
        if profile is None:
            hint = plain_label(_("Profil non renseigné"))
            hint.setEnabled(False)
            layout.addWidget(hint)
        else:
            if profile.metiers:
                layout.addWidget(metier_row(profile.metiers))
            if profile.territories:
                text = territory_text(profile.territories, gazetteer, TERRITORIES_SHOWN)
                layout.addWidget(plain_label(_("Territoire : {places}").format(places=text)))
            if profile.themes:
                themes = ", ".join(profile.themes)
                layout.addWidget(plain_label(_("Thèmes : {themes}").format(themes=themes)))
            if profile.public_contact:
                layout.addWidget(plain_label(profile.public_contact))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        self.profile_button = QPushButton(_("Voir le profil"))
        self.map_button = QPushButton(_("Voir sur la carte"))
        self.map_button.setEnabled(catalyst.latitude is not None)
        for button in (self.profile_button, self.map_button):
            button.setProperty("actor_id", catalyst.actor_id)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def text(self) -> str:
        """Every label's text, one per line (for tests)."""
        return "\n".join(widget.text() for widget in self.findChildren(QLabel))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.chosen.emit(self.actor_id)
        super().mousePressEvent(event)
