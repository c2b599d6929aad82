"""« Rechercher partout » (Ctrl+K): actors, people, exchanges, toolbox items and
territories in one box.

Results come grouped by kind, best first within each group; Enter or a double
click opens the chosen one where it lives (the directory's card, the toolbox
reader, a territory's profile) and closes the box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.directory.dates import format_date
from companion.i18n import N_, _, ngettext
from companion.store import Store
from companion.store.search import SearchHit, hits_by_kind, match_expression
from companion.ui.common.formatting import format_number
from companion.ui.common.window import Window

if TYPE_CHECKING:
    from companion.geo import Gazetteer

SEARCH_DEBOUNCE_MS = 150
MIN_CHARACTERS = 2  # one letter matches most of a large network and ranks it all (0.4 s)
PER_GROUP = 8
GROUPS = {
    "actor": N_("Acteurs"),
    "person": N_("Personnes"),
    "interaction": N_("Échanges"),
    "toolbox": N_("Boîte à outils"),
    "territory": N_("Territoires"),
}
HIT = Qt.ItemDataRole.UserRole  # (entity, id) on result rows; None on group rows


def grouped_hits(store: Store, text: str) -> dict[str, list[SearchHit]]:
    """The best ``PER_GROUP`` hits of each kind for ``text``, in ``GROUPS`` order."""
    from companion.toolbox.search import global_hits

    if match_expression(text) is None or len(text.strip()) < MIN_CHARACTERS:
        return {}
    groups = hits_by_kind(store.conn, text, PER_GROUP)
    toolbox = global_hits(store.conn, text, PER_GROUP)
    if toolbox:
        groups["toolbox"] = toolbox
    return {entity: groups[entity] for entity in GROUPS if entity in groups}


class GlobalSearch(QDialog):
    """A search box over everything; ``chosen`` says which result to open."""

    chosen = Signal(str, str)  # entity ("actor", "person", "interaction", "toolbox"), id

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._gazetteer: Gazetteer | None = None  # opened on the first search
        self.setWindowTitle(_("Rechercher partout"))
        self.resize(620, 480)
        self.box = QLineEdit()
        self.box.setPlaceholderText(_("Acteurs, personnes, échanges, boîte à outils, territoires…"))
        self.box.setClearButtonEnabled(True)
        self.box.installEventFilter(self)
        self.results = QTreeWidget()
        self.results.setColumnCount(2)
        self.results.setHeaderHidden(True)
        self.results.setRootIsDecorated(False)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.itemActivated.connect(self._activated)
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.box.textChanged.connect(self._timer.start)
        self.box.returnPressed.connect(self.choose_current)

        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.count_label)
        layout.addWidget(self.results, 1)
        self.run_search()

    def run_search(self) -> None:
        """Search now (typing pauses call this); the first result is selected."""
        self._timer.stop()
        self.results.clear()
        text = self.box.text().strip()
        groups = grouped_hits(self.store, text) if text else {}
        places = self.territory_hits(text)
        if places:
            groups["territory"] = places
        bold = QFont(self.results.font())
        bold.setBold(True)
        first: QTreeWidgetItem | None = None
        for entity, hits in groups.items():
            group = QTreeWidgetItem(self.results, [_(GROUPS[entity])])
            group.setFont(0, bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFirstColumnSpanned(True)
            for hit in hits:
                detail = format_date(hit.detail) if entity == "interaction" else hit.detail
                row = QTreeWidgetItem(group, ["    " + hit.title, detail])
                row.setData(0, HIT, (hit.entity, hit.id))
                row.setToolTip(0, hit.title)
                first = first or row
            group.setExpanded(True)
        self.results.resizeColumnToContents(0)
        if first is not None:
            self.results.setCurrentItem(first)
        total = sum(len(hits) for hits in groups.values())
        if len(text) < MIN_CHARACTERS:
            self.count_label.setText(_("Tapez quelques lettres d'un nom, d'un lieu, d'un sujet."))
        elif total == 0:
            self.count_label.setText(_("Aucun résultat"))
        else:
            template = ngettext("{n} résultat", "{n} résultats", total)
            self.count_label.setText(template.format(n=format_number(total)))

    def territory_hits(self, text: str) -> list[SearchHit]:
        """Régions, départements and communes matching ``text`` (none without the gazetteer)."""
        if len(text) < MIN_CHARACTERS:
            return []
        from companion.insights.territory_search import territory_hits

        if self._gazetteer is None:
            from companion.ui.directory.actor_form import open_gazetteer

            self._gazetteer, _notice = open_gazetteer()
        if self._gazetteer is None:
            return []
        return territory_hits(self._gazetteer, text, PER_GROUP)

    def rows(self) -> list[tuple[str, str, str]]:
        """(entity, id, title) of every result row, in order (tests, accessibility)."""
        found = []
        for group_index in range(self.results.topLevelItemCount()):
            group = self.results.topLevelItem(group_index)
            for index in range(group.childCount()):
                row = group.child(index)
                entity, item_id = row.data(0, HIT)
                found.append((entity, item_id, row.text(0).strip()))
        return found

    def choose_current(self) -> None:
        """Enter: open the selected result (the first one unless the user moved)."""
        if self._timer.isActive():
            self.run_search()
        item = self.results.currentItem()
        if item is not None:
            self._activated(item)

    def _activated(self, item: QTreeWidgetItem) -> None:
        hit = item.data(0, HIT)
        if not hit:
            return
        self.accept()
        self.chosen.emit(*hit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Up and Down move through the results while the cursor stays in the box.
        if (
            watched is self.box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
        ):
            self._move(1 if event.key() == Qt.Key.Key_Down else -1)
            return True
        return super().eventFilter(watched, event)

    def _move(self, delta: int) -> None:
        items = [self.results.topLevelItem(i) for i in range(self.results.topLevelItemCount())]
        rows = [group.child(i) for group in items for i in range(group.childCount())]
        if not rows:
            return
        current = self.results.currentItem()
        index = rows.index(current) + delta if current in rows else 0
        self.results.setCurrentItem(rows[max(0, min(len(rows) - 1, index))])


def open_global_search(
    window: Window, open_hit: Callable[[str, str], None], dialog: GlobalSearch | None = None
) -> GlobalSearch:
    """Ctrl+K: show the box (``dialog`` again if given: the last search is still there,
    selected); the chosen result opens in the window."""
    if dialog is None:
        dialog = GlobalSearch(window.store, window)
        dialog.chosen.connect(open_hit)
    dialog.box.selectAll()
    dialog.run_search()  # the records may have changed since
    dialog.open()
    dialog.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
    return dialog
