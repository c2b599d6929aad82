"""The actor card: everything known about one actor, shown as plain text.

Every label is plain text: names, descriptions and notes come from people and
from the network, and must never be read as HTML.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from companion.domain import ACTOR_KINDS, INTERACTION_KINDS, RELATION_TYPES, label
from companion.i18n import _
from companion.store import Actor, Store

LAST_INTERACTIONS = 5


def plain_label(text: str = "", *, bold: bool = False, point_delta: int = 0) -> QLabel:
    """A QLabel that shows its text literally, wraps, and can be selected and copied."""
    widget = QLabel()
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold or point_delta:
        font = QFont(widget.font())
        font.setBold(bold)
        if point_delta:
            font.setPointSize(max(6, font.pointSize() + point_delta))
        widget.setFont(font)
    widget.setText(text)
    return widget


class ActorCard(QScrollArea):
    """Shows one actor: identity, place, description, tags, people, relations, exchanges."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.actor_id: str | None = None
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
        self._reset_content()
        hint = plain_label(_("Sélectionnez un acteur pour afficher sa fiche."))
        hint.setEnabled(False)
        self._layout.addWidget(hint)

    def show_actor(self, actor_id: str) -> None:
        actor = self._store.get_actor(actor_id)
        if actor is None:
            self.clear()
            return
        self.actor_id = actor_id
        self._reset_content()
        self._add_identity(actor)
        self._add_section(_("Étiquettes"), [", ".join(self._store.tags_of(actor_id))])
        members = self._store.members_of(actor_id)
        self._add_section(
            _("Personnes"),
            [f"{m.person.full_name} — {m.role}" if m.role else m.person.full_name for m in members],
        )
        self._add_section(_("Relations"), self._relation_lines(actor_id))
        self._add_section(_("Derniers échanges"), self._interaction_lines(actor_id))

    def plain_text(self) -> str:
        """All the text the card shows, one label per line (for tests and copying)."""
        labels = self._content.findChildren(QLabel)
        return "\n".join(widget.text() for widget in labels)

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
        self._layout.addWidget(plain_label(label(ACTOR_KINDS, actor.kind)))
        place = actor.commune or ""
        if actor.departement:
            place = f"{place} ({actor.departement})" if place else actor.departement
        if place:
            self._layout.addWidget(plain_label(place))
        for contact in (actor.address, actor.website, actor.email, actor.phone):
            if contact:
                self._layout.addWidget(plain_label(contact))
        if actor.description:
            self._layout.addSpacing(6)
            self._layout.addWidget(plain_label(actor.description))

    def _add_section(self, title: str, lines: list[str]) -> None:
        lines = [line for line in lines if line]
        if not lines:
            return
        self._layout.addSpacing(10)
        self._layout.addWidget(plain_label(title, bold=True))
        for line in lines:
            self._layout.addWidget(plain_label(line))

    def _relation_lines(self, actor_id: str) -> list[str]:
        lines = []
        for view in self._store.relations_of(actor_id):
            kind = label(RELATION_TYPES, view.relation.type)
            template = _("{type} → {name}") if view.outgoing else _("{type} ← {name}")
            lines.append(template.format(type=kind, name=view.other_name))
        return lines

    def _interaction_lines(self, actor_id: str) -> list[str]:
        lines = []
        for interaction in self._store.interactions_of(actor_id)[:LAST_INTERACTIONS]:
            kind = label(INTERACTION_KINDS, interaction.kind)
            parts = [interaction.date[:10], kind, interaction.title]
            lines.append(" · ".join(part for part in parts if part))
        return lines
