"""The import check's problems, one per grid row: corrected in place, or decided row by row.

The value a problem names is edited in the grid and re-checked as it is typed (the
import's own checks, offline). A row with problems may instead be imported without
its wrong values (tagged « À vérifier ») or set aside in the rejects file; one click
gives every problem of the same field the selected row's choice. Corrections are
applied by checking the file again (``ImportRequest.corrections``); the file itself
is never changed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.app.importing import CheckResult
from companion.i18n import _, ngettext
from companion.io import sources
from companion.io.corrections import correctable_key, corrected_cells, recheck, shown_value
from companion.io.import_plan import BLANK, SKIP, Problem
from companion.ui.common.formatting import format_number

SHOWN_MAX = 1000  # problems listed; a file with more is decided by kind, or fixed at source
LINE, FIELD, VALUE, PROBLEM, CHOICE = range(5)
_FIXED = QColor("#1b7837")  # a corrected value's check mark
_WRONG = QColor("#b2182b")


class ProblemGrid(QWidget):
    """Every problem of a check; emits ``changed`` when a correction or a choice changes."""

    changed = Signal()

    def __init__(self, reader_factory: Callable[[], object]) -> None:
        super().__init__()
        self._reader_factory = reader_factory  # a RowReader, made on the first correction
        self._reader = None
        self.checked: CheckResult | None = None
        self.problems: list[Problem] = []
        self.decisions: dict[int, str] = {}  # line -> SKIP or BLANK
        # line -> field -> text typed, and which of them check out
        self.corrections: dict[int, dict[str, str]] = {}
        self.pending: dict[tuple[int, str], bool] = {}  # (line, key) -> right, not re-checked
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [_("Ligne"), _("Champ"), _("Valeur"), _("Problème"), _("Choix")]
        )
        self.table.setToolTip(
            _(
                "Double-cliquez sur une valeur (ou F2) pour la corriger. "
                "Ctrl+A sélectionne tous les problèmes."
            )
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in (LINE, FIELD):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PROBLEM, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CHOICE, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(VALUE, 220)
        self.table.setItemDelegateForColumn(VALUE, _LiveCheckDelegate(self))
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.fix_button = QPushButton(_("Corriger"))
        self.fix_button.setToolTip(_("Modifier la valeur dans la grille (F2)"))
        self.fix_button.clicked.connect(self._edit_current)
        self.blank_button = QPushButton(_("Importer sans la valeur"))
        self.blank_button.setToolTip(
            _("La fiche est créée sans ses valeurs erronées, avec l'étiquette « À vérifier »")
        )
        self.blank_button.clicked.connect(lambda: self._decide_selected(BLANK))
        self.skip_button = QPushButton(_("Mettre la ligne de côté"))
        self.skip_button.setToolTip(
            _("La ligne va dans le fichier des rejets, à corriger puis à importer")
        )
        self.skip_button.clicked.connect(lambda: self._decide_selected(SKIP))
        self.all_button = QPushButton()
        self.all_button.clicked.connect(self._apply_to_kind)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, lambda: self._decide_selected(SKIP))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.fix_button, self.blank_button, self.skip_button, self.all_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # What the check page reads

    @property
    def undecided(self) -> int:
        """Problems neither decided nor corrected (right, pending a re-check)."""
        return sum(1 for problem in self.problems if self._state(problem) is None)

    @property
    def has_pending(self) -> bool:
        """Corrections typed since the last check, right, to be applied by a re-check."""
        return any(self.pending.values())

    def reset(self) -> None:
        """A new file, or new columns: nothing the user chose still applies."""
        self.decisions.clear()
        self.corrections.clear()
        self.pending.clear()
        self.show_check(None)

    def show_check(self, checked: CheckResult | None) -> None:
        """List a check's problems; choices for rows that still have problems are kept."""
        if checked is not None and not checked.problems:
            checked = None  # nothing to settle (a contacts file has no problem rows)
        self.checked = checked
        self.problems = list(checked.problems) if checked is not None else []
        lines = {problem.line for problem in self.problems}
        fallbacks = checked.plan.fallbacks if checked is not None else {}
        self.decisions = {
            line: choice
            for line, choice in self.decisions.items()
            if line in lines and (choice == SKIP or line in fallbacks)
        }
        self.pending.clear()
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        shown = self.problems[:SHOWN_MAX]
        self.table.setRowCount(len(shown))
        cells = checked.plan.cells if checked is not None else {}
        for row, problem in enumerate(shown):
            line = QTableWidgetItem()
            line.setData(Qt.ItemDataRole.DisplayRole, problem.line)
            self.table.setItem(row, LINE, _read_only(line))
            field = QTableWidgetItem(_(problem.field) if problem.field else "")
            self.table.setItem(row, FIELD, _read_only(field))
            key = correctable_key(problem)
            value = QTableWidgetItem()
            if key is not None and problem.line in cells:
                value.setText(shown_value(cells[problem.line], key))
                value.setData(Qt.ItemDataRole.UserRole, key)
            else:
                _read_only(value)
            self.table.setItem(row, VALUE, value)
            message = _read_only(QTableWidgetItem(problem.message))
            message.setToolTip(problem.message)  # a long one is cut in the column
            self.table.setItem(row, PROBLEM, message)
            self.table.setItem(row, CHOICE, _read_only(QTableWidgetItem()))
        table = checked is None or checked.request.kind == sources.TABLE
        unit = _("Ligne") if table else _("Élément")
        self.table.setHorizontalHeaderItem(LINE, QTableWidgetItem(unit))
        self.table.setColumnHidden(VALUE, not cells)  # a map file's features are fixed at source
        self.table.blockSignals(False)
        self._show_choices()
        self._update_buttons()

    # Corrections

    def live_check(self, row: int, text: str) -> str:
        """What is wrong with ``text`` typed in ``row``'s value ("" when right)."""
        problem = self.problems[row]
        key = self.table.item(row, VALUE).data(Qt.ItemDataRole.UserRole)
        assert self.checked is not None and key
        cells = {**self.checked.plan.cells[problem.line]}
        cells.update(self.corrections.get(problem.line, {}))
        return recheck(self._row_reader(), problem.line, cells, key, text)

    def show_live(self, row: int, wrong: str) -> None:
        item = self.table.item(row, PROBLEM)
        self.table.blockSignals(True)
        item.setText(wrong or "✓ " + _("corrigé"))
        item.setToolTip(wrong)
        item.setForeground(QBrush(_WRONG if wrong else _FIXED))
        self.table.blockSignals(False)

    def _row_reader(self):
        if self._reader is None:
            self._reader = self._reader_factory()
        return self._reader

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != VALUE:
            return
        row, key = item.row(), item.data(Qt.ItemDataRole.UserRole)
        problem = self.problems[row]
        wrong = self.live_check(row, item.text())
        self.corrections.setdefault(problem.line, {}).update(corrected_cells(key, item.text()))
        self.pending[(problem.line, key)] = not wrong
        self.show_live(row, wrong)
        self._show_choices()
        self.changed.emit()

    def _edit_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            item = self.table.item(row, VALUE)
            self.table.setCurrentItem(item)
            self.table.editItem(item)

    # Choices

    def _state(self, problem: Problem) -> str | None:
        """SKIP, BLANK, "fixed" (right, pending a re-check) or None (still to settle)."""
        if problem.line in self.decisions:
            return self.decisions[problem.line]
        key = correctable_key(problem)
        if key is not None and self.pending.get((problem.line, key)):
            return "fixed"
        return None

    def _show_choices(self) -> None:
        texts = {
            SKIP: _("Ligne mise de côté"),
            BLANK: _("Importée sans la valeur"),
            "fixed": _("Corrigée, à revérifier"),
            None: _("À corriger"),
        }
        self.table.blockSignals(True)
        for row, problem in enumerate(self.problems[:SHOWN_MAX]):
            state = self._state(problem)
            item = self.table.item(row, CHOICE)
            item.setText(texts[state])
            item.setForeground(QBrush(_WRONG if state is None else QColor()))
        self.table.blockSignals(False)

    def _selected_problems(self) -> list[Problem]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.problems[row] for row in rows]

    def _decide(self, problems: list[Problem], choice: str) -> None:
        fallbacks = self.checked.plan.fallbacks if self.checked is not None else {}
        for problem in problems:
            if choice == SKIP or problem.line in fallbacks:
                self.decisions[problem.line] = choice
        self._show_choices()
        self._update_buttons()
        self.changed.emit()

    def _decide_selected(self, choice: str) -> None:
        self._decide(self._selected_problems(), choice)

    def _apply_to_kind(self) -> None:
        """The selected row's choice, for every problem of the same field."""
        selected = self._selected_problems()
        if not selected:
            return
        choice = self.decisions.get(selected[0].line)
        if choice is None:
            return
        same = [problem for problem in self.problems if problem.field == selected[0].field]
        self._decide(same, choice)

    def _update_buttons(self) -> None:
        selected = self._selected_problems()
        around = self.checked is not None and self.checked.skippable
        fallbacks = self.checked.plan.fallbacks if around else {}
        self.skip_button.setEnabled(around and bool(selected))
        self.blank_button.setEnabled(any(problem.line in fallbacks for problem in selected))
        current = self.table.currentRow()
        editable = current >= 0 and bool(
            self.table.item(current, VALUE).flags() & Qt.ItemFlag.ItemIsEditable
        )
        self.fix_button.setEnabled(editable)
        first = selected[0] if selected else None
        choice = self.decisions.get(first.line) if first is not None else None
        if first is None:
            self.all_button.setText(_("Même choix pour tous les problèmes de ce champ"))
        else:
            field = _(first.field) if first.field else _("(ligne entière)")
            count = sum(1 for problem in self.problems if problem.field == first.field)
            self.all_button.setText(
                ngettext(
                    "Même choix pour le problème « {field} »",
                    "Même choix pour les {n} problèmes « {field} »",
                    count,
                ).format(n=format_number(count), field=field)
            )
        self.all_button.setEnabled(around and choice is not None)


class _LiveCheckDelegate(QStyledItemDelegate):
    """The value's editor checks what is typed at each key, and says so in the grid."""

    def __init__(self, grid: ProblemGrid) -> None:
        super().__init__(grid.table)
        self.grid = grid

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        row = index.row()
        editor.textEdited.connect(
            lambda text: self.grid.show_live(row, self.grid.live_check(row, text))
        )
        return editor


def _read_only(item: QTableWidgetItem) -> QTableWidgetItem:
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item
