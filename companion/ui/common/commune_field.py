"""A commune chosen in the offline gazetteer by name or postcode, homonyms told apart.

Typing lists the matches with their département ("Saint-Denis (93)", "Saint-Denis
(974)"); clicking one chooses it. A postcode typed is kept when the chosen commune
has it (Lyon has nine). Without a gazetteer the field is disabled.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from companion.geo.gazetteer import Commune, Gazetteer
from companion.i18n import _

MATCHES_SHOWN = 12
_POSTCODE = re.compile(r"^\d{5}$")


def commune_text(commune: Commune) -> str:
    """How a commune reads in the form: "Commune (dép.)"."""
    return f"{commune.name} ({commune.departement})"


class CommuneField(QWidget):
    """``commune`` is the commune chosen, or None; ``changed`` says the user touched it."""

    edited = Signal()  # the user typed or picked something

    def __init__(self, gazetteer: Gazetteer | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gazetteer = gazetteer
        self.commune: Commune | None = None
        self.changed = False
        self.typed_postcode: str | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("Nom ou code postal"))
        self.edit.setEnabled(gazetteer is not None)
        self.matches = QListWidget()
        self.matches.setVisible(False)
        self.matches.setMaximumHeight(self.fontMetrics().height() * 7)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.matches)
        self.setFocusProxy(self.edit)
        # Enter on a suggestion takes the suggestion, and only that: the form around is
        # not saved before the fields after this one were reached.
        self.edit.installEventFilter(self)
        self.matches.installEventFilter(self)
        self.edit.textEdited.connect(self._on_typed)
        self.matches.itemClicked.connect(self._on_match_chosen)
        self.matches.itemActivated.connect(self._on_match_chosen)

    def choose(self, commune: Commune | None) -> None:
        """Take this commune (None: no commune)."""
        self.commune = commune
        self.changed = True
        self.edit.setText(commune_text(commune) if commune else "")
        self.list([])

    def show_stored(self, text: str) -> None:
        """Show a commune the gazetteer does not know (kept as is unless edited)."""
        self.edit.setText(text)

    def candidates(self) -> list[Commune]:
        return [
            self.matches.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.matches.count())
        ]

    def postcode(self) -> str | None:
        """The chosen commune's postcode: the one typed if it has it, else its first."""
        commune = self.commune
        if commune is None or not commune.postcodes:
            return None
        if self.typed_postcode in commune.postcodes:
            return self.typed_postcode
        return commune.postcodes[0]

    def problem(self) -> str:
        """Resolve typed text that was not picked; a French message if that fails."""
        typed = self.edit.text().strip()
        if self.commune is not None or not typed or self.gazetteer is None or not self.changed:
            return ""
        found = self.gazetteer.lookup(typed, MATCHES_SHOWN)
        if len(found) == 1:
            self.choose(found[0])
            return ""
        if not found:
            return _("Commune inconnue : « {text} ».").format(text=typed)
        self.list(found)
        return _("Plusieurs communes correspondent : choisissez-en une dans la liste.")

    def list(self, communes: list[Commune]) -> None:
        self.matches.clear()
        for commune in communes:
            item = QListWidgetItem(f"{commune_text(commune)} – {commune.departement_name}")
            item.setData(Qt.ItemDataRole.UserRole, commune)
            self.matches.addItem(item)
        self.matches.setVisible(bool(communes))

    def _on_typed(self, text: str) -> None:
        self.commune = None
        self.changed = True
        self.typed_postcode = text.strip() if _POSTCODE.match(text.strip()) else None
        self.edited.emit()
        if self.gazetteer is None or not text.strip():
            self.list([])
            return
        self.list(self.gazetteer.lookup(text, MATCHES_SHOWN))

    def _on_match_chosen(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole))
        self.edited.emit()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        """While suggestions show: Enter takes the highlighted one (else the first), Down
        walks into them; neither reaches the dialog's default button."""
        if event.type() != QEvent.Type.KeyPress or not self.matches.isVisible():
            return super().eventFilter(watched, event)
        key = event.key()  # type: ignore[attr-defined]
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.matches.currentItem() or self.matches.item(0)
            if item is not None:
                self._on_match_chosen(item)
            return True
        if watched is self.edit and key == Qt.Key.Key_Down and self.matches.count():
            self.matches.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.matches.currentRow() < 0:
                self.matches.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)
