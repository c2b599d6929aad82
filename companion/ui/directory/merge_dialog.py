"""Comparer et fusionner: two records side by side, field by field, merged as one undo step.

Each field that differs is highlighted and offers a choice of side; the links of
both records (relations, people, exchanges, tags) are counted, since all of them
move to the record kept. Values are shown as plain text: they come from people.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from companion.directory.merge import (
    DROP,
    FIELDS,
    KEEP,
    Links,
    MergeError,
    MergeField,
    display_name,
    links_of,
    merge,
)
from companion.directory.validate import format_phone
from companion.domain import ACTOR_KINDS, LEGAL_BASES, VISIBILITIES, label
from companion.i18n import _, ngettext
from companion.store import Store

LEFT, RIGHT = 0, 1
ELIDE = 48  # characters of a long value shown; the whole text is in the tooltip
DIFFERENT_STYLE = "QRadioButton { background: #fdf1d6; padding: 2px 4px; }"


def field_text(table: str, item: MergeField, row: dict[str, Any]) -> str:
    """A field's value as people read it ("" when empty)."""
    value = row.get(item.columns[0])
    if item.key == "name":
        return display_name(table, row)
    if item.key == "kind":
        return label(ACTOR_KINDS, value)
    if item.key == "visibility":
        return label(VISIBILITIES, value)
    if item.key == "place":
        return " ".join(str(row.get(c) or "") for c in ("postcode", "commune")).strip()
    if item.key == "phone":
        return format_phone(value)
    if item.key == "rgpd":
        parts = [label(LEGAL_BASES, value), row.get("collected_on"), row.get("collection_source")]
        return ", ".join(str(part) for part in parts if part)
    return "" if value is None else str(value)


def links_text(table: str, links: Links) -> str:
    """ "3 relations, 2 personnes, 4 échanges, 1 étiquette" (a line each): what a merge keeps."""
    exchanges = ngettext("{n} échange", "{n} échanges", links.interactions)
    if table == "people":
        structures = ngettext("{n} structure", "{n} structures", links.people)
        return "\n".join(
            (structures.format(n=links.people), exchanges.format(n=links.interactions))
        )
    relations = ngettext("{n} relation", "{n} relations", links.relations)
    people = ngettext("{n} personne", "{n} personnes", links.people)
    tags = ngettext("{n} étiquette", "{n} étiquettes", links.tags)
    return "\n".join(
        (
            relations.format(n=links.relations),
            people.format(n=links.people),
            exchanges.format(n=links.interactions),
            tags.format(n=links.tags),
        )
    )


class MergeDialog(QDialog):
    """Both sides of a likely duplicate; "Fusionner" merges them as one undo step."""

    merged = Signal(object)  # the MergeResult

    def __init__(
        self, store: Store, table: str, left_id: str, right_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Comparer et fusionner"))
        self.store = store
        self.table = table
        self.ids = (left_id, right_id)
        self.rows = (
            store.get_record(table, left_id) or {},
            store.get_record(table, right_id) or {},
        )
        self.links = (links_of(store, table, left_id), links_of(store, table, right_id))
        self.groups: dict[str, QButtonGroup] = {}
        self.differing: set[str] = set()
        self._texts: dict[str, list[str]] = {}
        self._touched: set[str] = set()  # fields the user chose: a new kept side spares them

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.keep_group = QButtonGroup(self)
        for side in (LEFT, RIGHT):
            button = QRadioButton(_("Conserver cette fiche"))
            self.keep_group.addButton(button, side)
            grid.addWidget(button, 0, 1 + side)
        self.keep_group.button(self._default_keep()).setChecked(True)
        self.keep_group.idToggled.connect(self._on_keep_toggled)
        line = 1
        for item in FIELDS[table]:
            if self._add_field(grid, line, item):
                line += 1
        bold = QFont(self.font())
        bold.setBold(True)
        links_label = QLabel(_("Liens"))
        links_label.setFont(bold)
        grid.addWidget(links_label, line, 0, Qt.AlignmentFlag.AlignTop)
        self.links_labels = []
        for side in (LEFT, RIGHT):
            text = QLabel(links_text(table, self.links[side]))
            text.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(text, line, 1 + side)
            self.links_labels.append(text)

        note = QLabel(
            _("Relations, personnes, échanges et étiquettes des deux fiches sont tous gardés.")
            + " "
            + _("Vous pourrez annuler avec Ctrl+Z.")
        )
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b03a2e; font-weight: 600;")
        self.error.setVisible(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.merge_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.merge_button.setText(_("Fusionner"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(720)

    def _default_keep(self) -> int:
        """The side with more links survives (its id travels), else the older record."""
        totals = [sum(vars(links).values()) for links in self.links]
        if totals[LEFT] != totals[RIGHT]:
            return LEFT if totals[LEFT] > totals[RIGHT] else RIGHT
        created = [row.get("created_at") or "" for row in self.rows]
        return RIGHT if created[RIGHT] < created[LEFT] else LEFT

    def _add_field(self, grid: QGridLayout, line: int, item: MergeField) -> bool:
        texts = [field_text(self.table, item, row) for row in self.rows]
        values = [tuple(row.get(c) for c in item.columns) for row in self.rows]
        if not any(texts) and values[LEFT] == values[RIGHT]:
            return False  # empty on both sides: nothing to choose
        differs = values[LEFT] != values[RIGHT]
        name = QLabel(_(item.label))
        if differs:
            self.differing.add(item.key)
            font = QFont(name.font())
            font.setBold(True)
            name.setFont(font)
        grid.addWidget(name, line, 0)
        group = QButtonGroup(self)
        for side in (LEFT, RIGHT):
            text = texts[side] or "—"
            button = QRadioButton(text if len(text) <= ELIDE else text[: ELIDE - 1] + "…")
            button.setToolTip(texts[side])
            button.setEnabled(differs)
            if differs:
                button.setStyleSheet(DIFFERENT_STYLE)
            button.setProperty("field", item.key)
            group.addButton(button, side)
            grid.addWidget(button, line, 1 + side)
        group.buttonClicked.connect(self._on_field_clicked)
        self.groups[item.key] = group
        self._texts[item.key] = texts
        self._apply_default(item.key)
        return True

    def _apply_default(self, key: str) -> None:
        """The kept record's value, unless it is empty and the other's is not."""
        keep, texts = self.keep_side, self._texts[key]
        side = keep if texts[keep] or not texts[1 - keep] else 1 - keep
        self.groups[key].button(side).setChecked(True)

    def _on_keep_toggled(self, _side: int, checked: bool) -> None:
        if checked:
            for key in self.groups.keys() - self._touched:
                self._apply_default(key)

    def _on_field_clicked(self, button: QRadioButton) -> None:
        self._touched.add(str(button.property("field")))

    # -- choices ----------------------------------------------------------------

    @property
    def keep_side(self) -> int:
        return self.keep_group.checkedId()

    def set_keep_side(self, side: int) -> None:
        self.keep_group.button(side).setChecked(True)

    def choose(self, key: str, side: int) -> None:
        """Take this field's value from ``side`` (LEFT or RIGHT)."""
        self.groups[key].button(side).setChecked(True)
        self._touched.add(key)

    def chosen_side(self, key: str) -> int:
        return self.groups[key].checkedId()

    def choices(self) -> dict[str, str]:
        """Per field, "keep" or "drop": which record's value the merged record takes."""
        keep = self.keep_side
        return {
            key: KEEP if group.checkedId() == keep else DROP for key, group in self.groups.items()
        }

    def accept(self) -> None:
        keep = self.keep_side
        try:
            result = merge(
                self.store, self.table, self.ids[keep], self.ids[1 - keep], self.choices()
            )
        except MergeError as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            return
        self.merged.emit(result)
        super().accept()
