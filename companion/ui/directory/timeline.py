"""The exchanges with an actor or a person, newest first, grouped by year, editable in place.

Every text is plain (titles and notes come from people). Embedded in the actor
card and the person card: ``show_for(actor_id=…)`` or ``show_for(person_id=…)``;
``changed`` fires after an exchange is added, edited or deleted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.directory.dates import format_date
from companion.directory.editing import TimelineEntry, by_year, excerpt, timeline_of
from companion.domain import INTERACTION_KINDS, label
from companion.i18n import _
from companion.store import Store
from companion.ui.directory.interaction_form import InteractionForm, delete_interaction

ID = "interaction_id"  # the property naming an entry's interaction on its buttons


def _label(text: str, *, bold: bool = False, dim: bool = False) -> QLabel:
    widget = QLabel()
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = QFont(widget.font())
        font.setBold(True)
        widget.setFont(font)
    widget.setEnabled(not dim)
    widget.setText(text)
    return widget


def headline(entry: TimelineEntry) -> str:
    """ "14/03/2025 · Réunion · Bilan de saison" """
    interaction = entry.interaction
    parts = [
        format_date(interaction.date),
        label(INTERACTION_KINDS, interaction.kind),
        interaction.title,
    ]
    return " · ".join(part for part in parts if part)


class InteractionTimeline(QWidget):
    """The interactions of one actor or one person; ``form`` is the dialog open, if any."""

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor_id: str | None = None
        self.person_id: str | None = None
        self.form: InteractionForm | None = None
        self.add_button = QPushButton(_("Ajouter un échange"))
        self.add_button.clicked.connect(self.add_interaction)
        self._entries = QVBoxLayout()
        self._entries.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(self._entries)

    def show_for(self, actor_id: str | None = None, person_id: str | None = None) -> None:
        """List the interactions with this actor or this person."""
        self.actor_id, self.person_id = actor_id, person_id
        self.refresh()

    def refresh(self) -> None:
        while self._entries.count():
            item = self._entries.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        entries = timeline_of(self.store.conn, self.actor_id, self.person_id)
        if not entries:
            self._entries.addWidget(_label(_("Aucun échange pour l'instant."), dim=True))
        for year, group in by_year(entries):
            self._entries.addWidget(_label(year, bold=True))
            for entry in group:
                self._entries.addWidget(self._entry(entry))

    def headlines(self) -> list[str]:
        """The first line of every entry, top to bottom (for tests and copying)."""
        return [
            frame.findChild(QLabel).text()
            for frame in self.findChildren(QFrame, "timeline-entry")
            if frame.parent() is self
        ]

    # -- actions --------------------------------------------------------------

    def add_interaction(self) -> InteractionForm:
        form = InteractionForm(
            self.store, actor_id=self.actor_id, person_id=self.person_id, parent=self
        )
        return self._open(form)

    def edit_interaction(self, interaction_id: str) -> InteractionForm:
        return self._open(InteractionForm(self.store, interaction_id, parent=self))

    def delete_interaction(self, interaction_id: str) -> bool:
        """Ask, then delete (one undo step); True if deleted."""
        if not delete_interaction(self.store, self, interaction_id):
            return False
        self.refresh()
        self.changed.emit()
        return True

    # -- internals ------------------------------------------------------------

    def _entry(self, entry: TimelineEntry) -> QFrame:
        interaction = entry.interaction
        frame = QFrame()
        frame.setObjectName("timeline-entry")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(_label(headline(entry)))
        with_whom = [
            name
            for name, shown in (
                (entry.actor_name, self.actor_id != interaction.actor_id),
                (entry.person_name, self.person_id != interaction.person_id),
            )
            if name and shown
        ]
        if with_whom:
            layout.addWidget(_label(_("avec {names}").format(names=", ".join(with_whom))))
        if interaction.notes:
            layout.addWidget(_label(excerpt(interaction.notes), dim=True))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for text, slot in ((_("Modifier"), self._on_edit), (_("Supprimer"), self._on_delete)):
            button = QPushButton(text)
            button.setFlat(True)
            button.setProperty(ID, interaction.id)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return frame

    def _on_edit(self) -> None:
        self.edit_interaction(self.sender().property(ID))

    def _on_delete(self) -> None:
        self.delete_interaction(self.sender().property(ID))

    def _open(self, form: InteractionForm) -> InteractionForm:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(self._on_form_finished)
        self.form = form
        form.open()
        return form

    def _on_form_finished(self, result: int) -> None:
        self.form = None
        if result == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()
